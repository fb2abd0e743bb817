#!/bin/bash
# `cunzhan print`: household cards, the exits' public notice and the
# report as A4 PDFs, read back with poppler (pdftotext, pdffonts, pdfinfo,
# pdftoppm) and the font's own coverage checked with HarfBuzz (hb-shape
# shapes the text with the font file: glyph 0 is a missing character).
source "$(dirname "$0")/lib.bash"
source "$(dirname "$0")/print_lib.bash"

D=$WORK/demo
ST=$D/yangshuwan
O=$D/office
PDFS=$WORK/pdfs
mkdir -p "$PDFS"
cz -C "$D" demo >/dev/null 2>&1 || { fail "demo"; finish; exit 1; }

# A build without printing (make PRINT=0; the 32-bit build) says so, and
# writes nothing: the rest is for builds that print.
if ! probe=$(CUNZHAN_LANG=en "$CUNZHAN" -C "$ST" print report --to "$WORK/probe.pdf" 2>&1) &&
   [[ $probe == *"built with PRINT=0"* ]]; then
    [ ! -e "$WORK/probe.pdf" ] && pass "a build without printing says so and writes nothing" ||
        fail "a build without printing wrote a file"
    finish
    exit
fi

# 杨树林's exit (YSW-2016-07) has passed the village and the township in
# the demo: the county decides now, so its notice opens today.
E=$(cz -C "$O" list exit | awk '/3900.00/ { print $1 }')
expect "the county decides 杨树林's exit" 0 cz -C "$O" --user 王县长 approve "$E" --step county
CLOSES=$(TZ=Asia/Shanghai date -d '+7 days' +%Y-%m-%d)
before_st=$(entries "$ST")
before_o=$(entries "$O")

# ---- a card ----
H=$(cz -C "$ST" find YSW-2016-01 | awk 'NR == 1 { print $1 }')
HID=$(cz -C "$ST" show "$H" | awk 'NR == 1 { print $2 }')
expect "card: printed" 0 cz -C "$ST" print card YSW-2016-01 --to "$PDFS/card.pdf"
contains "card: says where" "$OUT" "$PDFS/card.pdf"
pdf_checks "card" "$PDFS/card.pdf"
T=$(pdftotext -layout "$PDFS/card.pdf" -)
contains "card: title" "$T" "扶贫明白卡"
contains "card: household number" "$T" "YSW-2016-01"
contains "card: village by name" "$T" "杨树湾村"
contains "card: status as the report counts it" "$T" "已脱贫"
contains "card: causes" "$T" "缺资金"
contains "card: helper" "$T" "孙书记"
contains "card: aid" "$T" "辣椒种子"
contains "card: training" "$T" "辣椒栽培技术"
contains "card: plot" "$T" "帅辣316"
contains "card: sale" "$T" "及时雨种植专业合作社"
contains "card: latest visit" "$T" "2018-07-03"
members=$(cz -C "$ST" list member --json | jq -r --arg h "$HID" '.[] | select(.fields.household == $h) | "\(.fields.name) \(.fields.id_number // "")"')
[ -n "$members" ] || fail "card: the household has members"
while read -r name id; do
    contains "card: member $name" "$T" "$name"
    if [ -n "$id" ]; then
        contains "card: $name's ID number masked but its last four" "$T" "**************${id: -4}"
        lacks "card: no full ID number of $name" "$T" "$id"
    fi
done <<< "$members"
phone=$(cz -C "$ST" show "$H" --json | jq -r '.fields.phone')
lacks "card: no household phone on the wall" "$T" "$phone"
for h in 健康 患病 残疾 健康状况; do lacks "card: no health detail ($h)" "$T" "$h"; done
version=$(cz -C "$ST" show "$H" --json | jq -r '.version')
contains "card: footer names the version" "$T" "${version:0:12}"
contains "card: footer names who signed it" "$T" "孙书记@杨树湾村"
contains "card: footer says when" "$T" "2018-09-25 09:00"

expect "card in English" 0 cz -C "$ST" --lang en print card "$H" --to "$PDFS/card-en.pdf"
T=$(pdftotext -layout "$PDFS/card-en.pdf" -)
contains "card en: title" "$T" "Household card"
contains "card en: relation" "$T" "Spouse"
contains "card en: footer" "$T" "signed by"
pdf_checks "card en" "$PDFS/card-en.pdf"

expect "cards of a village" 0 cz -C "$ST" print card --village 411024104201 --to "$PDFS/village.pdf"
T=$(pdftotext -layout "$PDFS/village.pdf" -)
for head in $(cz -C "$ST" list household --json | jq -r '.[].fields.head'); do contains "village cards: $head" "$T" "$head"; done
pages=$(pdfinfo "$PDFS/village.pdf" | awk '/^Pages:/ { print $2 }')
[ "$pages" -ge 9 ] && pass "village cards: one card a page at least ($pages)" || fail "village cards: $pages pages"

# ---- the notice ----
expect "notice: printed" 0 cz -C "$O" print notice --village 411024104201 --to "$PDFS/notice.pdf"
pdf_checks "notice" "$PDFS/notice.pdf"
T=$(pdftotext -layout "$PDFS/notice.pdf" -)
contains "notice: the household" "$T" "YSW-2016-07"
contains "notice: its head" "$T" "杨树林"
contains "notice: income per person" "$T" "3900.00"
for g in 不愁吃 不愁穿 义务教育有保障 基本医疗有保障 住房安全有保障; do contains "notice: $g" "$T" "$g"; done
contains "notice: village step" "$T" "村民主评议 2018-10-08"
contains "notice: township step" "$T" "乡镇审核 2018-10-15"
contains "notice: county step" "$T" "县审定"
contains "notice: the closing date" "$T" "$CLOSES"
contains "notice: where objections go" "$T" "南坞镇 人民政府"
lacks "notice: not the exit already closed" "$T" "王德明"
size=$(cz -C "$O" list member --json | jq --arg h "$(cz -C "$O" find YSW-2016-07 | awk 'NR == 1 { print $1 }')" '[.[] | select(.fields.household | startswith($h))] | length')
contains "notice: household size" "$T" " $size "
expect "notice in English" 0 cz -C "$O" print notice --village 411024104201 --lang en --to "$PDFS/notice-en.pdf"
T=$(pdftotext -layout "$PDFS/notice-en.pdf" -)
contains "notice en: title" "$T" "Public notice"
contains "notice en: objections" "$T" "Objections"
contains "notice en: the closing date" "$T" "$CLOSES"
expect "notice of a township" 0 cz -C "$O" print notice --township 411024104 --year 2018 --to "$PDFS/town.pdf"
T=$(pdftotext -layout "$PDFS/town.pdf" -)
contains "township notice: the village" "$T" "杨树湾村"
contains "township notice: the household" "$T" "YSW-2016-07"
expect "notice: another year has none" 1 cz -C "$O" print notice --township 411024104 --year 2019 --to "$PDFS/none.pdf"
contains "notice none: says so" "$ERR" "awaits its public notice"
[ ! -e "$PDFS/none.pdf" ] && pass "notice none: no file" || fail "notice none: a file was written"
expect "notice none, in Chinese" 1 cz -C "$O" --lang zh print notice --village 411081112205 --to "$PDFS/none.pdf"
contains "notice none zh: says so" "$ERR" "没有等待公示的脱贫评估"

# ---- the report ----
expect "report: printed" 0 cz -C "$O" print report --to "$PDFS/report.pdf"
pdf_checks "report" "$PDFS/report.pdf"
T=$(pdftotext -layout "$PDFS/report.pdf" -)
figures=$(cz -C "$O" report | grep -oE '[0-9]+(\.[0-9]+)?%?' | sort -u)
for f in $figures; do contains "report: figure $f" "$T" "$f"; done
contains "report: a table" "$T" "致贫原因户数"
expect "report in English" 0 cz -C "$O" --lang en print report --region 411024104201 --to "$PDFS/report-en.pdf"
T=$(pdftotext -layout "$PDFS/report-en.pdf" -)
contains "report en: title" "$T" "Poverty alleviation report"
for f in $(cz -C "$O" report --region 411024104201 | grep -oE '[0-9]+(\.[0-9]+)?%?' | sort -u); do
    contains "report en: figure $f" "$T" "$f"
done
expect "report: a region no place has" 2 cz -C "$O" print report --region 411200 --to "$PDFS/bad.pdf"
contains "report bad region: names it" "$ERR" "411200"
[ ! -e "$PDFS/bad.pdf" ] && pass "report bad region: no file" || fail "report bad region: a file was written"

# ---- what is refused ----
expect "unknown household" 1 cz -C "$ST" print card NOPE-1 --to "$PDFS/x.pdf"
contains "unknown household: named" "$ERR" "NOPE-1"
contains "unknown household: why" "$ERR" "no household has this number"
expect "unknown household, in Chinese" 1 cz -C "$ST" --lang zh print card NOPE-1 --to "$PDFS/x.pdf"
contains "unknown household zh: why" "$ERR" "没有哪户是这个户编号"
M=$(cz -C "$ST" find 刘桂芬 | awk 'NR == 1 { print $1 }')
expect "a member is not a household" 1 cz -C "$ST" print card "$M" --to "$PDFS/x.pdf"
contains "not a household: why" "$ERR" "not a household"
expect "unknown village" 2 cz -C "$ST" print card --village 411024104299 --to "$PDFS/x.pdf"
contains "unknown village: named" "$ERR" "411024104299"
contains "unknown village: why" "$ERR" "no place record"
expect "unknown village, in Chinese" 2 cz -C "$ST" --lang zh print notice --village 411024104299 --to "$PDFS/x.pdf"
contains "unknown village zh: why" "$ERR" "没有哪条行政区划记录"
expect "a village code too short" 2 cz -C "$ST" print card --village 411024 --to "$PDFS/x.pdf"
expect "no document" 2 cz -C "$ST" print
expect "an unknown document" 2 cz -C "$ST" print poster
[ ! -e "$PDFS/x.pdf" ] && pass "refused: no file written" || fail "refused: a file was written"

# A name the font has no glyph for (U+20000, CJK extension B) is named,
# never printed as a box.
expect "a name beyond the font: stored" 0 cz -C "$ST" add household number=YSW-X-1 village=411024104201 head=王𠀀
expect "a name beyond the font: refused" 1 cz -C "$ST" print card YSW-X-1 --to "$PDFS/glyph.pdf"
contains "glyph: names the character" "$ERR" "U+20000"
contains "glyph: names the text" "$ERR" "王𠀀"
contains "glyph: says why" "$ERR" "no glyph"
[ ! -e "$PDFS/glyph.pdf" ] && pass "glyph: no file" || fail "glyph: a file was written"
expect "a name beyond the font, in Chinese" 1 cz -C "$ST" --lang zh print card YSW-X-1 --to "$PDFS/glyph.pdf"
contains "glyph zh: says why" "$ERR" "没有正文中某个字的字形"
before_st=$(entries "$ST")

# ---- where it is written ----
RO=$WORK/ro
if mkdir -p "$RO" && mount -t tmpfs -o size=1m tmpfs "$RO" 2>/dev/null; then
    echo old > "$RO/card.pdf"
    mount -o remount,ro "$RO"
    expect "read-only folder: refused" 1 cz -C "$ST" print card YSW-2016-01 --to "$RO/card.pdf"
    contains "read-only folder: names the cause" "$ERR" "read-only"
    contains "read-only folder: names the file" "$ERR" "$RO/card.pdf"
    expect "read-only folder, in Chinese" 1 cz -C "$ST" --lang zh print card YSW-2016-01 --to "$RO/card.pdf"
    contains "read-only folder zh: names the cause" "$ERR" "只读"
    equals "read-only folder: the old file is as it was" "$(cat "$RO/card.pdf")" old
    umount "$RO"
elif [ "$(id -u)" != 0 ]; then
    chmod 555 "$RO"
    expect "read-only folder: refused" 1 cz -C "$ST" print card YSW-2016-01 --to "$RO/card.pdf"
    contains "read-only folder: names the cause" "$ERR" "permission denied"
    contains "read-only folder: names the file" "$ERR" "$RO/card.pdf"
    chmod 755 "$RO"
else
    echo "skip read-only folder: cannot mount a tmpfs here"
fi
FULL=$WORK/full
if mkdir -p "$FULL" && mount -t tmpfs -o size=16k tmpfs "$FULL" 2>/dev/null; then
    expect "full disk: refused" 1 cz -C "$O" print report --to "$FULL/cards.pdf"
    contains "full disk: names the cause" "$ERR" "the disk is full"
    contains "full disk: names the file" "$ERR" "$FULL/cards.pdf"
    equals "full disk: no half file" "$(find "$FULL" -type f | wc -l)" 0
    umount "$FULL"
else
    echo "skip full disk: cannot mount a tmpfs here"
fi
expect "a folder that is not there" 1 cz -C "$ST" print report --to "$WORK/nowhere/r.pdf"
contains "missing folder: names the file" "$ERR" "$WORK/nowhere/r.pdf"
(cd "$PDFS" && cz -C "$ST" print card YSW-2016-02 >/dev/null) && [ -s "$PDFS/card-YSW-2016-02.pdf" ] &&
    pass "no --to: the working folder, named by the household" || fail "no --to: card-YSW-2016-02.pdf"

equals "the station's store is untouched" "$(entries "$ST")" "$before_st"
equals "the office's store is untouched" "$(entries "$O")" "$before_o"
expect "the station verifies" 0 cz -C "$ST" verify
finish
