#!/usr/bin/env bash
# A household's page and the lists, as a clerk reads them at 80x24: the
# trainings a household attended (named by number or by record id), the
# members head first, long notes wrapped and long cells ending in "…", the
# village by name, a position indicator that never passes the total, help
# for the screen it was asked on (scrolled by PgDn/PgUp), and Home/PgUp,
# End/PgDn on the home menu.  The real binary in tmux, in Chinese and in
# English, on the demo station with households added on the command line.
. "$(dirname "$0")/lib.bash"
. "$(dirname "$0")/tmux.bash"

cz -C "$WORK/demo" demo >/dev/null 2>&1 || fail "demo data"
ST=$WORK/demo/yangshuwan
V=411024104201
NOTES="这户人家住在山坡上，房屋是二十年前盖的土坯房，去年雨季后墙体开裂，已申请危房改造补助，等待乡里审批；家中老人常年服药，每月药费三百元左右。备注完"
TOPIC="辣椒病虫害综合防治与绿色高产栽培技术培训暨农村电子商务推广现场会议"

# 王小花's household: the head added last, so entity order alone would not
# put her first; notes longer than a row.
H=$(cz -C "$ST" add household number=YSW-2019-01 village=$V head=王小花 notes="$NOTES") || fail "add household"
for m in 王小明:child 王小红:child 王小军:child 王母:parent 王小花:head; do
    cz -C "$ST" add member household="$H" name="${m%%:*}" relation="${m#*:}" >/dev/null || fail "add member $m"
done
# 赵大's household: no relation typed; the member named as the head leads.
H2=$(cz -C "$ST" add household number=YSW-2019-02 village=$V head=赵大) || fail "add household 2"
for m in 赵二 赵三 赵大; do
    cz -C "$ST" add member household="$H2" name="$m" >/dev/null || fail "add member $m"
done
# 钱多's household: nothing on its page to choose (no members, no other
# records), and a history longer than the screen.
H3=$(cz -C "$ST" add household number=YSW-2019-03 village=$V head=钱多 notes="$NOTES") || fail "add household 3"
for p in 13900000001 13900000002 13900000003 13900000004; do
    cz -C "$ST" edit "$H3" phone=$p >/dev/null || fail "edit phone $p"
done
# Two trainings: one names the household by number, one by record id.
cz -C "$ST" add training date=2019-03-15 topic="$TOPIC" households=YSW-2019-01 village=$V >/dev/null ||
    fail "add training by number"
cz -C "$ST" add training date=2019-05-20 topic=养鸡技术 households="$H" village=$V >/dev/null ||
    fail "add training by id"
# 40 households more, two heads, for a list longer than a page.
{
    echo "number,village,head"
    for i in $(seq 10 49); do
        if [ $((i % 2)) = 0 ]; then h=张三丰; else h=张三; fi
        printf 'Z-%04d,%s,%s\n' "$i" "$V" "$h"
    done
} >"$WORK/many.csv"
expect "load 40 households" 0 cz -C "$ST" load household "$WORK/many.csv"

# members_head_first NAME HEAD: the first row after the members' heading
# names HEAD.
members_head_first() {
    local first
    first=$(printf '%s\n' "$SCREEN" | grep -A1 -E "$3" | sed -n 2p)
    case "$first" in *"$2"*) pass "$1" ;; *) fail "$1: first member row '$first'" "$SCREEN" ;; esac
}
# position_ok NAME: the " i/n " indicator shows i <= n.
position_ok() {
    local pos
    pos=$(printf '%s\n' "$SCREEN" | grep -oE ' [0-9]+/[0-9]+ *$' | tail -1)
    if [ -z "$pos" ]; then fail "$1: no position shown" "$SCREEN"; return; fi
    local i=${pos%/*} n=${pos#*/}
    i=${i// /}; n=${n// /}
    if [ "$i" -le "$n" ] && [ "$i" -ge 1 ]; then pass "$1 ($i/$n)"; else fail "$1: $i/$n" "$SCREEN"; fi
}
# cursor_on NAME LABEL: the home menu's selection (the cursor's row) is on
# the row showing LABEL alone.
cursor_on() {
    local want cur tries=0
    # The key may still be on its way: look again for a few seconds.
    while :; do
        capture
        want=$(printf '%s\n' "$SCREEN" | grep -n -E -- "^ +$2 *\$" | head -1 | cut -d: -f1)
        cur=$($TM display -p '#{cursor_y}')
        if [ -n "$want" ] && [ "$((want - 1))" = "$cur" ]; then pass "$1"; return 0; fi
        tries=$((tries + 1))
        [ "$tries" -ge 50 ] && break
        sleep 0.1
    done
    fail "$1: cursor on row $cur, '$2' on row $want" "$SCREEN"
}

# ---- the household page, in Chinese ----
start --lang zh
ready
keys Enter
see "zh: the list" "找到"
on_line "zh: the list shows the village by name" "YSW-2016-01 .*杨树湾村"
text "王小花"
see "zh: found" "YSW-2019-01"
keys Enter
see "zh: the household page" "贫困户: 王小花"
see "zh: the village by name, with its code" "杨树湾村 (411024104201)"
members_head_first "zh: the head first among the members" "王小花" "家庭成员"
see "zh: long notes wrap: their start" "这户人家住在山坡上"
see "zh: long notes wrap: their end on screen" "备注完"
see "zh: the field names in Chinese" "户编号"
keys F9
see "F9 on the page: the field names in English" "Household number"
lacks "F9 on the page: no Chinese field name left" "$SCREEN" "户编号"
see "F9 on the page: the members' heading in English" "Members"
keys F9
see "F9 again: the field names back in Chinese" "户编号"
scroll_to "zh: the trainings attended" "参加的培训"
scroll_to "zh: the training named by record id" "养鸡技术"
scroll_to "zh: the training named by number, with its date" "2019-03-15"
on_line "zh: the long topic ends in … at the edge" "辣椒病虫害.*…"
keys End
capture
position_ok "zh: at the last row the position stays within the total"
keys F1
see "zh: help says what the page is for" "一户的详情"
see "zh: ... wrapped, not cut" "每个签名版本"
see "zh: help tells of the yearly records" "年度记录（收入及贫困户属性、生产生活条件）"
see "zh: ... and how to add one" "选“年度收入”或“生产生活条件”"
see "zh: help lists this page's keys" "本页按键"
capture
first_help=$(row 4)
keys PgDn
await 5 lacks_text "$first_help" && pass "zh: PgDn scrolls the help" || fail "zh: PgDn did not scroll the help" "$SCREEN"
keys PgUp
see "zh: PgUp scrolls back" "$first_help"
keys Escape Escape
await 10 has_text "查找"
keys C-u
text "赵大"
query_on "zh: 赵大 typed" "赵大"
see "zh: found 赵大" "YSW-2019-02"
keys Enter
see "zh: 赵大's page" "贫困户: 赵大"
members_head_first "zh: with no relation typed, the member named as head leads" "赵大" "家庭成员"

# ---- a page with nothing to choose: the position never passes the total ----
keys Escape
await 10 has_text "查找"
keys C-u
text "钱多"
see "zh: found 钱多" "YSW-2019-03"
keys Enter
see "zh: 钱多's page" "贫困户: 钱多"
capture
position_ok "zh: a page with no row to choose, at the start"
keys End
capture
position_ok "zh: a page with no row to choose, at the end"
keys Up Up
capture
position_ok "zh: a page with no row to choose, moved up"
keys Escape
await 10 has_text "查找"
keys C-u
text "张三"
see "zh: 40 households found" "找到 40 条"
keys End
capture
position_ok "zh: list at the last row"
on_line "zh: ... which is 40/40" " 40/40 *$"
text "丰"
see "zh: narrowed to 20" "找到 20 条"
capture
position_ok "zh: after a filter"
keys End
capture
position_ok "zh: after a filter, at the last row"
on_line "zh: ... which is 20/20" " 20/20 *$"

# ---- the trainings list: a cut topic ends in …; households counted ----
cz -C "$ST" add training date=2019-06-01 topic=三户培训 village=$V \
    households=YSW-2019-01,YSW-2019-02,YSW-2019-03 >/dev/null || fail "add a training of three households"
start --lang zh
ready
menu_open "Trainings" "培训"
see "zh: trainings" "培训："
on_line "zh: a long topic in the list ends in …" "辣椒病虫害.*… "
on_line "zh: three households attended" "三户培训 .* 3 *$"
on_line "zh: one household attended" "养鸡技术 .* 1 *$"

# ---- the report's region by name ----
keys Escape
ready
menu_open "Reports: figures and charts" "统计报表与图表"
see "zh: the report" "统计报表"
keys F3
see "zh: asks for a region" "地区代码"
text "$V"; keys Enter
see "zh: the report's region by name, with its code" "地区 $V 杨树湾村"

# ---- help on the home screen and the home menu's Home/End ----
start --lang zh
ready
keys F1
see "zh: home help says what home is for" "本站概况"
case "$SCREEN" in *一户的详情*) fail "zh: home help is not the household's" "$SCREEN" ;; *) pass "zh: help differs by screen" ;; esac
keys Escape
gone "zh: help closed" "全部按键"
keys End
cursor_on "zh: End goes to the last menu row" "退出"
keys Home
cursor_on "zh: Home goes to the first menu row" "贫困户：列表与查找"
keys PgDn
cursor_on "zh: PgDn goes to the last menu row" "退出"
keys PgUp
cursor_on "zh: PgUp goes to the first menu row" "贫困户：列表与查找"

# ---- English ----
start --lang en
ready
keys End
cursor_on "en: End goes to the last menu row" "Quit"
keys PgUp
cursor_on "en: PgUp goes to the first menu row" "Households: list and find"
keys F1
see "en: home help says what home is for" "The station at a glance"
keys Escape
ready
keys Enter
see "en: the list" "found"
text "王小花"
see "en: found" "YSW-2019-01"
keys Enter
see "en: the household page" "Household: 王小花"
see "en: the village by name, with its code" "杨树湾村 (411024104201)"
members_head_first "en: the head first among the members" "王小花" "Members"
see "en: long notes wrap: their end on screen" "备注完"
scroll_to "en: the trainings attended" "Trainings attended"
scroll_to "en: the training named by number" "2019-03-15"
on_line "en: the long topic ends in …" "辣椒病虫害.*…"
keys F1
see "en: help says what the page is for" "One household: its fields"
see "en: ... wrapped at a space, not cut" " attended and every signed version; its card for the wall printed as a PDF."
see "en: help lists this page's keys" "Keys on this screen"
see "en: help tells of the yearly records" "Its yearly records (income with the household attribute"
see "en: ... and how to add one" "to add a year's, press F4, choose Yearly"
capture
first_help=$(row 4)
keys PgDn
await 5 lacks_text "$first_help" && pass "en: PgDn scrolls the help" || fail "en: PgDn did not scroll the help" "$SCREEN"

[ "$WIDE" = 0 ] && pass "every screen fit 80 columns" || fail "$WIDE screens wider than 80 columns"
finish
