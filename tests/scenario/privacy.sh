#!/bin/bash
# Privacy (README, Privacy; CLI.md): ID numbers, birth dates, phones and
# health are masked by show, list, find and conflicts until a person of
# the station logs in for the run, in text and JSON, in Chinese and in
# English; a wrong passphrase shows nothing; searching by a private value
# needs the login; reports, the notice and the printed report never hold
# an ID number or a phone of the demo, logged in or not.
source "$(dirname "$0")/lib.bash"

D=$WORK/demo
ST=$D/yangshuwan
O=$D/office
cz -C "$D" demo >/dev/null 2>&1 || { fail "demo"; finish; exit 1; }
# nobody logged in: no passphrase, no name
anon() { env -u CUNZHAN_PASSPHRASE -u CUNZHAN_USER "$CUNZHAN" "$@"; }

# The demo's private values, read by a person logged in.
expect "logged in: list members" 0 cz -C "$ST" list member --json
IDS=$(printf '%s\n' "$OUT" | sed -n 's/^ *"id_number": "\([0-9X]*\)",*$/\1/p' | sort -u)
BORN=$(printf '%s\n' "$OUT" | sed -n 's/^ *"born": "\([0-9-]*\)",*$/\1/p' | sort -u)
[ "$(printf '%s\n' "$IDS" | wc -l)" -ge 10 ] && pass "the demo has ID numbers" || fail "the demo has ID numbers" "$IDS"
expect "logged in: list households" 0 cz -C "$ST" list household --json
PHONES=$(printf '%s\n' "$OUT" | sed -n 's/^ *"phone": "\([0-9 +-]*\)",*$/\1/p' | sort -u)
expect "logged in: list helpers" 0 cz -C "$O" list helper --json
PHONES=$(printf '%s\n%s\n' "$PHONES" "$(printf '%s\n' "$OUT" | sed -n 's/^ *"phone": "\([0-9 +-]*\)",*$/\1/p')" | sort -u | sed '/^$/d')
[ "$(printf '%s\n' "$PHONES" | wc -l)" -ge 5 ] && pass "the demo has phones" || fail "the demo has phones" "$PHONES"
# none_of NAME TEXT: no ID number, full birth date or phone of the demo in TEXT
none_of() {
    local v
    for v in $IDS; do case "$2" in *"$v"*) fail "$1: ID number $v"; return ;; esac; done
    while read -r v; do [ -n "$v" ] && case "$2" in *"$v"*) fail "$1: phone $v"; return ;; esac; done <<<"$PHONES"
    pass "$1"
}
none_of_born() {
    local v
    for v in $BORN; do case "$2" in *"$v"*) fail "$1: birth date $v"; return ;; esac; done
    pass "$1"
}

M=$(cz -C "$ST" find 杨树林 | awk '/Member|家庭成员/ { print $1; exit }')
H=$(cz -C "$ST" find YSW-2016-07 | awk 'NR == 1 { print $1 }')

# ---- logged in: everything ----
expect "logged in: show member" 0 cz -C "$ST" --lang en show "$M"
contains "logged in: the ID number" "$OUT" "411024196807220115"
contains "logged in: the birth date" "$OUT" "1968-07-22"
lacks "logged in: no note" "$ERR" "masked"
expect "logged in by name" 0 cz -C "$ST" --user 孙书记 --lang en show "$M"
contains "logged in by name: the ID number" "$OUT" "411024196807220115"
expect "logged in: show household" 0 cz -C "$ST" show "$H"
contains "logged in: the phone" "$OUT" "13903741107"

# ---- nobody logged in: masked, other fields readable ----
expect "masked: show member (en)" 0 anon -C "$ST" --lang en show "$M"
contains "masked: ID keeps its last four" "$OUT" "**************0115"
contains "masked: birth keeps its year" "$OUT" "1968-**-**"
contains "masked: health" "$OUT" "***"
contains "masked: the name stays" "$OUT" "杨树林"
contains "masked: the relation stays" "$OUT" "Head of household"
none_of "masked: show member (en)" "$OUT"
none_of_born "masked: no birth date (en)" "$OUT"
contains "masked: says how to see (en)" "$ERR" "--user NAME"
contains "masked: names the passphrase (en)" "$ERR" "CUNZHAN_PASSPHRASE"
equals "masked: said once" "$(printf '%s\n' "$ERR" | grep -c masked)" "1"
expect "masked: show member (zh)" 0 anon -C "$ST" --lang zh show "$M"
contains "masked: ID (zh)" "$OUT" "**************0115"
contains "masked: says how to see (zh)" "$ERR" "请给出姓名（--user 姓名）"
contains "masked: what is masked (zh)" "$ERR" "身份证号、出生日期、电话和健康状况已遮盖"
expect "masked: show household" 0 anon -C "$ST" show "$H"
contains "masked: phone keeps 3 + 4" "$OUT" "139****1107"
lacks "masked: no phone" "$OUT" "13903741107"
contains "masked: the head stays" "$OUT" "杨树林"
expect "masked: list members" 0 anon -C "$ST" --lang en list member
none_of "masked: list members" "$OUT"
none_of_born "masked: list shows no birth date" "$OUT"
contains "masked: list names stay" "$OUT" "杨树林"
expect "masked: list households (zh)" 0 anon -C "$ST" --lang zh list household
none_of "masked: list households" "$OUT"
contains "masked: list note (zh)" "$ERR" "已遮盖"
expect "masked: find by name" 0 anon -C "$ST" find 杨树林
none_of "masked: find by name" "$OUT"
expect "masked: show --history" 0 anon -C "$ST" show "$M" --history
none_of "masked: show --history" "$OUT"
expect "masked: list helpers" 0 anon -C "$O" list helper
none_of "masked: helper phones" "$OUT"

# JSON: masked values, and which fields were masked
expect "masked: show --json" 0 anon -C "$ST" show "$M" --json
none_of "masked: show --json" "$OUT"
contains "masked: JSON ID" "$OUT" '"id_number": "**************0115"'
contains "masked: JSON says masked" "$OUT" '"masked": ['
expect "masked: list --json" 0 anon -C "$ST" list member --json
none_of "masked: list --json" "$OUT"
expect "masked: show --history --json" 0 anon -C "$ST" show "$M" --history --json
none_of "masked: history JSON" "$OUT"
expect "logged in: JSON not masked" 0 cz -C "$ST" show "$M" --json
lacks "logged in: JSON has no masked list" "$OUT" '"masked"'

# searching by a private value would say who has it
expect "masked: no filter on health" 2 anon -C "$ST" --lang en list member health=ill
contains "masked: filter says login (en)" "$ERR" "needs a login"
equals "masked: filter prints nothing" "$OUT" ""
expect "masked: no find by ID number" 2 anon -C "$ST" --lang zh find 411024196807220115
contains "masked: find says login (zh)" "$ERR" "需要登录"
expect "masked: a part of a phone finds no one" 0 anon -C "$ST" find 3741101
lacks "masked: the phone's household not named" "$OUT" "YSW-2016-01"
expect "logged in: a part of a phone finds its household" 0 cz -C "$ST" find 3741101
contains "logged in: the phone's household" "$OUT" "YSW-2016-01"
expect "logged in: filter on health" 0 cz -C "$ST" list member health=ill
contains "logged in: the ill are listed" "$OUT" "陈春花"
expect "logged in: find by ID number" 0 cz -C "$ST" find 411024196807220115
contains "logged in: found" "$OUT" "杨树林"

# a wrong passphrase shows nothing, as a write refuses
expect "wrong passphrase: refused (en)" 1 env CUNZHAN_PASSPHRASE=wrong "$CUNZHAN" -C "$ST" --lang en list member
equals "wrong passphrase: nothing shown" "$OUT" ""
contains "wrong passphrase: says so (en)" "$ERR" "wrong passphrase; nothing was shown"
expect "wrong passphrase: refused (zh)" 1 env CUNZHAN_PASSPHRASE=wrong "$CUNZHAN" -C "$ST" --lang zh show "$M"
equals "wrong passphrase: nothing shown (zh)" "$OUT" ""
contains "wrong passphrase: says so (zh)" "$ERR" "口令错误；没有显示任何内容"
expect "unknown person: refused" 1 cz -C "$ST" --user 无此人 show "$M"
equals "unknown person: nothing shown" "$OUT" ""

# ---- reports and prints never hold them, logged in or not ----
for f in text csv json; do
    expect "report $f" 0 cz -C "$O" report --format "$f"
    none_of "report $f holds no ID number or phone" "$OUT"
    expect "report $f, station" 0 cz -C "$ST" report --format "$f"
    none_of "report $f at the station" "$OUT"
done
if probe=$(cz -C "$O" print report --to "$WORK/r.pdf" 2>&1); then
    none_of "printed report" "$(pdftotext -layout "$WORK/r.pdf" -)"
    E=$(cz -C "$O" list exit | awk '/3900.00/ { print $1 }')
    expect "the county decides 杨树林's exit" 0 cz -C "$O" --user 王县长 approve "$E" --step county
    expect "notice printed" 0 cz -C "$O" print notice --village 411024104201 --to "$WORK/n.pdf"
    T=$(pdftotext -layout "$WORK/n.pdf" -)
    contains "notice: the household is there" "$T" "杨树林"
    none_of "notice holds no ID number or phone" "$T"
    expect "exits" 0 cz -C "$O" exits
    none_of "exits holds no ID number or phone" "$OUT"
else
    contains "a build without printing says so" "$probe" "PRINT=0"
fi
finish
