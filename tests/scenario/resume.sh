#!/usr/bin/env bash
# A load killed half-way, and run again (src/CLI.md, load): the whole file
# is checked before anything is stored, then written in bounded
# transactions, each noting how far it got.  Killed after a commit
# (CZ_LOAD_DIE_AFTER, station_load.c's test hook, with the bound lowered by
# CZ_LOAD_TXN_BYTES and a small ring), `status` says the load is
# unfinished; another file is refused, naming the unfinished one, in both
# languages; the same file resumes after the rows stored, and the station
# then equals one that loaded the file in one go: the same records and
# fields, no row twice, one unbroken chain, `verify` clean.  `load
# --abandon` forgets an unfinished load, keeping its rows.  A bad row at the
# end of a large file, or two rows for one household and year, store
# nothing, whichever thread of the first pass checked the earlier row.
. "$(dirname "$0")/lib.bash"
O=$WORK/office A=$WORK/killed B=$WORK/whole C=$WORK/abandoned
V1=411081106201
ROWS=600

cz -C "$O" init --office 许昌市科协 --user 张主任 >/dev/null
cz -C "$O" pubkey > "$WORK/office.id"
for d in "$A" "$B" "$C"; do
    cz -C "$d" init --station 杨树湾村 --region $V1 --user 李书记 --office-key "$WORK/office.id" >/dev/null
done
household_csv H "$ROWS" $V1 > "$WORK/h.csv"

# Every household's fields, one line each, sorted: what the two stations
# must agree on whatever their ids and clocks.
fields() { cz -C "$1" list household --json | jq -r '.[] | .fields | to_entries | map("\(.key)=\(.value)") | join(",")' | sort; }
count() { cz -C "$1" list household --json | jq length; }
# The seq numbers of the households, as "first last distinct".
seqs() { cz -C "$1" list household --json | jq -r '[.[].seq] | "\(min) \(max) \(unique | length)"'; }
# Commits every few rows, and the first pass on three threads whatever
# the cores, so that rows are checked against other threads' runs.
small() { CZ_LOAD_TXN_BYTES=8000 CZ_LOAD_RING=4 CZ_LOAD_CHECKERS=3 "$@"; }

expect "the whole file in one go" 0 cz -C "$B" load household "$WORK/h.csv"
contains "all stored" "$OUT" "$ROWS records stored"

# ---- killed after the second commit ----
small env CZ_LOAD_DIE_AFTER=2 "$CUNZHAN" -C "$A" load household "$WORK/h.csv" >/dev/null 2>&1
equals "killed by the hook" "$?" 137
DONE=$(cz -C "$A" status --json | jq -r '.load_unfinished.rows_done')
N=$(count "$A")
equals "the rows noted are the rows stored" "$DONE" "$N"
[ "$N" -gt 0 ] && [ "$N" -lt "$ROWS" ] && pass "part stored ($N of $ROWS)" || fail "part stored: $N of $ROWS"
expect "status says unfinished" 0 cz -C "$A" status
contains "status: file and rows" "$OUT" "Load unfinished: $WORK/h.csv (household), $N of $ROWS rows stored"
expect "status says unfinished (zh)" 0 cz --lang zh -C "$A" status
contains "status: file and rows (zh)" "$OUT" "批量录入未完成：$WORK/h.csv（household），已保存 $N 行，共 $ROWS 行"
expect "status --json" 0 cz -C "$A" status --json
equals "status --json: file" "$(printf '%s' "$OUT" | jq -r .load_unfinished.file)" "$WORK/h.csv"
equals "status --json: total" "$(printf '%s' "$OUT" | jq -r .load_unfinished.rows_total)" "$ROWS"

# ---- another file, or the same name with other bytes, refused ----
household_csv X 5 $V1 > "$WORK/x.csv"
E0=$(entries "$A")
expect "another file refused" 1 cz -C "$A" load household "$WORK/x.csv"
contains "names the unfinished file and rows" "$ERR" "the load of $WORK/h.csv (household) is unfinished: $N of $ROWS rows stored"
contains "says what to do" "$ERR" "Load that file again to finish it"
contains "offers --abandon" "$ERR" "cunzhan load --abandon"
expect "another file refused (zh)" 1 cz --lang zh -C "$A" load household "$WORK/x.csv"
contains "names the unfinished file (zh)" "$ERR" "$WORK/h.csv（household）的批量录入尚未完成：已保存 $N 行，共 $ROWS 行"
contains "says what to do (zh)" "$ERR" "请再次导入那个文件以完成它"
cp "$WORK/h.csv" "$WORK/h.keep"
echo "H-extra,$V1,多一户" >> "$WORK/h.csv"
expect "the same name with other bytes refused" 1 cz -C "$A" load household "$WORK/h.csv"
contains "other bytes: names it" "$ERR" "is unfinished: $N of $ROWS rows stored"
cp "$WORK/h.keep" "$WORK/h.csv"
equals "refused: nothing stored" "$(entries "$A")" "$E0"

# ---- resumed, killed again, resumed to the end ----
small env CZ_LOAD_DIE_AFTER=1 "$CUNZHAN" -C "$A" load household "$WORK/h.csv" >/dev/null 2>&1
equals "killed again" "$?" 137
N2=$(count "$A")
[ "$N2" -gt "$N" ] && pass "the second run went on ($N2)" || fail "the second run: $N2 after $N"
expect "the third run finishes" 0 small cz -C "$A" load household "$WORK/h.csv"
contains "says it resumed" "$OUT" "$((ROWS - N2)) records stored, after the $N2 stored before"
expect "status after" 0 cz -C "$A" status
lacks "status: no longer unfinished" "$OUT" "Load unfinished"
equals "status --json: null" "$(cz -C "$A" status --json | jq -c .load_unfinished)" "null"
equals "every row once" "$(count "$A")" "$ROWS"
equals "the same records and fields as in one go" "$(fields "$A")" "$(fields "$B")"
equals "one unbroken chain" "$(seqs "$A")" "$(seqs "$B")"
equals "as many entries" "$(entries "$A")" "$(entries "$B")"
expect "verify clean" 0 cz -C "$A" verify
contains "verify: no problems" "$OUT" "0 problems"
expect "the same file again: all duplicates" 1 cz -C "$A" load household "$WORK/h.csv"
contains "duplicates named" "$ERR" "line 2: column A, field number (Household number) is already used"

# ---- --abandon ----
small env CZ_LOAD_DIE_AFTER=1 "$CUNZHAN" -C "$C" load household "$WORK/h.csv" >/dev/null 2>&1
equals "killed" "$?" 137
K=$(count "$C")
expect "abandon" 0 cz -C "$C" load --abandon
contains "abandon: says what was forgotten" "$OUT" "The load of $WORK/h.csv is forgotten; the $K of its $ROWS rows stored stay."
equals "abandon: rows stay" "$(count "$C")" "$K"
lacks "abandon: status clean" "$(cz -C "$C" status)" "Load unfinished"
expect "abandon again: none" 0 cz --lang zh -C "$C" load --abandon
contains "abandon again: none (zh)" "$OUT" "没有未完成的批量录入。"
expect "another file now loads" 0 cz -C "$C" load household "$WORK/x.csv"
expect "verify clean after abandon" 0 cz -C "$C" verify

# ---- a bad row at the end of a large file stores nothing ----
E0=$(entries "$B")
{ household_csv L 3000 $V1; echo "L-3001,999999999999,无此村"; } > "$WORK/late.csv"
expect "a bad last row refused" 1 small cz -C "$B" load household "$WORK/late.csv"
contains "names its line" "$ERR" "line 3002: outside your jurisdiction"
contains "nothing stored, said" "$ERR" "1 of 3001 rows refused; nothing was stored"
equals "a bad last row: nothing stored" "$(entries "$B")" "$E0"
lacks "a bad last row: nothing unfinished" "$(cz -C "$B" status)" "Load unfinished"
{ household_csv L 3000 $V1; echo "L-7,$V1,重号"; } > "$WORK/dup.csv"
expect "a number taken earlier in the file refused" 1 small cz --lang zh -C "$B" load household "$WORK/dup.csv"
contains "names its line (zh)" "$ERR" "第 3002 行：第 A 列"
contains "only that line (zh)" "$ERR" "3001 行中有 1 行有误"
equals "a duplicate last row: nothing stored" "$(entries "$B")" "$E0"
printf 'household,year,wages\nH-1,2025,1000\nH-2,2025,900\nH-1,2025,1100\n' > "$WORK/income.csv"
expect "two incomes of one household and year refused" 1 small cz -C "$B" load income "$WORK/income.csv"
contains "names the second" "$ERR" "line 4: column B"
contains "names the first's line" "$ERR" "(#2)"
equals "incomes: nothing stored" "$(entries "$B")" "$E0"

finish
