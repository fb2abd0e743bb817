#!/usr/bin/env bash
# The progress bar (src/CLI.md, "Progress"; src/cli/cli_progress.c): load,
# export, import, backup, restore and verify, each run under a real pty
# (`script` from util-linux) on a station of a few thousand entries, draw
# on stderr the count of the total, a rate (/s) and a bar, every line
# within 80 columns, in Chinese with --lang zh; with stderr to a file or
# with --json nothing of it is written (no \r, no bar); and what each
# command prints on stdout is what it prints without a terminal.
. "$(dirname "$0")/lib.bash"
cc -o "$WORK/widthcheck" "$(dirname "$0")/widthcheck.c" || fail "build widthcheck"
O=$WORK/office A=$WORK/yangshuwan B=$WORK/twin STICK=$WORK/stick
ROWS=4000

# tty NAME COMMAND: COMMAND (a shell line) run with a pty as its terminal,
# stderr and all; what reached the terminal goes to $WORK/NAME.tty, without
# the lines `script` adds.  The exit code is the command's.
tty() {
    script -qfec "$2" "$WORK/$1.raw" >/dev/null </dev/null
    local rc=$?
    sed '1d;$d' "$WORK/$1.raw" >"$WORK/$1.tty"
    return $rc
}
# drawn NAME: the bar's lines as they were drawn, one a line (\r ends one).
drawn() { tr '\r' '\n' <"$WORK/$1.tty" | grep -v '^ *$'; }
# fits NAME: every line drawn within 80 columns by display width.
fits() {
    if tr '\r' '\n' <"$WORK/$1.tty" | "$WORK/widthcheck" 80 >"$WORK/wide"; then pass "$1: fits 80 columns"
    else fail "$1: wider than 80 columns" "$(cat "$WORK/wide")"; fi
}
# bar NAME LABEL UNIT TOTAL: the bar was drawn with its label, the count
# of the total and a rate.
bar() {
    local lines
    lines=$(drawn "$1")
    contains "$1: label" "$lines" "$2"
    contains "$1: count of the total" "$lines" "$4/$4 $3"
    contains "$1: a rate" "$lines" "/s"
    contains "$1: the bar" "$lines" "[#"
    fits "$1"
}
# quiet NAME FILE: nothing of a bar in FILE.
quiet() {
    local cr=0
    grep -q $'\r' "$2" && cr=1
    equals "$1: no \\r" "$cr" 0
    lacks "$1: no rate" "$(cat "$2")" "/s"
    lacks "$1: no bar" "$(cat "$2")" "[#"
}

cz -C "$O" init --office 许昌市科协 --user 张主任 >/dev/null
cz -C "$O" pubkey >"$WORK/office.id"
for d in "$A" "$B"; do
    cz -C "$d" init --station 杨树湾村 --region 411081106201 --user 李书记 --office-key "$WORK/office.id" >/dev/null
done
household_csv YSW "$ROWS" 411081106201 >"$WORK/h.csv"

# ---- load: under a terminal, and the same file on its twin without one ----
tty load "'$CUNZHAN' -C '$A' load household '$WORK/h.csv' >'$WORK/load.out'"
equals "load under a pty succeeds" "$?" 0
bar load "load" rows "$ROWS"
n=$(drawn load | grep -c 'rows')
[ "$n" -ge 2 ] && pass "load: drawn more than once ($n)" || fail "load: drawn $n times"
expect "load without a terminal" 0 cz -C "$B" load household "$WORK/h.csv"
equals "load: same output" "$(cat "$WORK/load.out")" "$OUT"
quiet "load without a terminal: stderr" <(printf '%s' "$ERR")
total=$(entries "$A")
equals "load: same entries" "$total" "$(entries "$B")"

# ---- verify, in English and Chinese; to a file; --json ----
tty verify "'$CUNZHAN' -C '$A' verify >'$WORK/verify.out'"
bar verify "verify" entries "$total"
expect "verify without a terminal" 0 cz -C "$A" verify
equals "verify: same output" "$(cat "$WORK/verify.out")" "$OUT"
tty verify_zh "'$CUNZHAN' -C '$A' --lang zh verify >/dev/null"
bar verify_zh "验证" "条" "$total"
lacks "verify_zh: no English label" "$(drawn verify_zh)" "verify"
tty verify_file "'$CUNZHAN' -C '$A' verify >/dev/null 2>'$WORK/verify.err'"
quiet "verify, stderr to a file" "$WORK/verify.err"
equals "verify, stderr to a file: nothing on the terminal" "$(cat "$WORK/verify_file.tty")" ""
tty verify_json "'$CUNZHAN' -C '$A' verify --json >'$WORK/verify.json'"
equals "verify --json: nothing on the terminal" "$(cat "$WORK/verify_json.tty")" ""
quiet "verify --json: its output" "$WORK/verify.json"
equals "verify --json: the JSON as without a terminal" "$(jq -c . "$WORK/verify.json")" \
    "$(cz -C "$A" verify --json | jq -c .)"

# stdout on the same terminal: the summary starts a line of its own
tty both "'$CUNZHAN' -C '$A' verify"
n=$(tr '\r' '\n' <"$WORK/both.tty" | grep -c "^$total entries: ")
[ "$n" -ge 1 ] && pass "verify's summary on a line of its own" || fail "verify's summary run into the bar" "$(cat -v "$WORK/both.tty")"

# ---- a narrow terminal: the bar goes, the line still fits ----
tty narrow "stty cols 40; '$CUNZHAN' -C '$A' --lang zh verify >/dev/null"
if tr '\r' '\n' <"$WORK/narrow.tty" | "$WORK/widthcheck" 39 >"$WORK/wide"; then pass "narrow: fits 40 columns"
else fail "narrow: wider than 40 columns" "$(cat "$WORK/wide")"; fi
contains "narrow: the count stays" "$(drawn narrow)" "$total/$total 条"

# ---- export and import ----
tty export "'$CUNZHAN' -C '$A' export --to '$STICK' >'$WORK/export.out'"
equals "export under a pty succeeds" "$?" 0
bar export "export" entries "$total"
contains "export: says what it wrote" "$(cat "$WORK/export.out")" "$total"
tty import "'$CUNZHAN' -C '$O' --lang zh import '$STICK' >'$WORK/import.out'"
equals "import under a pty succeeds" "$?" 0
bar import "导入" "条" "$total"
contains "import: says what came in" "$(cat "$WORK/import.out")" "新增 $total 条"
expect "import again without a terminal" 0 cz -C "$O" --lang zh import "$STICK"
quiet "import without a terminal: stderr" <(printf '%s' "$ERR")
lacks "import: stdout never holds the bar" "$(cat "$WORK/import.out")" "[#"

# ---- backup and restore ----
tty backup "'$CUNZHAN' -C '$A' backup --to '$STICK' >'$WORK/backup.out'"
equals "backup under a pty succeeds" "$?" 0
bar backup "backup" entries "$total"
BK=$(ls "$STICK"/cunzhan/backup/*/*.czbak)
tty restore "'$CUNZHAN' -C '$WORK/restored' restore '$BK' >'$WORK/restore.out'"
equals "restore under a pty succeeds" "$?" 0
bar restore "restore: writing" entries "$total"
contains "restore: both passes named" "$(drawn restore)" "restore: checking"
expect "restore without a terminal" 0 cz -C "$WORK/restored2" restore "$BK"
equals "restore: same output" "$(cat "$WORK/restore.out")" "$OUT"
quiet "restore without a terminal: stderr" <(printf '%s' "$ERR")
equals "restore: every entry" "$(entries "$WORK/restored")" "$total"

# ---- a refused load: the bar is wiped, the refusals stand on their own lines ----
{ echo "number,village,head"; for i in $(seq 1 3000); do echo "BAD-$i,411081106201,户主$i"; done
  echo "BAD-x,999999999999,坏"; } >"$WORK/bad.csv"
tty badload "'$CUNZHAN' -C '$B' load household '$WORK/bad.csv' >/dev/null"
equals "refused load fails" "$?" 1
err=$(tr '\r' '\n' <"$WORK/badload.tty" | grep -v '^ *$' | grep -v 'rows')
contains "refused load: the row named" "$err" "line 3002"
lacks "refused load: no bar on the error's line" "$(tr '\r' '\n' <"$WORK/badload.tty" | grep 'line 3002')" "/3001"
equals "refused load: nothing stored" "$(entries "$B")" "$total"

finish
