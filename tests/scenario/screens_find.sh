#!/usr/bin/env bash
# Find and order the way Chinese users expect, on screen (tmux 80x24) in
# English and in Chinese: F7's head's-name order is pinyin (陈 郭 何 李 刘
# 王 杨 张 赵, not the code point order 何 刘 张 李 杨 王 赵 郭 陈), and
# find takes pinyin initials, full pinyin, part of a household number in
# any case and part of a phone number (单 read as the surname Shan, not
# dan); what matches nothing finds nothing.
# The login list is in pinyin order too.
. "$(dirname "$0")/lib.bash"
. "$(dirname "$0")/tmux.bash"

"$CUNZHAN" -C "$WORK/demo" demo >/dev/null 2>&1 || fail "demo data"
ST=$WORK/demo/yangshuwan

# The demo's heads, one per surname of the list above.
PINYIN=(陈春花 郭建设 何秋菊 李秀兰 刘长海 王德明 杨树林 张玉珍 赵福生)

# in_pinyin_order NAME: the list's rows 4.. hold the heads in that order.
rows_in_order() {
    local i
    for i in "${!PINYIN[@]}"; do row_has $((4 + i)) "${PINYIN[$i]}" || return 1; done
}
in_pinyin_order() { wait_check "$1" "heads not in pinyin order" 10 rows_in_order; }

# ---- the order, in both languages ----
for lang in en zh; do
    start --lang $lang
    ready
    keys Enter
    if [ $lang = en ]; then see "$lang: list by number" "Sorted by household number"
    else see "$lang: list by number" "排序： 户编号"; fi
    keys F7
    if [ $lang = en ]; then see "$lang: F7 sorts by head's name" "Sorted by head's name"
    else see "$lang: F7 sorts by head's name" "排序： 户主姓名"; fi
    in_pinyin_order "$lang: heads in pinyin order, 陈 first, 赵 last"
    keys F10
    see "$lang: quits" "EXIT=0"
done

# ---- login: the people of this PC in pinyin order ----
# 李会计 (li) above 孙书记 (sun); their code points are the other way round.
line_of() { printf '%s\n' "$SCREEN" | grep -n -F -- "$1" | tail -1 | cut -d: -f1; }
li_above_sun() { local a b; a=$(line_of 李会计); b=$(line_of 孙书记); [ -n "$a" ] && [ -n "$b" ] && [ "$a" -lt "$b" ]; }
for lang in en zh; do
    ENVARGS="-u CUNZHAN_PASSPHRASE" start --lang $lang
    if [ $lang = en ]; then see "$lang login: the list" "People on this PC"; else see "$lang login: the list" "本机用户"; fi
    wait_check "$lang login: 李会计 listed above 孙书记" "not in pinyin order" 10 li_above_sun
    keys F10
    see "$lang login: quits" "EXIT=0"
done

# ---- the command line: list --sort ----
expect "list --sort name" 0 cz -C "$ST" list household --sort name
equals "list --sort name: heads in pinyin order" \
    "$(printf '%s\n' "$OUT" | grep -o -E "$(IFS='|'; echo "${PINYIN[*]}")" | tr '\n' ' ')" "${PINYIN[*]} "
expect "list --sort head --json: the same" 0 cz -C "$ST" --json list household --sort head
equals "list --sort head --json: heads in pinyin order" "$(printf '%s\n' "$OUT" | jq -r '.[].fields.head' | tr '\n' ' ')" \
    "${PINYIN[*]} "
expect "list --sort with no such field" 2 cz -C "$ST" list household --sort nosuchfield

# ---- find ----
expect "a household headed by 王秀英" 0 cz -C "$ST" add household number=YSW-2020-12 village=411024104201 \
    head=王秀英 phone=13712345678
expect "and one by 王秀兰 (wxl)" 0 cz -C "$ST" add household number=ysw-2020-13 village=411024104201 head=王秀兰
# 单 as a surname reads Shan (Han-Latin/Names), not dan.
expect "and one by 单雄信 (shan)" 0 cz -C "$ST" add household number=YSW-2020-14 village=411024104201 head=单雄信

# find_shows LANG QUERY WANT [NOT]: typed into the list's find, WANT is
# listed (and NOT is not).
find_shows() {
    keys C-u
    text "$2"
    # the old query's rows stay until the new one is drawn: wait for the
    # query itself on the find line before reading the rows below it
    query_on "$1: '$2' typed" "$2"
    see "$1: '$2' finds $3" "$3"
    [ -n "${4:-}" ] && gone "$1: '$2' does not list $4" "$4"
    return 0
}
for lang in en zh; do
    start --lang $lang
    ready
    keys Enter
    if [ $lang = en ]; then see "$lang: the list" "Sorted by"; else see "$lang: the list" "排序："; fi
    find_shows $lang wxy 王秀英 王秀兰
    # and the demo's member 王小雨, wxy too
    if [ $lang = en ]; then see "$lang: wxy: two found" "2 found"; else see "$lang: wxy: two found" "找到 2 条"; fi
    contains "$lang: wxy finds the member 王小雨" "$SCREEN" 王小雨
    find_shows $lang wangxiuying 王秀英 王秀兰
    find_shows $lang "Wang Xiuying" 王秀英 王秀兰
    find_shows $lang wangx 王秀兰
    contains "$lang: wangx finds 王秀英 too" "$SCREEN" 王秀英
    find_shows $lang 2020-1 王秀英 王德明
    contains "$lang: a part of the number in either case" "$SCREEN" 王秀兰
    find_shows $lang YSW-2020-13 王秀兰 王秀英
    find_shows $lang 5678 王秀英 王秀兰
    find_shows $lang shanxiong 单雄信
    find_shows $lang sxx 单雄信
    keys C-u
    text danxiong
    query_on "$lang: 'danxiong' typed" danxiong
    if [ $lang = en ]; then see "$lang: 单 is not read dan" "Nothing found"
    else see "$lang: 单 is not read dan" "没有找到"; fi
    keys C-u
    text wxz
    query_on "$lang: 'wxz' typed" wxz
    if [ $lang = en ]; then see "$lang: wxz finds nothing" "Nothing found"
    else see "$lang: wxz finds nothing" "没有找到"; fi
    lacks "$lang: wxz does not list 王秀英" "$SCREEN" 王秀英
    keys F10
    see "$lang: quits" "EXIT=0"
done

# ---- an index an older build made is rebuilt on opening, once, saying so ----
# Made with the 64-bit mdb_load, whose files a 32-bit LMDB cannot open: on
# the 32-bit build (make i386) test_find.c checks the rebuild instead.
if [ "$(od -An -tx1 -j4 -N1 "$CUNZHAN" | tr -d ' ')" = 01 ]; then
    pass "32-bit build: the rebuild of an old index is test_find.c's"
    [ "$WIDE" = 0 ] && pass "every screen fit 80 columns" || fail "$WIDE screens wider than 80 columns"
    finish
    exit
fi
# index_version 1 (what a store from before these terms reads as), put
# with lmdb-utils' mdb_load: the whole index is made again and the version
# noted.
old_index() {
    printf 'VERSION=3\nformat=print\ntype=btree\nHEADER=END\n index_version\n \\00\\00\\00\\00\\00\\00\\00\\01\nDATA=END\n' \
        >"$WORK/meta.txt"
    mdb_load -s meta -f "$WORK/meta.txt" "$ST/db" || fail "mdb_load"
}
old_index
expect "zh: an old index: find still works" 0 cz -C "$ST" --lang zh find wxy
contains "zh: and finds by pinyin" "$OUT" 王秀英
contains "zh: says the index is rebuilt" "$ERR" "正在为新版本重建查找索引"
expect "the next run" 0 cz -C "$ST" find wxy
lacks "says it once" "$ERR" "rebuilding"
old_index
expect "en: says the index is rebuilt" 0 cz -C "$ST" --lang en find 2020-1
contains "en: in English, before the work" "$ERR" "rebuilding the find index for this version"
contains "en: finds by part of a number" "$OUT" 王秀英
for lang in en zh; do
    old_index
    start --lang $lang
    if [ $lang = en ]; then see "$lang screens: say the index was rebuilt" "The find index was rebuilt"
    else see "$lang screens: say the index was rebuilt" "已为新版本重建查找索引"; fi
    keys F10
    see "$lang: quits" "EXIT=0"
done

finish
