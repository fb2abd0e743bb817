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
# In English, from the same screen.
rm -rf "$O/print"
startat "$O" --lang en --user 王县长
ready
menu_open "Exit approvals" "退出审批"
see "en: the approvals screen" "Ctrl-P Print"
keys C-v
see "en: every assessment" "All exit assessments in your jurisdiction"
keys C-p
see "en: the notice printed" "$O/print/notice-411024104201.pdf"
keys Enter
gone "en: the box closes" "Enter: OK"
T=$(pdftotext "$O/print/notice-411024104201.pdf" - 2>&1)
contains "en: the notice is in English" "$T" "Public notice"
contains "en: and names the household's head" "$T" "杨树林"
keys F10
see "en: quits the office" "EXIT=0"

# A print folder that cannot be written: named, with its cause.
if [ "$(id -u)" != 0 ]; then
    rm -rf "$ST/print"; mkdir -p "$ST/print"; chmod 500 "$ST/print"
    start --lang en
    open_page YSW-2016-01
    keys C-p
    see "read-only print folder: named" "$ST/print/card-YSW-2016-01.pdf"
    see "read-only print folder: the cause, in a box" "permission denied"
    lacks "read-only: no 'Printed to'" "$SCREEN" "Printed to"
    keys Enter
    gone "read-only: Enter closes the box" "Not printed"
    keys F10
    chmod 700 "$ST/print"
else
    # root writes anywhere: a print "folder" that is a file stands in.
    rm -rf "$ST/print"; : >"$ST/print"
    start --lang en
    open_page YSW-2016-01
    keys C-p
    see "print folder that is a file: named" "$ST/print"
    see "print folder that is a file: in a box" "Not printed"
    lacks "blocked folder: no 'Printed to'" "$SCREEN" "Printed to"
    keys Enter
    gone "blocked folder: Enter closes the box" "Not printed"
    keys F10
    rm -f "$ST/print"
fi
see "quits after a failed print" "EXIT=0"

# ---- a USB stick plugged in (a fake mount table and sysfs over a real folder) ----
# The PDF still goes to this PC unless the stick is picked; a card on a
# stick asks first, as it names people and is not encrypted: "no" writes
# nothing anywhere, "yes" writes it on the stick.  The report (figures
# only) goes there without the question.
MOUNTED=()
trap '$TM kill-server 2>/dev/null; for m in "${MOUNTED[@]}"; do umount "$m" 2>/dev/null; done; rm -rf "$WORK"' EXIT
USB=$WORK/usb
mkdir -p "$WORK/sys/block/sdb/sdb1" "$USB"
echo 1 > "$WORK/sys/block/sdb/removable"
printf '/dev/sda1 / ext4 rw 0 0\n/dev/sdb1 %s vfat rw 0 0\n' "$USB" > "$WORK/one"
on_usb() { find "$USB" -type f | wc -l; }
for lang in zh en; do
    rm -rf "$ST/print" "$USB"/*
    if [ $lang = zh ]; then where="PDF 存到哪里？" pc="本机：$ST/print" usb="U盘：$USB" ask="把个人信息不加密写到U盘上吗？"
        why="不加密" no="没有写到U盘上。" none="没有打印。" done_="已生成" ok="回车：确定"
    else where="Where should the PDF go?" pc="This PC: $ST/print" usb="USB stick: $USB" ask="Write personal data to the USB stick, unencrypted?"
        why="not encrypted" no="Nothing was written to the stick." none="Nothing was printed." done_="Printed" ok="Enter: OK"; fi
    MOUNTS=$WORK/one start --lang $lang
    open_page YSW-2016-01
    keys C-p
    see "$lang stick: asks where" "$where"
    see "$lang stick: this PC first" "$pc"
    see "$lang stick: the stick" "$usb"
    keys Escape
    see "$lang stick: Esc prints nothing" "$none"
    equals "$lang stick: Esc: nothing on the stick" "$(on_usb)" 0
    [ ! -e "$ST/print/card-YSW-2016-01.pdf" ] && pass "$lang stick: Esc: nothing on this PC" || fail "$lang stick: Esc wrote a card"
    # The default is this PC.
    keys C-p
    see "$lang stick: asks again" "$where"
    keys Enter
    see "$lang stick: Enter on the first: this PC" "$ST/print/card-YSW-2016-01.pdf"
    keys Enter
    gone "$lang stick: the box closes" "$ok"
    equals "$lang stick: this PC: nothing on the stick" "$(on_usb)" 0
    # The stick, answered "no".
    keys C-p
    see "$lang stick: asks where once more" "$where"
    keys Down Enter
    see "$lang stick: asks before personal data goes on a stick" "$ask"
    see "$lang stick: says why" "$why"
    see "$lang stick: and where it would go" "$USB/cunzhan/print/card-YSW-2016-01.pdf"
    keys Escape
    see "$lang stick: no: says nothing was written" "$no"
    equals "$lang stick: no: nothing on the stick" "$(on_usb)" 0
    # The stick, answered "yes".
    keys C-p
    see "$lang stick: asks where for yes" "$where"
    keys Down Enter
    see "$lang stick: asks for yes" "$ask"
    keys Enter
    see "$lang stick: yes: printed" "$done_"
    see "$lang stick: yes: says where, on the stick" "$USB/cunzhan/print/card-YSW-2016-01.pdf"
    keys Enter
    gone "$lang stick: yes: the box closes" "$ok"
    T=$(pdftotext "$USB/cunzhan/print/card-YSW-2016-01.pdf" - 2>&1)
    contains "$lang stick: the card on the stick names the head" "$T" "王德明"
    # The report: figures only, no question.
    keys Escape
    gone "$lang stick: the page closes" "YSW-2016-01 "
    keys Escape
    ready
    menu_open "Reports: figures and charts" "统计报表与图表"
    keys C-p
    see "$lang stick: the report asks where" "$where"
    keys Down Enter
    see "$lang stick: the report on the stick, not asked" "$USB/cunzhan/print/report.pdf"
    lacks "$lang stick: no personal-data question for figures" "$SCREEN" "$ask"
    keys Enter
    gone "$lang stick: report box closes" "$ok"
    [ -s "$USB/cunzhan/print/report.pdf" ] && pass "$lang stick: the report is on the stick" || fail "$lang stick: no report"
    keys F10
    see "$lang stick: quits" "EXIT=0"
done

# The notice names people too: asked before it goes on the stick.
rm -rf "$USB"/*
MOUNTS=$WORK/one startat "$O" --lang zh --user 王县长
ready
menu_open "Exit approvals" "退出审批"
keys C-v
see "zh notice stick: every assessment" "辖区内全部退出评估"
keys C-p
see "zh notice stick: asks where" "PDF 存到哪里？"
keys Down Enter
see "zh notice stick: asks before personal data" "把个人信息不加密写到U盘上吗？"
keys Escape
see "zh notice stick: no" "没有写到U盘上。"
equals "zh notice stick: no: nothing on the stick" "$(on_usb)" 0
keys C-p
see "zh notice stick: asks where again" "PDF 存到哪里？"
keys Down Enter
see "zh notice stick: asks again" "把个人信息不加密写到U盘上吗？"
keys Enter
see "zh notice stick: yes: printed" "已生成"
see "zh notice stick: yes: on the stick" "$USB/cunzhan/print/notice-411024104201.pdf"
keys Enter
gone "zh notice stick: the box closes" "回车：确定"
[ -s "$USB/cunzhan/print/notice-411024104201.pdf" ] && pass "zh notice stick: the notice is on the stick" ||
    fail "zh notice stick: no notice on the stick"
keys F10
see "zh notice stick: quits" "EXIT=0"

# A write-protected stick (its folder made before it was locked, and
# not), a full one: named with the file or the stick, nothing left on it.
RO=$WORK/ro FULL=$WORK/full
mkdir -p "$RO" "$FULL"
if mount -t tmpfs -o size=1m tmpfs "$RO" 2>/dev/null && MOUNTED+=("$RO") &&
   mount -t tmpfs -o size=16k tmpfs "$FULL" 2>/dev/null && MOUNTED+=("$FULL"); then
    mount -o remount,ro "$RO"
    printf '/dev/sdb1 %s vfat ro 0 0\n' "$RO" > "$WORK/rotab"
    printf '/dev/sdb1 %s vfat rw 0 0\n' "$FULL" > "$WORK/fulltab"
    for lang in zh en; do
        # The box wraps the message: each part checked on its own.
        if [ $lang = zh ]; then ro_msg="写保护（只读）" full_msg="已满" box="没有写出文件："
        else ro_msg="write-protected (read-only)" full_msg="is full" box="Nothing was written:"; fi
        MOUNTS=$WORK/rotab start --lang $lang
        open_page YSW-2016-01
        keys C-p Down Enter Enter
        see "$lang write-protected stick: named" "$RO: "
        see "$lang write-protected stick: the cause" "$ro_msg"
        keys Enter
        gone "$lang write-protected stick: Enter closes the box" "$box"
        keys F10
        see "$lang write-protected: quits" "EXIT=0"
        umount "$RO" && mount -t tmpfs -o size=1m tmpfs "$RO" && mkdir -p "$RO/cunzhan/print" && mount -o remount,ro "$RO"
        MOUNTS=$WORK/rotab start --lang $lang
        open_page YSW-2016-01
        keys C-p Down Enter Enter
        see "$lang write-protected stick, folder there: the file named" "$RO/cunzhan/print/card-YSW-2016-01.pdf"
        see "$lang write-protected stick, folder there: the cause" "$ro_msg"
        keys Enter
        keys F10
        see "$lang write-protected 2: quits" "EXIT=0"
        umount "$RO" && mount -t tmpfs -o size=1m tmpfs "$RO" && mount -o remount,ro "$RO"
        MOUNTS=$WORK/fulltab start --lang $lang
        open_page YSW-2016-01
        keys C-p Down Enter Enter
        see "$lang full stick: the file named" "$FULL/cunzhan/print/card-YSW-2016-01.pdf"
        see "$lang full stick: the cause" "$full_msg"
        keys Enter
        keys F10
        see "$lang full stick: quits" "EXIT=0"
    done
    equals "write-protected stick: no file" "$(find "$RO" -type f | wc -l)" 0
    equals "full stick: no half file" "$(find "$FULL" -type f | wc -l)" 0
else
    echo "skip write-protected and full sticks: cannot mount a tmpfs here (needs root)"
fi

[ "$WIDE" = 0 ] && pass "every screen fit 80 columns" || fail "$WIDE screens wider than 80 columns"
finish
