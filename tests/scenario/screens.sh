#!/usr/bin/env bash
# Screen tests: the real binary in a real terminal (tmux, 80x24, TERM=xterm,
# C.UTF-8), driven by keys, checked by screen dumps.  Every wait polls the
# pane until the text appears (or a timeout), never a fixed sleep.  Every
# dump is checked to fit 80 columns by display width (widthcheck.c, which
# uses the C library's wcwidth, not cunzhan's own width function).
. "$(dirname "$0")/lib.bash"
. "$(dirname "$0")/tmux.bash"

"$CUNZHAN" -C "$WORK/demo" demo >/dev/null 2>&1 || fail "demo data"
ST=$WORK/demo/yangshuwan

# ---- Chinese ----
start --lang zh
see "zh: home shows the station's name" "杨树湾村"
see "zh: home shows the counts" "建档立卡贫困户 9 户，40 人"
keys Enter
see "zh: households list" "YSW-2016-09"
text "德"
see "zh: find by part of a Chinese name" "王德明"
gone "zh: the search narrows the list" "何秋菊"
keys Enter
see "zh: household page with members" "王小雨"
keys End
see "zh: household history with who signed (End scrolls to it)" "签名人"
keys Home
keys Escape
see "zh: back to the list" "找到"
keys Escape
see "zh: back home" "新增贫困户"
keys F4
see "zh: new household form" "户编号"
text "YSW-T-01"; keys Tab Tab
text "测试户主"; keys Tab
text "abc"; keys Tab
see "zh: bad phone refused inline" "联系电话"
keys BTab C-u
text "13900000000"; keys F2
see "zh: household signed and saved" "已签名保存"
keys F3
see "zh: find screen" "查找"
text "测试户"
see "zh: new household found" "YSW-T-01"
keys Enter
see "zh: new household page" "测试户主"
keys F4 Enter
see "zh: new member form" "身份证号"
text "测试成员"; keys Tab
text "110105194912310021"; keys Tab
see "zh: bad ID number refused inline" "校验位不对"
keys F2
see "zh: save refused while the field is wrong" "未保存"
# The refused field has the focus now.
keys C-u
text "11010519491231002X"; keys Tab
gone "zh: the message goes once corrected" "校验位不对"
keys Enter
see "zh: pick-list of relations" "配偶"
keys Down Down Enter
gone "zh: pick-list closed" "回车：选定"
keys F2
see "zh: member signed and shown on the page" "测试成员"
see "zh: sex and birth date from the ID number" "1949-12-31"
keys F1
see "zh: help lists the bindings" "F2"
see "zh: help in Chinese" "签名并保存表单"
see "zh: help shows the Esc-digit fallback" "Esc 0"
keys Escape
gone "zh: help closed" "按键说明"
keys F4 Enter
text "未存"
keys F10
see "zh: quit asks when something is unsaved" "仍然退出吗"
keys Escape
gone "zh: the form is still there" "仍然退出吗"
keys Escape
see "zh: leaving the form asks too" "不保存就离开吗"
keys Enter
see "zh: back on the household page" "测试成员"
keys F10
see "zh: F10 quits with exit 0" "EXIT=0"

expect "zh: the new records verify" 0 "$CUNZHAN" -C "$ST" verify
expect "zh: find the new member from the command line" 0 "$CUNZHAN" -C "$ST" find 测试成员
contains "zh: ... with its ID number" "$OUT" "11010519491231002X"
expect "zh: find the new household" 0 "$CUNZHAN" -C "$ST" find YSW-T-01
contains "zh: ... with its head" "$OUT" "测试户主"

# ---- English, with a user keymap that has mistakes ----
mkdir -p "$WORK/cfg/cunzhan"
printf 'F7 frobnicate\nF8 help\nBanana help\n' >"$WORK/cfg/cunzhan/keys"
start --lang en
see "en: home in English" "registered households"
see "en: keymap mistakes reported with the line" "keys:1: unknown action 'frobnicate'"
keys Down Enter
see "en: add household form" "Household number"
text "YSW-T-02"; keys Tab Tab
text "Test Head"; keys F2
see "en: household saved" "Signed and saved"
keys F3
text "Test"
see "en: found by name" "YSW-T-02"
keys Enter
see "en: household page" "Members"
keys F4 Enter
text "Tess"; keys Tab
text "110105194912310021"; keys Tab
see "en: bad ID number refused inline in English" "wrong check character"
keys BTab C-u
text "110105198001010016"; keys F2
gone "en: member form closed" "New Member"
see "en: member saved and shown" "Tess"
see "en: ... born as the ID number says" "1980-01-01"
keys F8
see "en: a user binding works (F8 help)" "this list of keys"
see "en: help lists save" "sign and save the form"
keys Escape
gone "en: help closed" "this list of keys"
keys Escape 0
see "en: Esc 0 quits like F10, exit 0" "EXIT=0"
expect "en: verify after both runs" 0 "$CUNZHAN" -C "$ST" verify
expect "en: find the member" 0 "$CUNZHAN" -C "$ST" find Tess
contains "en: ... it is there" "$OUT" "Tess"

# ---- a terminal without colour ----
rm -rf "$WORK/cfg"
TERMTYPE=vt100 start --lang en
see "vt100: home" "registered households"
# vt100's terminfo knows F1-F4 only: a PC keyboard's F6 arrives as the raw
# ESC [ 1 7 ~ and must still mean F6, never be typed as text.
keys F6
see "vt100: F6 from its raw sequence opens verify" "Verify: every signature"
contains "vt100: verify ran" "$SCREEN" "entries:"
nocontain() { case "$2" in *"$3"*) fail "$1" "$2" ;; *) pass "$1" ;; esac; }
nocontain "vt100: no '[17~' on screen" "$SCREEN" "[17~"
keys Escape
keys Escape 0
see "vt100: quits" "EXIT=0"

# ---- TERM=linux, and a live resize ----
TERMTYPE=linux start --lang zh
see "linux console: home" "建档立卡贫困户"
$TM resize-window -x 100 -y 30
footer_on "resize: redrawn larger (footer on row 30)" 30
$TM resize-window -x 60 -y 20
see "resize: redrawn smaller" "建档立卡贫困户"
footer_on "resize: footer on row 20" 20
lines=$(printf '%s\n' "$SCREEN" | "$WORK/widthcheck" 60 | wc -l)
equals "resize: every line fits 60 columns" "$lines" 0
$TM resize-window -x 80 -y 24
keys F10
see "linux console: quits" "EXIT=0"

# ---- login: no CUNZHAN_PASSPHRASE ----
ENVARGS="-u CUNZHAN_PASSPHRASE" start --lang en
see "login: asks for the passphrase" "Passphrase"
keys Enter   # the default person, selected in the list (screens_login.sh)
text "wrong-pass"; keys Enter
see "login: a wrong passphrase is refused" "Wrong passphrase"
lacks "login: the passphrase is not echoed" "$SCREEN" "wrong-pass"
text "$CUNZHAN_PASSPHRASE"; keys Enter
see "login: the right one opens home" "registered households"
keys F10
see "login: quits" "EXIT=0"

# ---- not a terminal: status, as before ----
expect "no terminal: status" 0 "$CUNZHAN" -C "$ST"
contains "no terminal: station name" "$OUT" "杨树湾村"

equals "every screen fits 80 columns" "$WIDE" 0
finish
