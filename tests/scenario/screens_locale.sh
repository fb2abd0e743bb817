#!/usr/bin/env bash
# Screen tests for locales and terminals: Chinese shows and can be typed
# (and is stored as UTF-8) whatever the locale says: C, nothing at all, a
# locale that is not installed, and zh_CN.GB18030 through a GB18030
# terminal (gbterm.c, a pty bridge converting with iconv); terminals that
# cannot draw the screens (dumb, unknown, no TERM) are refused with a
# message in both languages; the bare Linux console starts in English and
# says how to get Chinese.  Helpers in tmux.bash (tmux 80x24, polling
# waits, every dump checked to fit 80 columns).
. "$(dirname "$0")/lib.bash"
. "$(dirname "$0")/tmux.bash"

"$CUNZHAN" -C "$WORK/demo" demo >/dev/null 2>&1 || fail "demo data"
ST=$WORK/demo/yangshuwan

# add_household WHAT NUMBER HEAD SAVED: from the home screen, a new
# household typed in (HEAD in Chinese) and saved; SAVED is the message
# that says so in the screen's language.
add_household() {
    ready
    keys F4
    see "$1: new household form" "$2"
    text "$3"; keys Tab Tab
    text "$4"; keys F2
}
# stored WHAT NUMBER HEAD: the command line finds the household by its
# head's name, with the number typed (so the name went in as UTF-8).
stored() {
    local found
    found=$(cz -C "$ST" find "$3")
    contains "$1: the command line finds $3" "$found" "$2"
    contains "$1: stored as typed" "$(cz -C "$ST" find "$2")" "$3"
}

# ---- LANG=C: C.UTF-8, said once, in the person's language ----
ENVARGS="-u LC_ALL -u LC_CTYPE" LOCALE="LANG=C" start --lang zh
see "LANG=C: Chinese shows" "建档立卡贫困户 9 户，40 人"
see "LANG=C: says it switched, in Chinese" "LANG=C 不含中文：界面改用 C.UTF-8"
lacks "LANG=C: no ncurses escapes for bytes" "$SCREEN" "~]"
keys Down
gone "LANG=C: said once" "C.UTF-8"
keys Up
add_household "LANG=C" "户编号" "LOC-C-01" "李四娃"
see "LANG=C: typed Chinese signed and saved" "已签名保存"
keys F10
see "LANG=C: quits" "EXIT=0"
stored "LANG=C" "LOC-C-01" "李四娃"

# ---- no locale at all ----
ENVARGS="-u LC_ALL -u LC_CTYPE -u LANG" LOCALE="" start --lang en
see "no LANG: Chinese shows" "杨树湾村"
see "no LANG: says it switched" "No locale set (LANG): the screens use C.UTF-8"
add_household "no LANG" "Household number" "LOC-U-01" "张三丰"
see "no LANG: typed Chinese signed and saved" "Signed and saved"
keys F3
text "三丰"
see "no LANG: Chinese typed into find finds it" "LOC-U-01"
keys F10
see "no LANG: quits" "EXIT=0"
stored "no LANG" "LOC-U-01" "张三丰"

# ---- a locale this PC does not have ----
MISSING=zh_CN.UTF-8
locale -a 2>/dev/null | grep -qi '^zh_CN\.utf-\?8$' && MISSING=zh_XX.UTF-8
ENVARGS="-u LC_ALL -u LC_CTYPE" LOCALE="LANG=$MISSING" start
see "$MISSING missing: Chinese shows, in Chinese (the locale's language)" "贫困户：列表与查找"
see "$MISSING missing: says so, with the fix" "未安装区域 LANG=$MISSING：改用 C.UTF-8"
keys F10
see "$MISSING missing: quits" "EXIT=0"

# ---- zh_CN.GB18030 through a GB18030 terminal ----
LOC=$WORK/locales
mkdir -p "$LOC"
cc -o "$WORK/gbterm" "$(dirname "$0")/gbterm.c" || fail "build gbterm"
if ! localedef -i zh_CN -f GB18030 "$LOC/zh_CN.GB18030" >"$WORK/localedef.log" 2>&1; then
    fail "localedef zh_CN.GB18030 (scripts/setup installs the locales package)" "$(cat "$WORK/localedef.log")"
fi
[ "$(LOCPATH=$LOC LC_ALL=zh_CN.GB18030 locale charmap 2>/dev/null)" = GB18030 ] &&
    pass "a zh_CN.GB18030 locale made for the test" || fail "no zh_CN.GB18030 locale"
# The bridge itself: GB18030 bytes written by a program show as Chinese.
printf '#!/bin/sh\nprintf "\\302\\275\\306\\275\\n"\n' >"$WORK/gbprint"   # 陆平 in GB18030
chmod +x "$WORK/gbprint"
CUNZHAN_SAVE=$CUNZHAN
CUNZHAN=$WORK/gbprint WRAP="$WORK/gbterm GB18030" start
see "gbterm: GB18030 bytes show as Chinese" "陆平"
CUNZHAN=$CUNZHAN_SAVE

GB="LC_ALL=zh_CN.GB18030 LOCPATH=$LOC"
ENVARGS="-u LANG" LOCALE="$GB" WRAP="$WORK/gbterm GB18030" start
see "GB18030: home in Chinese" "建档立卡贫困户 11 户，40 人"
contains "GB18030: the station's name" "$SCREEN" "杨树湾村"
lacks "GB18030: no switch to C.UTF-8" "$SCREEN" "C.UTF-8"
contains "GB18030: the menu" "$SCREEN" "贫困户：列表与查找"
keys Enter
see "GB18030: a household's head" "王德明"
keys Escape
add_household "GB18030" "户编号" "LOC-GB-01" "陆平"
see "GB18030: typed Chinese signed and saved" "已签名保存"
see "GB18030: a new household opens on its page" "家庭成员"
keys Escape
gone "GB18030: back from its page" "家庭成员"
keys F3
text "陆"
see "GB18030: Chinese typed into find finds it" "LOC-GB-01"
contains "GB18030: the name shows right in the list" "$SCREEN" "陆平"
keys Escape
# 䶮 (U+4DAE, in names such as 刘䶮) is four bytes in GB18030, not in GBK.
add_household "GB18030 four bytes" "户编号" "LOC-GB-02" "刘䶮"
see "GB18030: a four-byte character typed, signed and saved" "已签名保存"
keys F3
text "䶮"
see "GB18030: found by it" "LOC-GB-02"
keys F10
see "GB18030: quits" "EXIT=0"
stored "GB18030" "LOC-GB-01" "陆平"
stored "GB18030 four bytes" "LOC-GB-02" "刘䶮"
# Login there: a Chinese name shown in the field, a Chinese passphrase
# typed in GB18030 opens what was set in UTF-8.
CUNZHAN_NEW_PASSPHRASE=八个汉字的好口令 cz -C "$ST" user add 王会计 --role clerk >/dev/null 2>&1 ||
    fail "user add 王会计"
ENVARGS="-u LANG -u CUNZHAN_PASSPHRASE" LOCALE="$GB" WRAP="$WORK/gbterm GB18030" start --user 王会计
see "GB18030 login: the user's name in the field" "王会计"
text "八个汉字的好口令"; keys Enter
see "GB18030 login: a Chinese passphrase opens" "用户 王会计"
keys F10
see "GB18030 login: quits" "EXIT=0"
# The command line asks the passphrase on the same terminal: the prompt in
# its encoding, and what is typed there read in it.
ENVARGS="-u LANG -u CUNZHAN_PASSPHRASE" LOCALE="$GB" WRAP="$WORK/gbterm GB18030" \
    start --user 王会计 --lang zh add household number=LOC-GB-03 village=411024104201 head=赵六娃
see "GB18030 command line: the prompt in Chinese" "口令："
text "八个汉字的好口令"; keys Enter
see "GB18030 command line: a Chinese passphrase opens" "EXIT=0"
stored "GB18030 command line" "LOC-GB-03" "赵六娃"
# A screen's own text goes out in the terminal's encoding too: the "add
# another kind of record" menu of a person who may add nothing (李会计,
# whose key the office revokes, on a copy of the demo) says so in GB18030.
R=$WORK/rdemo
cp -a "$WORK/demo" "$R"
RK=$(cz -C "$R/office" enrol | awk '/李会计@/ { print $1 }')
cz -C "$R/office" --user 张主任 revoke "$RK" --reason 离职 >/dev/null || fail "GB18030 nothing: the revocation"
cz -C "$R/office" export --to "$WORK/rstick" --for 杨树湾村 >/dev/null || fail "GB18030 nothing: its export"
ENVARGS="-u LANG" LOCALE="$GB" WRAP="$WORK/gbterm GB18030" startat "$R/yangshuwan" --lang zh --user 李会计
open_sync
choose_folder "$WORK/rstick"
keys Down Enter
see "GB18030 nothing: the revocation imported" "数据包：读取 1 个，导入 1 个"
keys Escape
ready; menu_open "新增其他记录"
see "GB18030 nothing: says this person may add nothing, in Chinese" "您在本站不能新增任何类别的记录："
see "GB18030 nothing: and why" "签名密钥已被市办吊销"
keys F10
see "GB18030 nothing: quits" "EXIT=0"
# What the program wrote was GB18030, not UTF-8: the same screen read as
# UTF-8 would be mojibake (as it was before the screens drew wide characters).
ENVARGS="-u LANG" LOCALE="$GB" WRAP="$WORK/gbterm UTF-8" start
see "GB18030 bytes on a UTF-8 terminal are not Chinese (control)" "F10"
lacks "GB18030 bytes on a UTF-8 terminal: no Chinese (control)" "$SCREEN" "杨树湾村"
keys F10

# ---- an encoding with no Chinese in it (ISO-8859-1) ----
localedef -i en_US -f ISO-8859-1 "$LOC/en_US.ISO-8859-1" >"$WORK/localedef.log" 2>&1 ||
    fail "localedef en_US.ISO-8859-1" "$(cat "$WORK/localedef.log")"
ENVARGS="-u LANG" LOCALE="LC_ALL=en_US.ISO-8859-1 LOCPATH=$LOC" WRAP="$WORK/gbterm ISO-8859-1" start
see "ISO-8859-1: English" "Households: list and find"
see "ISO-8859-1: says Chinese cannot show, and the fix" "LC_ALL=en_US.ISO-8859-1 cannot show Chinese. For Chinese: a UTF-8 locale"
contains "ISO-8859-1: a Chinese name as '?', one a character" "$SCREEN" "cunzhan ???? | user ??? |"
keys F10
see "ISO-8859-1: quits" "EXIT=0"

# ---- terminals that cannot draw the screens ----
# Each waits for the exit first, so that the whole message is on screen.
TERMTYPE=dumb start
see "TERM=dumb: exit 1" "EXIT=1"
contains "TERM=dumb: refused, in English" "$SCREEN" "TERM=dumb: that terminal cannot move the cursor"
contains "TERM=dumb: and in Chinese" "$SCREEN" "该终端不能移动光标"
contains "TERM=dumb: points to the command line" "$SCREEN" "cunzhan help"
contains "TERM=dumb: and says so in Chinese" "$SCREEN" "请改用命令行"
lacks "TERM=dumb: no screen drawn" "$SCREEN" "杨树湾村"
TERMTYPE=no-such-term start
see "unknown TERM: exit 1" "EXIT=1"
contains "unknown TERM: refused, in English" "$SCREEN" "TERM=no-such-term: this PC has no description"
contains "unknown TERM: and in Chinese" "$SCREEN" "本机没有该终端的说明"
TERMTYPE="" start
see "TERM unset: exit 1" "EXIT=1"
contains "TERM unset: refused" "$SCREEN" "TERM is not set"
contains "TERM unset: in Chinese" "$SCREEN" "未设置 TERM"
# The command line still works there (its output is bytes to a pipe).
OUT=$(TERM=dumb cz -C "$ST" find 王德明)
contains "TERM=dumb: the command line works" "$OUT" "YSW-2016-01"

# ---- the bare Linux console ----
mkdir -p "$WORK/cfg/cunzhan"
echo "lang=zh" >"$WORK/cfg/cunzhan/settings"    # Chinese chosen at some other terminal
TERMTYPE=linux start
see "TERM=linux: English although Chinese was saved" "Households: list and find"
see "TERM=linux: says why and how to get Chinese" "Linux console: English (no Chinese font). Chinese: fbterm"
contains "TERM=linux: names a desktop terminal" "$SCREEN" "desktop terminal"
keys F10
see "TERM=linux: quits" "EXIT=0"
# Under a framebuffer terminal that draws Chinese (fbterm keeps TERM=linux).
mkdir -p "$WORK/bin"
printf '#!/bin/sh\n"$@"\n' >"$WORK/bin/fbterm"
chmod +x "$WORK/bin/fbterm"
TERMTYPE=linux WRAP="$WORK/bin/fbterm" start
see "TERM=linux under fbterm: the saved Chinese" "贫困户：列表与查找"
lacks "TERM=linux under fbterm: no console note" "$SCREEN" "Linux console"
keys F10
rm "$WORK/cfg/cunzhan/settings"

[ "$WIDE" = 0 ] && pass "every dump fits 80 columns" || fail "$WIDE dumps wider than 80 columns"
finish
