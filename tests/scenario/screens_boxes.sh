#!/usr/bin/env bash
# Screen tests for what the whole-screen goldens show only as text: dialog
# boxes whole over wide characters (boxcheck.c finds each corner and
# border), Chinese line breaking (no line starts with closing
# punctuation), messages too long for one row shown whole over two, a
# bundle's path shortened in its file name's middle, form labels cut with "…" and
# said whole when focused.  In Chinese and in English, at 80x24 in tmux.
. "$(dirname "$0")/lib.bash"
. "$(dirname "$0")/tmux.bash"

cc -o "$WORK/boxcheck" "$(dirname "$0")/boxcheck.c" || fail "build boxcheck"
"$CUNZHAN" -C "$WORK/demo" demo >/dev/null 2>&1 || fail "demo data"
O=$WORK/demo/office Y=$WORK/demo/yangshuwan
# The day the exit approvals are dated (the demo's story is 2018).
export CUNZHAN_TODAY=2018-12-20

# box_whole NAME: the dialog box on screen has its four corners and both
# borders on every row.
box_whole() {
    capture
    if printf '%s\n' "$SCREEN" | "$WORK/boxcheck" 80 >"$WORK/boxerr"; then pass "$1"
    else fail "$1" "$(cat "$WORK/boxerr")
$SCREEN"; fi
}
# msg_rows SEP: the message line and the row above it, trailing spaces
# dropped, joined by SEP (a space where English wrapped at one).
msg_rows() { printf '%s%s%s' "$(row 22 | sed 's/ *$//')" "$1" "$(row 23 | sed 's/ *$//')"; }
msg_has() { wait_check "$1" "no '$3' in the message rows" 10 msg_rows_have "$2" "$3"; }
msg_rows_have() { case "$(msg_rows "$1")" in *"$2"*) return 0 ;; esac; return 1; }
# A row that starts (after a box's border) with closing punctuation.
CLOSING='^ *(x )?[；，。、：！？）」』》]'

for L in zh en; do
    sep=$([ $L = en ] && echo " " || echo "")
    # ---- exits: a refusal of two sentences, a notice refused in a box ----
    startat "$O" --lang $L --user 王县长
    ready
    menu_open "Exit approvals" "退出审批"
    see "$L: exits listed" 杨树林
    keys Enter
    msg_has "$L: the refusal whole, its sentences apart" "$sep" \
        "$(lab "from when it is signed. Nothing was stored." "相差超过一天。没有保存任何内容。")"
    keys C-v
    see "$L: all exits" "$(lab "All exit assessments in your jurisdiction" "辖区内全部退出评估")"
    keys C-p
    see "$L: no notice to print, in a box" "$(lab "Not printed" "没有打印")"
    box_whole "$L: the refusal's box is whole"
    has_line "$CLOSING" && fail "$L: a wrapped line starts with closing punctuation" "$SCREEN" ||
        pass "$L: no wrapped line starts with closing punctuation"
    keys Enter F10
    see "$L: quits the exits" "EXIT=0"
    # ---- a prompt over Chinese text ----
    startat "$O" --lang $L --user 张主任
    ready
    menu_open "Settings: language" "设置：语言"
    select_row "$(lab "Change my passphrase" "修改我的口令")"
    keys Enter
    see "$L: asks the passphrase" "$(lab "Your current passphrase" "当前口令")"
    box_whole "$L: the passphrase box is whole over Chinese text"
    keys Escape F10
    see "$L: quits the settings" "EXIT=0"
done

# focus_on LABEL: Tab until the form's focus (the cursor) is on the row of
# LABEL, each Tab waited for until the cursor or the screen moves.
cursor_row() { echo $(($($TM display -p '#{cursor_y}' 2>/dev/null) + 1)); }
moved() { [ "$(cursor_row)" != "$1" ] || [ "$SCREEN" != "$2" ]; }
focus_on() {
    local i row cur pane
    for i in $(seq 1 40); do
        pane=$($TM capture-pane -p 2>/dev/null)
        row=$(printf '%s\n' "$pane" | grep -n -F -- "$1" | head -1 | cut -d: -f1)
        cur=$(cursor_row)
        [ -n "$row" ] && [ "$row" = "$cur" ] && return 0
        keys Tab
        await 2 moved "$cur" "$pane" || true
    done
    fail "$L: no field '$1' reached" "$pane"
    return 1
}

STICK=$WORK/stick
mkdir -p "$STICK"
for L in zh en; do
    sep=$([ $L = en ] && echo " " || echo "")
    # ---- a label wider than its third of the screen ----
    startat "$Y" --lang $L
    ready
    menu_open "Households: list and find" "贫困户：列表与查找"
    text YSW-2016-01
    see "$L: the household found" "$(lab "1 found" "找到 1")"
    keys Enter
    see "$L: its page" "$(lab "Household: " "贫困户: ")"
    keys F4
    see "$L: what to add" "$(lab "Yearly income" "年度收入")"
    select_row "$(lab "Yearly income" "年度收入")"
    keys Enter
    cut=$(lab "Minimum living allowance…" "低保金(元)")
    whole=$(lab "Minimum living allowance (yuan)" "低保金(元)")
    see "$L: the income form" "$cut"
    if [ $L = en ]; then
        lacks "$L: no label cut without its mark" "$SCREEN" "Minimum living allowance "
        focus_on "$cut"
        msg_has "$L: focused, the whole label on the message line" "$sep" "$whole"
    fi
    keys Escape
    await 2 has_text "$(lab "Leave without saving?" "不保存就离开吗？")" && keys Enter
    see "$L: back on the page" "$(lab "Members" "家庭成员")"
    keys F4
    select_row "$(lab "Member" "家庭成员")"
    keys Enter
    cut=$(lab "Serious-illness insurance" "是否参加城乡居民基本医疗…")
    whole=$(lab "Serious-illness insurance" "是否参加城乡居民基本医疗保险")
    scroll_to "$L: the member form's last fields" "$cut"
    if [ $L = zh ]; then
        lacks "$L: no label cut without its mark" "$SCREEN" "基本医疗保 "
        focus_on "$cut"
        msg_has "$L: focused, the whole label on the message line" "$sep" "$whole"
    fi
    keys Escape
    await 2 has_text "$(lab "Leave without saving?" "不保存就离开吗？")" && keys Enter
    # ---- a record changed while its form was open: the whole refusal ----
    keys F5
    see "$L: the household's form" "$(lab "Edit Household" "修改 贫困户")"
    cz -C "$Y" edit "$(cz -C "$Y" find YSW-2016-01 | cut -c1-12)" phone=1390000$((RANDOM % 9000 + 1000)) >/dev/null ||
        fail "$L: the edit meanwhile"
    focus_on "$(lab "Address" "住址")"
    text 二号
    see "$L: typed" 二号
    keys F2
    msg_has "$L: the refusal whole" "$sep" "$(lab "Its new values are shown; save again to sign." "现在显示新的内容；确认后再次保存即可签名。")"
    keys Escape
    await 2 has_text "$(lab "Leave without saving?" "不保存就离开吗？")" && keys Enter
    keys F10
    see "$L: quits the form" "EXIT=0"
    # ---- a bundle's path, shortened in its middle ----
    rm -rf "$STICK"/cunzhan
    cz -C "$Y" add household number=YSW-BX-$L village=411024104201 head=框测试 >/dev/null || fail "$L: a household to send"
    startat "$Y" --lang $L
    open_sync
    choose_folder "$STICK"
    see "$L: the folder is chosen" "$STICK"
    keys Enter
    see "$L: exported" "$(lab "Files written: 1" "写入文件 1 个")"
    name=$(basename "$(ls "$STICK"/cunzhan/*/*/* | head -1)")
    on_line "$L: the folders whole, the file's name shortened in its middle" \
        "-> cunzhan/[0-9a-f]{16}/[0-9a-f]{16}/${name:0:16}…\\.czb\$"
    keys F10
    see "$L: quits the sync" "EXIT=0"
done
finish
