#!/usr/bin/env bash
# Hostile text at the command line: escape sequences, C1 controls,
# bidi overrides and invalid UTF-8 are refused wherever text comes in (add,
# edit, load), so show, list and find can never print an ESC byte from data.
# (Forged entries from a validly signing station: tests/unit/test_hostile.c.)
. "$(dirname "$0")/lib.bash"
O=$WORK/office A=$WORK/yangshuwan V=411081106201
cz -C "$O" init --office 许昌市科协 --user 张主任 >/dev/null
cz -C "$O" pubkey > "$WORK/office.id"
cz -C "$A" init --station 杨树湾村 --region $V --user 李书记 --office-key "$WORK/office.id" >/dev/null
expect "a plain household" 0 cz -C "$A" add household number=H-1 village=$V head=王秀英
H=$OUT
for bad in $'\e[31m红\e[0m' $'\e]0;title\a' $'\xc2\x9b2J' $'\xe2\x80\xaeexe.txt' $'\xe2\x81\xa6x' $'\xff\xfe' $'a\x08b'; do
    expect "add refuses $(printf %q "$bad")" 1 cz -C "$A" add household number=H-2 village=$V head="$bad"
    expect "edit refuses $(printf %q "$bad")" 1 cz -C "$A" edit "$H" notes="注$bad"
done
printf 'number,village,head\nH-3,%s,"\e[2J清屏"\n' $V > "$WORK/esc.csv"
expect "load refuses a cell with ESC" 1 cz -C "$A" load household "$WORK/esc.csv"
printf 'number,village,head\nH-4,%s,\xe2\x80\xae反\n' $V > "$WORK/bidi.csv"
expect "load refuses a bidi override" 1 cz -C "$A" load household "$WORK/bidi.csv"
out=""
for c in "show $H" "show $H --history" "list household" "find 王" "show $H --json" "list household --json" "status --json" "verify"; do
    out+=$(cz -C "$A" $c 2>&1)
done
case "$out" in *$'\e'*) fail "no ESC in any output" ;; *) pass "no ESC in any output" ;; esac
case "$out" in *$'\xe2\x80\xae'*) fail "no bidi override in any output" ;; *) pass "no bidi override in any output" ;; esac
expect "only the plain household is stored" 0 cz -C "$A" list household --json
lacks "no H-2" "$OUT" "H-2"
expect "station verifies" 0 cz -C "$A" verify
finish
