#!/usr/bin/env bash
# The Reports screen: a place picked by name (or a code typed) among the
# places of this station's jurisdiction, and the report shown written as
# CSV to the USB stick (a fake mount table and sysfs over a real folder),
# byte for byte what `cunzhan report --format csv` prints; with no stick,
# to a folder on this PC; a write-protected stick named, with no file.
# The real binary in tmux 80x24, in Chinese and English.
. "$(dirname "$0")/lib.bash"
. "$(dirname "$0")/tmux.bash"

MOUNTED=()
trap '$TM kill-server 2>/dev/null; for m in "${MOUNTED[@]}"; do umount "$m" 2>/dev/null; done; rm -rf "$WORK"' EXIT

"$CUNZHAN" -C "$WORK/demo" demo >/dev/null 2>&1 || fail "demo data"
O=$WORK/demo/office Y=$WORK/demo/yangshuwan
YSW=411024104201
USB=$WORK/usb

# csv_named NAME: the message rows (the message line and the one above,
# which a message too long for one row takes) hold the newest CSV's
# whole file name: a long path is wrapped, never cut.
msg_rows() { printf '%s%s' "$(row 22 | sed 's/ *$//')" "$(row 23 | sed 's/ *$//')"; }
msg_names() { case "$(msg_rows)" in *"$1"*) return 0 ;; esac; return 1; }
csv_named() {
    local f
    f=$(ls -t "$USB"/cunzhan/reports/report-$YSW-*.csv 2>/dev/null | head -1)
    wait_check "$1" "no '$(basename "$f")' in the message rows" 10 msg_names "$(basename "$f")"
}
mkdir -p "$WORK/sys/block/sdb/sdb1" "$USB"
echo 1 > "$WORK/sys/block/sdb/removable"
printf '/dev/sda1 / ext4 rw 0 0\n/dev/sdb1 %s vfat rw 0 0\n' "$USB" > "$WORK/one"
open_reports() { ready; menu_open "Reports: figures and charts" "统计报表与图表"; }

# ---- Chinese, at the office: 杨树湾村 by part of its name, CSV to the stick ----
MOUNTS=$WORK/one startat "$O" --lang zh
open_reports
see "zh: reports for all" "地区 全部"
keys F3
see "zh: the picker asks for a name or a code" "地区代码或名称"
see "zh: the places are listed by name" "杨树湾村"
see "zh: ... with towns and counties" "南坞镇"
see "zh: ... the whole jurisdiction first" "全部（整个辖区）"
text "杨树"
see "zh: typing part of the name narrows the list" "找到 1"
keys Enter
see "zh: the village is chosen" "地区 $YSW 杨树湾村"
keys C-w
see "zh: the confirm says what is written" "只有统计数字（户数、人数、金额），没有个人信息"
see "zh: ... and where" "$USB/cunzhan/reports/report-$YSW-"
keys Enter
see "zh: says the full path" "已写入：$USB/cunzhan/reports/report-$YSW-"
csv_named "zh: ... with the file's whole name"
keys F10
see "zh: quits" "EXIT=0"
set -- "$USB"/cunzhan/reports/report-$YSW-*.csv
equals "zh: one CSV on the stick" "$#" 1
cz -C "$O" report --format csv --region $YSW > "$WORK/cli.csv"
cmp -s "$1" "$WORK/cli.csv" && pass "zh: the CSV equals report --format csv, byte for byte" \
    || fail "zh: the CSV differs from report --format csv" "$(diff "$1" "$WORK/cli.csv")"
equals "zh: no temp file left" "$(find "$USB" -name '.*' -type f | wc -l)" 0

# ---- English: a code typed still works; a code naming no place refused ----
MOUNTS=$WORK/one startat "$O" --lang en
open_reports
see "en: reports for all" "region all"
keys F3
see "en: the picker" "Region code or name: type to narrow"
text "411024104"
keys Enter
see "en: a typed code picks that place" "region 411024104 南坞镇"
keys F3
text "419999"
see "en: a code naming no place lists nothing" "Nothing found"
keys Enter
see "en: ... and is refused by name" "419999:"
see "en: ... the report as it was" "region 411024104 南坞镇"
keys F3
text "yangshu"
see "en: no Latin match" "Nothing found"
keys C-u
text "杨树湾"
keys Enter
see "en: the village by name" "region $YSW 杨树湾村"
keys C-w
see "en: the confirm says what is written" "the figures only (counts and sums), no personal data"
keys Enter
see "en: written" "Written: $USB/cunzhan/reports/report-$YSW-"
csv_named "en: ... with the file's whole name"
keys F1
see "en: help lists the action" "write this as CSV to the stick"
keys Escape F10
see "en: quits" "EXIT=0"
for f in "$USB"/cunzhan/reports/report-$YSW-*.csv; do
    cmp -s "$f" "$WORK/cli.csv" || fail "en: $f differs from report --format csv"
done
pass "en: every CSV equals report --format csv"

# ---- a town's supervisor at the office: the places of the town only ----
MOUNTS=$WORK/one startat "$O" --lang zh --user 刘镇长
open_reports
keys F3
see "town: its villages listed" "杨树湾村"
see "town: the town itself" "南坞镇"
capture
lacks "town: not the county above it" "$SCREEN" "  鄢陵县  ("
lacks "town: not the city" "$SCREEN" "  许昌市  ("
see "town: three rows, the whole town first" "找到 3"
keys Escape F10
see "town: quits" "EXIT=0"

# ---- at the village station: its own places only; no stick: this PC ----
: > "$WORK/none"
MOUNTS=$WORK/none startat "$Y" --lang en
open_reports
keys F3
see "station: its village listed" "杨树湾村"
capture
lacks "station: no place outside its jurisdiction" "$SCREEN" "许昌市"
keys Escape C-w
see "station: no stick, asks for this PC" "No USB stick found"
keys Enter
see "station: written on this PC" "Written: $Y/reports/report-all-"
keys F10
see "station: quits" "EXIT=0"
set -- "$Y"/reports/report-all-*.csv
cz -C "$Y" report --format csv > "$WORK/cli-all.csv"
cmp -s "$1" "$WORK/cli-all.csv" && pass "station: the CSV equals report --format csv" || fail "station: CSV differs"

# ---- a write-protected stick ----
RO=$WORK/ro
mkdir -p "$RO"
if mount -t tmpfs -o size=1m tmpfs "$RO" 2>/dev/null && MOUNTED+=("$RO") && mount -o remount,ro "$RO" 2>/dev/null; then
    printf '/dev/sdb1 %s vfat ro 0 0\n' "$RO" > "$WORK/rotab"
    for lang in zh en; do
        MOUNTS=$WORK/rotab startat "$O" --lang $lang
        open_reports
        keys C-w Enter
        if [ $lang = zh ]; then see "zh: write-protected named" "$RO: U盘（或指定的文件夹）写保护（只读）"
        else see "en: write-protected named" "$RO: the USB stick (or the folder given) is write-protected"; fi
        keys F10
        see "$lang: quits" "EXIT=0"
    done
    equals "write-protected: no file" "$(find "$RO" -type f | wc -l)" 0
else
    echo "skip write-protected stick: cannot mount a read-only tmpfs here (needs root)"
fi

equals "every screen fitted 80 columns" "$WIDE" 0
finish
