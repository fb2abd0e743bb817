#!/usr/bin/env bash
# F9 switches the whole of an open screen (tmux, 80x24, as screens.sh):
# each screen is opened in one language, F9 pressed, and the pane compared
# line by line with the same screen opened in the other language from the
# start.  Anything drawn once at open and not again (a menu's rows, a
# page's field names, a form's labels) shows as the line that differs.
# Both ways: English to Chinese and Chinese to English.  And on every one
# the footer ends in Help and Quit, whole.
. "$(dirname "$0")/lib.bash"
. "$(dirname "$0")/tmux.bash"

"$CUNZHAN" -C "$WORK/demo" demo >/dev/null 2>&1 || fail "demo data"
ST=$WORK/demo/yangshuwan
# The day the forms take as today: fixed, so a default date is the same
# in both runs.
export CUNZHAN_TODAY=2018-12-20

# settled: the pane (rows 1 to 22: not the message line, which says what
# F9 did, nor the footer's end) into $GOT once two captures in a row agree.
GOT=""
settled() {
    local before=$GOT
    capture
    GOT=$(printf '%s\n' "$SCREEN" | sed -n '1,22p' | sed -E 's/[[:space:]]+$//')
    [ -n "$before" ] && [ "$GOT" = "$before" ]
}
# snap: waits (10 s) for the screen to settle; its text in $GOT.
snap() {
    GOT=""
    sleep 0.3
    await 10 settled || fail "$WHAT: the screen never settled" "$SCREEN"
}
has_either() { has_text "$1" || has_text "$2"; }
# reach LANG: a fresh terminal in LANG, at the screen $WHAT names: the
# home menu row (English, Chinese labels), then the keys in $THEN.
reach() {
    startat "${AT:-$ST}" --lang "$1" ${AS:+--user "$AS"}
    ready
    if [ -n "$ROW_EN" ]; then menu_open "$ROW_EN" "$ROW_ZH"; fi
    await 10 has_either "$MARK_EN" "$MARK_ZH" || fail "$WHAT ($1): never came" "$SCREEN"
    for k in $THEN; do keys "$k"; sleep 0.3; done
}
# footer_whole LANG END: the footer (row 24) ends in Help and Quit, whole:
# a screen's keys that do not fit are left out, never cut at the edge.
# (One space between hints where that lets more show.)
footer_whole() {
    if row 24 | grep -Eq -- "$2 *\$"; then pass "$WHAT ($1): the footer ends in '$2'"
    else fail "$WHAT ($1): the footer does not end in '$2'" "$(row 24)"; fi
}
# sweep: the screen opened in each language, then F9, against the other.
sweep() {
    local zh en
    reach zh; snap; zh=$GOT
    footer_whole "zh" "F1 帮助 +F10 退出"
    keys F10
    reach en; snap; en=$GOT
    footer_whole "en" "F1 Help +F10 Quit"
    keys F9
    await 10 has_text "$MARK_ZH" || true
    snap
    if [ "$GOT" = "$zh" ]; then pass "$WHAT: F9 from English is the Chinese screen"
    else fail "$WHAT: F9 from English differs from the Chinese screen" "$(diff <(echo "$zh") <(echo "$GOT"))"; fi
    keys F9
    await 10 has_text "$MARK_EN" || true
    snap
    if [ "$GOT" = "$en" ]; then pass "$WHAT: F9 again is the English screen"
    else fail "$WHAT: F9 again differs from the English screen" "$(diff <(echo "$en") <(echo "$GOT"))"; fi
    keys F10
    reach zh; keys F9
    await 10 has_text "$MARK_EN" || true
    snap
    if [ "$GOT" = "$en" ]; then pass "$WHAT: F9 from Chinese is the English screen"
    else fail "$WHAT: F9 from Chinese differs from the English screen" "$(diff <(echo "$en") <(echo "$GOT"))"; fi
    keys F10
}
# screen WHAT ROW_EN ROW_ZH MARK_EN MARK_ZH [KEYS...]
screen() {
    WHAT=$1 ROW_EN=$2 ROW_ZH=$3 MARK_EN=$4 MARK_ZH=$5
    shift 5
    THEN="$*"
    sweep
}

screen "home" "" "" "Households: list and find" "贫困户：列表与查找"
screen "households" "Households: list and find" "贫困户：列表与查找" "found" "找到"
screen "household page" "Households: list and find" "贫困户：列表与查找" "found" "找到" Enter
screen "household form" "Add a household" "新增贫困户" "New Household" "新增贫困户"
screen "trainings" "Trainings" "培训" "Trainings:" "培训："
screen "new record kinds" "Add another kind of record" "新增其他记录" "which kind" "选择类别"
screen "aid form" "Add another kind of record" "新增其他记录" "which kind" "选择类别" Down Down Down Enter
screen "verify" "Verify signatures" "验证签名" "Verify:" "验证："
screen "sync" "Sync: export and import" "同步：用U盘" "Sync: exchange bundles" "同步：用U盘交换数据包"
screen "conflicts" "Conflicts: choose" "冲突：在不同取值间选定" "Conflicts:" "冲突："
screen "reports" "Reports: figures" "统计报表" "Report" "统计报表"
screen "exits" "Exit approvals" "退出审批" "xit" "退出"
screen "exits, all" "Exit approvals" "退出审批" "xit" "退出" C-v
screen "settings" "Settings" "设置" "Settings" "设置"
screen "help" "" "" "Households: list and find" "贫困户：列表与查找" F1
screen "household edit form" "Households: list and find" "贫困户：列表与查找" "found" "找到" Enter F5

# A conflict to resolve: the station and the office change one phone.
O=$WORK/demo/office C=$WORK/cstick
H=$(cz -C "$ST" find YSW-2016-03 | cut -c1-12)
sync_both "$ST" "$O" "$C"
cz -C "$ST" edit "$H" phone=13600000002 >/dev/null || fail "the station's phone"
cz -C "$O" edit "$H" phone=13600000003 >/dev/null || fail "the office's phone"
sync_both "$ST" "$O" "$C"
screen "conflicts, one" "Conflicts: choose" "冲突：在不同取值间选定" "赵福生" "赵福生"
screen "resolve" "Conflicts: choose" "冲突：在不同取值间选定" "赵福生" "赵福生" Enter

# The office's own screens.
AT=$O AS=张主任
screen "office home" "" "" "Households: list and find" "贫困户：列表与查找"
screen "users" "Users and enrolment" "用户与认证" "Users" "用户"
AT="" AS=""

[ "$WIDE" = 0 ] && pass "every screen fits 80 columns" || fail "$WIDE screens wider than 80 columns"
finish
