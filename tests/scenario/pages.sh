#!/usr/bin/env bash
# The households screen with more households than a page (CZ_QUERY_PAGE,
# 200): the list and find load one page, say how many there are in all and
# that typing more narrows, list households in number order, and find still
# reaches every match by narrowing.  The real binary in tmux (80x24), on the
# demo station with 300 more households loaded from a CSV.
. "$(dirname "$0")/lib.bash"
. "$(dirname "$0")/tmux.bash"

"$CUNZHAN" -C "$WORK/demo" demo >/dev/null 2>&1 || fail "demo data"
ST=$WORK/demo/yangshuwan

# 300 households headed by 王秀英 (numbers A-0000 ... A-0299, before the
# demo's YSW-...), one of them 王秀英兰 (A-0150).
{
    echo "number,village,head"
    for i in $(seq 0 299); do
        if [ "$i" = 150 ]; then h=王秀英兰; else h=王秀英; fi
        printf 'A-%04d,411024104201,%s\n' "$i" "$h"
    done
} >"$WORK/many.csv"
expect "load 300 households" 0 "$CUNZHAN" -C "$ST" load household "$WORK/many.csv"

# fits NAME: no line of the screen is wider than 80 columns (by wc -L).
fits() {
    local w
    w=$(printf '%s\n' "$SCREEN" | wc -L)
    if [ "$w" -le 80 ]; then pass "$1"; else fail "$1: $w columns" "$SCREEN"; fi
}

start --lang en
see "home" "registered households"
keys Enter
see "list: a page of the 309, and how to narrow" "309 found, the first 200 shown: type more to narrow"
fits "list: the count line fits 80 columns"
see "list: in number order, the first number first" "A-0000"
case "$SCREEN" in *YSW-*) fail "list: the demo's YSW numbers come after the first page" "$SCREEN" ;; *) pass "list: numbers after the page are not loaded" ;; esac
text "秀英"
see "find: two characters count exactly" "300 found, the first 200 shown"
text "兰"
see "find: narrowing reaches the one household" "1 found"
see "find: ... which is A-0150" "A-0150"
keys C-u
keys BSpace BSpace BSpace
see "find: cleared, the list again" "309 found"

start --lang zh
keys Enter
see "zh: the count in Chinese" "找到 309 条，显示前 200 条"
capture
fits "zh: the count line fits 80 columns"

finish
