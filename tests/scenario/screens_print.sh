#!/usr/bin/env bash
# "Print" on the screens (Ctrl-P, print.h): the household page writes the
# household's card, the Reports screen the report, the exits screen its
# village's public notice, as a PDF into the
# station's own print folder on this PC, says where (the whole path, in a
# box) and how many pages, and a folder that cannot be written is
# named with its cause.  The PDF is read back with pdftotext.  The real
# binary, in tmux at 80x24, in Chinese and in English.
. "$(dirname "$0")/lib.bash"
. "$(dirname "$0")/tmux.bash"

export CUNZHAN_PASSPHRASE=demo
cz -C "$WORK/demo" demo >/dev/null 2>&1 || fail "demo data"
ST=$WORK/demo/yangshuwan
if ! probe=$(CUNZHAN_LANG=en "$CUNZHAN" -C "$ST" print report --to "$WORK/probe.pdf" 2>&1) &&
   [[ $probe == *"built with PRINT=0"* ]]; then
    echo "this build does not print (PRINT=0): ${0##*/} skipped"
    finish
    exit
fi
command -v pdftotext >/dev/null || { fail "pdftotext is missing (scripts/setup installs poppler-utils)"; finish; exit 1; }

# open_page NUMBER: from home, the household's page.
open_page() {
    ready
    keys Enter
    see "list for $1" "$1"
    text "$1"
    see "found $1" "$1"
    keys Enter
    see "page of $1" "王德明"
}

for lang in zh en; do
    rm -rf "$ST/print"
    start --lang $lang
    open_page YSW-2016-01
    keys C-p
    if [ $lang = zh ]; then
        see "zh: a box says it is printed" "已生成"
        see "zh: and how many pages" "页（A4）"
        key_ok="回车：确定"
    else
        see "en: a box says it is printed" "Printed"
        see "en: and how many pages" "pages, A4"
        key_ok="Enter: OK"
    fi
    see "$lang: the whole path, not cut" "$ST/print/card-YSW-2016-01.pdf"
    keys Enter
    gone "$lang: Enter closes the box" "$key_ok"
    [ -s "$ST/print/card-YSW-2016-01.pdf" ] && pass "$lang: the card is there" || fail "$lang: no card"
    T=$(pdftotext "$ST/print/card-YSW-2016-01.pdf" - 2>&1)
    contains "$lang: the card names the head" "$T" "王德明"
    contains "$lang: and every member" "$T" "王小雨"
    lacks "$lang: no full ID number on a wall card" "$T" "411024195803120112"
    # The report, from the Reports screen.
    keys Escape
    gone "$lang: the page closes" "YSW-2016-01 "
    keys Escape
    ready
    menu_open "Reports: figures and charts" "统计报表与图表"
    [ $lang = zh ] && see "zh: the report" "统计报表" || see "en: the report" "Report"
    keys C-p
    see "$lang: the report printed" "$ST/print/report.pdf"
    keys Enter
    gone "$lang: the box closes" "$key_ok"
    T=$(pdftotext -layout "$ST/print/report.pdf" - 2>&1)
    households=$(cz -C "$ST" report --format json | jq .households)
    contains "$lang: the printed report has the households' count" "$T" "$households"
    keys F10
    see "$lang: quits" "EXIT=0"
done

# ---- the public notice, from the exits screen (the county's supervisor) ----
O=$WORK/demo/office
E=$(cz -C "$O" list exit | awk '/3900.00/ { print $1 }')
cz -C "$O" --user 王县长 approve "$E" --step county >/dev/null || fail "the county decides 杨树林's exit"
rm -rf "$O/print"
startat "$O" --lang zh --user 王县长
ready
menu_open "Exit approvals" "退出审批"
see "zh: the approvals screen" "Ctrl-P 打印"
keys C-v
see "zh: every assessment" "辖区内全部退出评估"
keys C-p
see "zh: the notice printed" "$O/print/notice-411024104201.pdf"
keys Enter
gone "zh: the box closes" "回车：确定"
T=$(pdftotext "$O/print/notice-411024104201.pdf" - 2>&1)
contains "zh: the notice names the household's head" "$T" "杨树林"
contains "zh: and when the notice closes" "$T" "$(TZ=Asia/Shanghai date -d '+7 days' +%Y-%m-%d)"
keys F10
see "zh: quits the office" "EXIT=0"

# A print folder that cannot be written: named, with its cause.
if [ "$(id -u)" != 0 ]; then
    rm -rf "$ST/print"; mkdir -p "$ST/print"; chmod 500 "$ST/print"
    start --lang en
    open_page YSW-2016-01
    keys C-p
    see "read-only print folder: named" "$ST/print/card-YSW-2016-01.pdf"
    lacks "read-only: no 'Printed to'" "$SCREEN" "Printed to"
    keys F10
    chmod 700 "$ST/print"
else
    # root writes anywhere: a print "folder" that is a file stands in.
    rm -rf "$ST/print"; : >"$ST/print"
    start --lang en
    open_page YSW-2016-01
    keys C-p
    see "print folder that is a file: named" "$ST/print"
    lacks "blocked folder: no 'Printed to'" "$SCREEN" "Printed to"
    keys F10
    rm -f "$ST/print"
fi
see "quits after a failed print" "EXIT=0"

[ "$WIDE" = 0 ] && pass "every screen fit 80 columns" || fail "$WIDE screens wider than 80 columns"
finish
