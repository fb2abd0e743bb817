#!/usr/bin/env bash
# An import in bounded write transactions, from the command line: killed
# after its second commit (the test hook CZ_TEST_IMPORT_KILL_AFTER, with
# CZ_IMPORT_TXN_BYTES making a few hundred records dozens of
# transactions), `status` says an import is unfinished, naming the bundle's
# file and what to do, in English and in Chinese and in --json; importing
# the bundle again completes it, `status` no longer says so, and the office
# holds what a twin that imported the bundle in one go holds.  The home
# screen (tmux, 80x24) says so in place of the last sync, and then no more.
. "$(dirname "$0")/lib.bash"
. "$(dirname "$0")/tmux.bash"
O=$WORK/office A=$WORK/village STICK=$WORK/stick V=411081106201
# status --json without the database's size in bytes (two stores holding
# the same records need not be the same size).
logical() { cz -C "$1" status --json | grep -v '"db_bytes"'; }

cz -C "$O" init --office 许昌市科协 --user 张主任 >/dev/null
cz -C "$O" pubkey > "$WORK/office.id"
cz -C "$A" init --station 杨树湾村 --region $V --user 李书记 --office-key "$WORK/office.id" >/dev/null
household_csv YSW 300 "$V" > "$WORK/h.csv"
expect "the village loads 300 households" 0 cz -C "$A" load household "$WORK/h.csv"
expect "the village exports" 0 cz -C "$A" export --to "$STICK"
F=$(ls "$STICK"/cunzhan/*/*/*.czb)
cp -a "$O" "$WORK/twin"

expect "nothing unfinished before" 0 cz -C "$O" status
lacks "no unfinished import" "$OUT" "unfinished"
expect "status --json: an empty list" 0 cz -C "$O" status --json
contains "unfinished_imports is there" "$OUT" '"unfinished_imports": []'

CZ_IMPORT_TXN_BYTES=4096 CZ_TEST_IMPORT_KILL_AFTER=2 expect "an import killed after its second commit" 137 \
    cz -C "$O" import "$F"
part=$(entries "$O")
[ "$part" -gt 10 ] && [ "$part" -lt 300 ] && pass "part of the bundle is stored ($part entries)" ||
    fail "part of the bundle is stored: $part entries"

expect "status after the kill" 0 cz -C "$O" status
contains "says an import is unfinished" "$OUT" "An import is unfinished"
contains "names the bundle's file" "$OUT" "$F"
contains "says what to do" "$OUT" "Import it again to complete it: cunzhan import $F"
expect "status in Chinese" 0 cz -C "$O" --lang zh status
contains "未完成 in Chinese" "$OUT" "有一次导入未完成"
contains "what to do in Chinese" "$OUT" "请再次导入以完成：cunzhan import $F"
expect "status --json after the kill" 0 cz -C "$O" status --json
contains "json names the file" "$OUT" "\"file\": \"$F\""
contains "json names the sender" "$OUT" '"sender": "'
contains "json has the bundle number" "$OUT" '"seq": 1'
expect "verify is clean half-way" 0 cz -C "$O" verify
ST=$O
start
see "the home screen says an import is unfinished" "Import unfinished: a bundle from"
see "and what to do" "import it again"
ENVARGS="CUNZHAN_LANG=zh" start
see "the home screen in Chinese" "导入未完成：来自"
see "what to do in Chinese" "请再次导入"
$TM kill-server 2>/dev/null

expect "the same bundle imported again" 0 cz -C "$O" import "$F"
contains "says it completes the earlier import" "$OUT" "completes the import of this bundle that was cut short"
expect "status after completing" 0 cz -C "$O" status
lacks "no longer unfinished" "$OUT" "unfinished"
expect "status --json after completing" 0 cz -C "$O" status --json
contains "the list is empty again" "$OUT" '"unfinished_imports": []'
start
ready
see "the home screen shows the last sync again" "Last sync:"
gone "and no unfinished import" "Import unfinished"
$TM kill-server 2>/dev/null
expect "a third time is a replay" 0 cz -C "$O" import "$F"
contains "already imported" "$OUT" "already imported"

expect "the twin imports in one go" 0 cz -C "$WORK/twin" import "$F"
lacks "the twin completes nothing" "$OUT" "cut short"
equals "the same status as the twin's" "$(logical "$O")" "$(logical "$WORK/twin")"
equals "the same households as the twin's" "$(cz -C "$O" list household --json)" \
    "$(cz -C "$WORK/twin" list household --json)"
equals "verify says the same" "$(cz -C "$O" verify --json)" "$(cz -C "$WORK/twin" verify --json)"
equals "every screen fitted 80 columns" "$WIDE" 0
finish
