#!/usr/bin/env bash
# Form kit screen tests, second part (tmux, 80x24, TERM=xterm, C.UTF-8):
# F9 redraws an open form in the other language; a letter typed in a
# choice moves to the next value it begins; clearing a field is said, an
# empty choice shows as "-" with a note, and a required one is refused at
# save by name; a field's message goes once its value changes; a refused
# value is shown under its label with no field key; keymap problems and
# footers with no English leaking into Chinese (or a key said twice).
. "$(dirname "$0")/lib.bash"
. "$(dirname "$0")/tmux.bash"

"$CUNZHAN" -C "$WORK/demo" demo >/dev/null 2>&1 || fail "demo data"
ST=$WORK/demo/yangshuwan

# The Chinese household page of YSW-2016-04, from the home screen.
open_household_zh() {
    see "$1: home" "建档立卡贫困户"
    keys Enter
    see "$1: households list" "YSW-2016-09"
    text "YSW-2016-04"
    see "$1: found by number" "陈春花"
    keys Enter
    see "$1: household page" "其他记录"
}

# ---- an aid form in Chinese: letters, clearing, required, F9 ----
start --lang zh
open_household_zh aid
keys F4
see "add pick-list" "为本户新增"
keys Down Down Enter
see "aid form in Chinese" "新增帮扶措施"
on_line "an empty choice shows as a choice, with a note" "类别\* +-（未选择）"
text "p"
on_line "a letter picks the first value whose key or label begins with it (pesticide)" "类别\* +农药"
text "p"
on_line "... the same letter again: the next one (Plastic mulch)" "类别\* +地膜"
text "p"
on_line "... and round to the first" "类别\* +农药"
text "q"
on_line "a letter no value begins with changes nothing" "类别\* +农药"
text "g"
on_line "the next value beginning with the letter (Gift)" "类别\* +慰问品"
text "种"
on_line "a Chinese character picks the label it begins (种子)" "类别\* +种子"
text "O"
on_line "upper case finds the key (other)" "类别\* +其他"
keys C-u
see "Ctrl-U says what it cleared, by the field's Chinese label" "已清空：类别"
on_line "... and the field shows '-' with its note" "类别\* +-（未选择）"
keys C-u
see "Ctrl-U on an empty field says so" "类别 本来就是空的"
keys F2
see "save refused" "未保存"
see "a required choice left empty is refused by name" "必填：请选择类别"
text "s"
gone "the message goes once the value changes" "必填：请选择类别"
on_line "seeds chosen" "类别\* +种子"
keys BSpace
see "Backspace on a choice empties it and says so" "已清空：类别"
text "j"
keys Tab Tab Tab Tab Tab
on_line "date field: its template in Chinese" "日期 +年份-月-日"
lacks "date field: no YYYY-MM-DD on the Chinese form" "$SCREEN" "YYYY"
text "20181345"; keys Tab
see "a bad date is refused under the field, in Chinese" "必须是日期"
lacks "the date's message names no field key" "$SCREEN" "date"
lacks "... and no '字段 KEY'" "$SCREEN" "字段 "
keys BTab BSpace
gone "the date's message goes as soon as the date is edited" "必须是日期"
keys C-u
see "Ctrl-U on a date says so" "已清空：日期"
on_line "the empty date's template in Chinese again" "日期 +年份-月-日"
text "2018"
on_line "the year typed over the template's year" "日期 +2018-月-日"
text "1"
on_line "a month's digit over half of 月: a space, 日 kept" "日期 +2018-1 -日"
text "105"; keys Tab
keys F9
see "F9: the title in English" "New Aid"
on_line "F9: the labels in English" "Kind\* +Job"
on_line "F9: the date label in English" "Date +2018-11-05"
lacks "F9: no Chinese label left on the form" "$SCREEN" "类别"
lacks "F9: no Chinese message left" "$SCREEN" "已清空"
keys BTab C-u
see "Ctrl-U said in English" "Cleared: Date"
on_line "F9: the empty date shows its template" "Date +YYYY-MM-DD"
keys BTab BTab BTab BTab BTab C-u
see "English: the field cleared by its English label" "Cleared: Kind"
on_line "English: '-' with a note" "Kind\* +-  \(none chosen\)"
keys F2
see "English: the required choice refused by name" "required: choose a Kind"
keys F9
see "F9 back: the title in Chinese" "新增帮扶措施"
see "F9 back: the error under the field in Chinese" "必填：请选择类别"
lacks "F9 back: no English message left" "$SCREEN" "required"
on_line "F9 back: the cleared date's template in Chinese" "日期 +年份-月-日"
text "s"
keys Tab Tab Tab Tab Tab
text "t"
keys F2
see "aid signed and saved" "已签名保存"

# ---- an exit assessment: 不愁吃 left empty is seen empty ----
keys F10
see "quits after the aid" "EXIT=0"
start --lang zh
open_household_zh exit
keys F4
see "add pick-list again" "为本户新增"
keys End Enter
await 3 has_text "未保存的表单" && keys Escape
see "exit assessment form" "新增贫困户退出"
on_line "不愁吃 empty shows as '-' with a note" "不愁吃 +-（未选择）"
keys Tab Tab
text "是"
on_line "a Chinese label's first character picks it" "不愁吃 +是"
text "n"
on_line "an English key's letter too" "不愁吃 +否"
keys C-u
see "Ctrl-U on 不愁吃 is said" "已清空：不愁吃"
on_line "... and 不愁吃 shows '-'" "不愁吃 +-（未选择）"
keys Escape
gone "nothing changed: the form leaves without asking" "新增贫困户退出"

# ---- a refused ID number: the Chinese label, not the key ----
keys F10
see "quits after the exit form" "EXIT=0"
start --lang zh
open_household_zh member
keys F4
see "add pick-list for a member" "为本户新增"
keys Home Enter
see "member form" "新增家庭成员"
keys Tab
text "41102419800101001X"
keys Tab
on_line "a bad ID number is refused under its field" "身份证号 +41102419800101001X"
see "... with the check digit's message" "校验位不对"
lacks "no field key in the Chinese message" "$SCREEN" "id_number"
lacks "no '字段 KEY'" "$SCREEN" "字段 "
keys Escape
see "leaving the member form asks" "不保存就离开吗"
keys Enter
gone "member form left" "新增家庭成员"
keys F10
see "quits after the member form" "EXIT=0"

# ---- footers: a key named for what it does is said once ----
start --lang zh
ready
menu_open "Reports: figures" "统计报表与图表"
see "reports in Chinese" "PgDn 下页"
keys F9
see "reports in English" "Find"
lacks "English footer: PgDn said once" "$SCREEN" "PgDn PgDn"
lacks "English footer: PgUp said once" "$SCREEN" "PgUp PgUp"
contains "English footer: PgDn there" "$SCREEN" "PgDn  PgUp"
keys F10
see "quits" "EXIT=0"

# ---- keymap problems in the person's language ----
mkdir -p "$WORK/cfg/cunzhan"
printf 'F13 save\n' >"$WORK/cfg/cunzhan/keys"
start --lang zh
see "Chinese: an unknown key said in Chinese" "第 1 行：没有这个按键 “F13”"
lacks "Chinese: no English keymap words" "$SCREEN" "unknown"
keys F10
see "quits (zh)" "EXIT=0"
printf 'F2 bogus\n' >"$WORK/cfg/cunzhan/keys"
start --lang zh
see "Chinese: an unknown action said in Chinese" "第 1 行：没有这个动作 “bogus”"
lacks "Chinese: no English keymap words (action)" "$SCREEN" "unknown"
keys F10
see "quits (zh, action)" "EXIT=0"
printf 'F13 save\n' >"$WORK/cfg/cunzhan/keys"
start --lang en
see "English: keymap problem in English" "keys:1: unknown key 'F13'"
keys F10
see "quits (en)" "EXIT=0"
rm -f "$WORK/cfg/cunzhan/keys"

# ---- a new household lands on its own page, where members are added ----
start --lang zh
ready
keys F4
see "zh: new household form" "户编号"
text "NEW-PAGE-01"; keys Tab Tab
text "钱新户"; keys F2
see "zh: saved" "已签名保存"
see "zh: on the new household's page" "家庭成员（回车：修改；F4：新增）"
contains "zh: the page is the new household's" "$SCREEN" "NEW-PAGE-01"
keys Escape
gone "zh: Esc leaves the page" "家庭成员"
keys F10
see "quits (zh, new household)" "EXIT=0"
start --lang en
ready
keys F4
see "en: new household form" "Household number"
text "NEW-PAGE-02"; keys Tab Tab
text "孙新户"; keys F2
see "en: saved" "Signed and saved"
see "en: on the new household's page" "NEW-PAGE-02"
contains "en: members listed there" "$SCREEN" "Members"
keys F10
see "quits (en, new household)" "EXIT=0"

expect "every record verifies" 0 "$CUNZHAN" -C "$ST" verify
equals "every screen fits 80 columns" "$WIDE" 0
finish
