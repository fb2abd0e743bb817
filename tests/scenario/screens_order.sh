#!/usr/bin/env bash
# What a person expects to read, in Chinese and in English (tmux, 80x24):
# the village of a household form by its name beside the code (the code
# still what is typed and stored; an unknown code said to be one); the
# exits overview by village, household number and head; the Users screen
# pending first, then by jurisdiction, people by role and pinyin; a form
# for a record not saved yet offers no delete.  The whole screens are in
# screens_golden.sh; these say what each is for, and hold the order with
# more rows than the demo's (two rows in a random order pass half the
# time).
. "$(dirname "$0")/lib.bash"
. "$(dirname "$0")/tmux.bash"

"$CUNZHAN" -C "$WORK/demo" demo >/dev/null 2>&1 || fail "demo data"
O=$WORK/demo/office Y=$WORK/demo/yangshuwan N=$WORK/demo/nanzhai

# More exit assessments, in both counties, and a person added at the
# village (pending at the office); all at the office after a sync.
for h in YSW-2016-02 YSW-2016-05; do
    cz -C "$Y" add exit household=$h year=2018 income_per_capita=5000 food=yes clothing=yes schooling=yes \
        medical=yes housing=yes >/dev/null || fail "an assessment of $h"
done
cz -C "$N" add exit household=NZ-2016-01 year=2018 income_per_capita=5000 food=yes clothing=yes schooling=yes \
    medical=yes housing=yes >/dev/null || fail "an assessment at 南寨村"
CUNZHAN_NEW_PASSPHRASE=$CUNZHAN_PASSPHRASE cz -C "$Y" user add 吴会计 --role clerk >/dev/null 2>&1 ||
    fail "a person added at the village"
for s in "$Y" "$N"; do
    rm -rf "$WORK/stick"
    { cz -C "$s" export --to "$WORK/stick" && cz -C "$O" import "$WORK/stick"; } >/dev/null || fail "$s synced"
done
# A supervisor revoked at the office: listed after every key in force.
cz -C "$O" --json enrol >"$WORK/keys.json" || fail "the keys at the office"
YZ=$(jq -r '.[] | select(.name == "禹州审核员") | .key' "$WORK/keys.json" | cut -c1-16)
cz -C "$O" --user 张主任 revoke "$YZ" >/dev/null 2>&1 || fail "禹州审核员 revoked"
head_of() { cz -C "$Y" find "$1" | awk '{ print $5 }'; }
H1=$(head_of YSW-2016-01) H2=$(head_of YSW-2016-02) H5=$(head_of YSW-2016-05) H7=$(head_of YSW-2016-07)
NZ=$(cz -C "$N" find NZ-2016-01 | awk '{ print $5 }')

# in_order TEXT...: each TEXT on screen, each on a row below the one before.
in_order() {
    local prev=0 row t
    for t in "$@"; do
        row=$(printf '%s\n' "$SCREEN" | grep -n -F -- "$t" | head -1 | cut -d: -f1)
        [ -n "$row" ] && [ "$row" -gt "$prev" ] || return 1
        prev=$row
    done
}
ordered() {
    local name=$1
    shift
    if await 10 in_order "$@"; then pass "$name"; else fail "$name: not in the order $*" "$SCREEN"; fi
}

# focus_on LABEL: Tab until the form's cursor is on the row of LABEL, each
# Tab waited for until the cursor moves.
cursor_row() { echo $(($($TM display -p '#{cursor_y}' 2>/dev/null) + 1)); }
label_row() { printf '%s\n' "$SCREEN" | grep -n -F -- "$1" | head -1 | cut -d: -f1; }
cursor_moved() { [ "$(cursor_row)" != "$1" ]; }
on_label() { [ "$(cursor_row)" = "$(label_row "$1")" ]; }
focus_on() {
    local i cur
    for i in $(seq 1 12); do
        await 2 on_label "$1" && return 0
        cur=$(cursor_row)
        keys Tab
        await 2 cursor_moved "$cur" || true
    done
    fail "$L: no field '$1' reached" "$SCREEN"
    return 1
}

for L in zh en; do

    # ---- the village by name in a household's form ----
    startat "$Y" --lang $L --user 李会计
    ready
    menu_open "Add a household" "新增贫困户"
    on_line "$L: the station's village by name beside its code" \
        "^ $(lab Village 所在村)\* +411024104201 +杨树湾村\$"
    see "$L: the new form's footer" "$(lab "F2 Save" "F2 保存")"
    lacks "$L: a new record's form offers no delete" "$SCREEN" F8
    # F8 there does nothing, and says why.
    keys F8
    see "$L: F8 on a new record says there is nothing to delete" \
        "$(lab "A new record is not stored yet" "新记录尚未保存")"
    focus_on "$(lab Village 所在村)"
    keys C-u
    text 411024104299
    on_line "$L: an unknown code is said to be one" \
        "^ $(lab Village 所在村)\* +411024104299 +$(lab '\(no place here has this code\)' '（本站没有这个代码的地方）')\$"
    keys BSpace BSpace
    on_line "$L: a code cut short says how long one is" \
        "4110241042 +$(lab '\(a code is 2, 4, 6, 9 or 12 digits\)' '（代码应为 2、4、6、9 或 12 位数字）')\$"
    text 01
    on_line "$L: the village named again" "411024104201 +杨树湾村\$"
    keys BTab
    text "YSW-O-$L"
    keys Tab Tab
    text 顺序户
    keys F2
    see "$L: the household saved" "$(lab "Household: 顺序户" "贫困户: 顺序户")"
    keys F10
    see "$L: quits after saving" "EXIT=0"
    equals "$L: the code is what was stored" \
        "$(cz -C "$Y" --json show "$(cz -C "$Y" find "YSW-O-$L" | cut -c1-12)" | jq -r .fields.village)" 411024104201
    # An edit form still offers delete.
    startat "$Y" --lang $L --user 李会计
    ready
    menu_open "Households: list and find" "贫困户：列表与查找"
    see "$L: the list" YSW-2016-01
    text "YSW-O-$L"
    keys Enter
    see "$L: the page" "$(lab "Household: 顺序户" "贫困户: 顺序户")"
    keys F5
    see "$L: an edit form offers delete" "$(lab "F8 Delete" "F8 删除")"
    on_line "$L: ... with the village by name" "^ $(lab Village 所在村)\* +411024104201 +杨树湾村\$"
    keys Escape F10
    see "$L: quits the edit form" "EXIT=0"

    # ---- the exits overview: by village, then household number ----
    startat "$O" --lang $L --user 张主任
    ready
    menu_open "Exit approvals" "退出审批"
    keys C-v
    see "$L: every assessment" "$(lab "All exit assessments" "辖区内全部退出评估")"
    ordered "$L: assessments by village, then household number" " $H1 " " $H2 " " $H5 " " $H7 " " $NZ "
    keys F10

    # ---- the Users screen: pending, then by jurisdiction ----
    startat "$O" --lang $L --user 张主任
    ready
    menu_open "Users and enrolment" "用户与认证"
    ordered "$L: users pending first, then city, county, township, village, then the revoked" \
        吴会计@ 张主任@ 许昌市科协@ 陈科长@ 王县长@ 刘镇长@ 孙书记@ 李会计@ 杨树湾村@ 钱书记@ 南寨村@ 禹州审核员@
    on_line "$L: the heading over the rows' columns" "^$(lab "Name@station" "姓名@站点") +$(lab Kind 类别) "
    keys F10
    see "$L: quits the users" "EXIT=0"
done

equals "every screen fits 80 columns" "$WIDE" 0
finish
