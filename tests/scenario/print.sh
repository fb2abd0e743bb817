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
contains "card: a list joined with 、 in Chinese" "$T" "缺资金、因病"
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

# member_rows LANG FILE: each member of the household a row of its own:
# name, relation, sex, age, able to work, the ID's last four, in LANG.
declare -A REL_zh=([head]=户主 [spouse]=配偶 [child]=子女 [parent]=父母 [grandchild]=孙子女 [sibling]=兄弟姐妹 [other]=其他)
declare -A REL_en=([head]="Head of household" [spouse]=Spouse [child]=Child [parent]=Parent [grandchild]=Grandchild [sibling]=Sibling [other]=Other)
declare -A SEX_zh=([M]=男 [F]=女) SEX_en=([M]=Male [F]=Female) WORK_zh=([yes]=是 [no]=否) WORK_en=([yes]=Yes [no]=No)
member_rows() {
    local lang=$1 text today name rel sex born work id age want n=0
    text=$(pdftotext -layout "$2" -)
    today=$(TZ=Asia/Shanghai date +%Y%m%d)
    while IFS=$'\t' read -r name rel sex born work id; do
        local -n r=REL_$lang s=SEX_$lang w=WORK_$lang
        age=$(( (10#$today - 10#${born//-/}) / 10000 ))
        want="$name +${r[$rel]} +${s[$sex]} +$age +${w[$work]} +\*+${id: -4}"
        if printf '%s\n' "$text" | grep -Eq -- "$want"; then n=$((n + 1))
        else fail "card $lang: the row of $name" "wanted /$want/ in
$text"; fi
    done < <(cz -C "$ST" list member --json | jq -r --arg h "$HID" \
        '.[] | select(.fields.household == $h) | [.fields.name, .fields.relation, .fields.sex, .fields.born, .fields.can_work, .fields.id_number] | @tsv')
    [ "$n" -ge 2 ] && pass "card $lang: $n members each with relation, sex, age, able to work, masked ID"
}
member_rows zh "$PDFS/card.pdf"
# The head first, then from the eldest; aid by date: the same card each time.
equals "card: the head's row first" "$(printf '%s\n' "$T" | grep -A1 '^ *姓名 ' | sed -n 2p | awk '{ print $1, $2 }')" "王德明 户主"
ages=$(printf '%s\n' "$T" | grep -E '\*{6,}' | awk '{ print $(NF-2) }' | tail -n +2 | tr '\n' ' ')
equals "card: the others from the eldest" "$ages" "$(printf '%s\n' $ages | sort -rn | tr '\n' ' ')"
aid=$(printf '%s\n' "$T" | grep -oE '^ *2018-0[45]-[0-9]{2} +(种子|地膜)' | awk '{ print $1 }' | tr '\n' ' ')
equals "card: aid by date" "$aid" "2018-04-15 2018-05-20 "

expect "card in English" 0 cz -C "$ST" --lang en print card "$H" --to "$PDFS/card-en.pdf"
T=$(pdftotext -layout "$PDFS/card-en.pdf" -)
contains "card en: title" "$T" "Household card"
contains "card en: relation" "$T" "Spouse"
contains "card en: footer" "$T" "signed by"
contains "card en: a list joined with commas" "$T" "Lack of funds, Illness"
pdf_checks "card en" "$PDFS/card-en.pdf"
member_rows en "$PDFS/card-en.pdf"

expect "cards of a village" 0 cz -C "$ST" print card --village 411024104201 --to "$PDFS/village.pdf"
T=$(pdftotext -layout "$PDFS/village.pdf" -)
for head in $(cz -C "$ST" list household --json | jq -r '.[].fields.head'); do contains "village cards: $head" "$T" "$head"; done
pages=$(pdfinfo "$PDFS/village.pdf" | awk '/^Pages:/ { print $2 }')
[ "$pages" -ge 9 ] && pass "village cards: one card a page at least ($pages)" || fail "village cards: $pages pages"
# Each card starts a page of its own: its title first on that page.
cards=$(cz -C "$ST" list household village=411024104201 --json | jq length)
starts=0
for i in $(seq 1 "$pages"); do
    pdftotext -f "$i" -l "$i" "$PDFS/village.pdf" - | head -n 1 | grep -q '^扶贫明白卡：' && starts=$((starts + 1))
done
equals "village cards: each of the $cards cards starts a page" "$starts" "$cards"
equals "village cards: one title a card" "$(printf '%s' "$T" | grep -o '扶贫明白卡：' | wc -l)" "$cards"
pdf_checks "village cards" "$PDFS/village.pdf"

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
# Chinese runs on without spaces: "杨树湾村村民委员会", "南坞镇人民政府".
flat=$(printf '%s' "$T" | tr -d '\n')
contains "notice: objections to the village committee" "$flat" "杨树湾村村民委员会"
contains "notice: or the township government" "$flat" "南坞镇人民政府"
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
contains "township notice: objections" "$(printf '%s' "$T" | tr -d '\n')" "所在村村民委员会或南坞镇人民政府"
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
# The bars are drawn (their blue, rgb 64 107 166, on the rendered page);
# a card has none.
bar_pixels() { pdftoppm -r 40 -f 1 -l 1 "$1" | { read -r _; read -r _; read -r _; od -An -v -tu1 -w3; } | grep -c '^ *64 *107 *166$'; }
bars=$(bar_pixels "$PDFS/report.pdf")
[ "$bars" -gt 500 ] && pass "report: bar charts drawn ($bars pixels)" || fail "report: no bars ($bars pixels)"
equals "card: no bars" "$(bar_pixels "$PDFS/card.pdf")" 0
expect "report in English" 0 cz -C "$O" --lang en print report --region 411024104201 --to "$PDFS/report-en.pdf"
T=$(pdftotext -layout "$PDFS/report-en.pdf" -)
contains "report en: title" "$T" "Poverty alleviation report"
pdf_checks "report en" "$PDFS/report-en.pdf"
bars=$(bar_pixels "$PDFS/report-en.pdf")
[ "$bars" -gt 500 ] && pass "report en: bar charts drawn ($bars pixels)" || fail "report en: no bars ($bars pixels)"
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
expect "a village with no household here" 1 cz -C "$ST" print card --village 411081112205 --to "$PDFS/x.pdf"
contains "village with none: named" "$ERR" "411081112205"
contains "village with none: why" "$ERR" "this village has no household on this station"
expect "a village with no household, in Chinese" 1 cz -C "$ST" --lang zh print card --village 411081112205 --to "$PDFS/x.pdf"
contains "village with none zh: named" "$ERR" "411081112205"
contains "village with none zh: why" "$ERR" "本站没有这个村的贫困户"
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
# The font check itself breaks on that character.
equals "the font check finds U+20000 missing" "$(uncovered "王𠀀中")" "U+20000"

# A PC without the printing font (fontconfig shown an empty font folder):
# the package named, nothing written, in both languages.
mkdir -p "$WORK/nofonts"
printf '<?xml version="1.0"?>\n<fontconfig><dir>%s</dir><cachedir>%s</cachedir></fontconfig>\n' \
    "$WORK/nofonts" "$WORK/nofonts/cache" > "$WORK/nofonts.conf"
FONTCONFIG_FILE=$WORK/nofonts.conf expect "no printing font: refused" 1 cz -C "$ST" print card YSW-2016-01 --to "$PDFS/nf.pdf"
contains "no printing font: names the package" "$ERR" "fonts-wqy-zenhei"
contains "no printing font: names the file" "$ERR" "$PDFS/nf.pdf"
FONTCONFIG_FILE=$WORK/nofonts.conf expect "no printing font, in Chinese" 1 cz -C "$ST" --lang zh print notice --village 411024104201 --to "$PDFS/nf.pdf"
contains "no printing font zh: says so" "$ERR" "没有安装打印用的字体文泉驿正黑"
[ ! -e "$PDFS/nf.pdf" ] && pass "no printing font: no file" || fail "no printing font: a file was written"

# ---- how to reach the helper; the official labour ability ----
Z=$(id_of 周专家)
expect "周专家 paired with the household" 0 cz -C "$ST" add pairing helper="$Z" household="$HID" mode=one_to_one
zphone=$(cz -C "$ST" show "$Z" --json | jq -r '.fields.phone')
expect "a member with the official labour ability only" 0 cz -C "$ST" add member household="$HID" name=王小军 relation=child labour=skilled
expect "card: printed again" 0 cz -C "$ST" print card YSW-2016-01 --to "$PDFS/card2.pdf"
T=$(pdftotext -layout "$PDFS/card2.pdf" -)
contains "card: the helper's phone, to reach them" "$T" "$zphone"
contains "card: the helper's organisation" "$T" "许昌市科协"
contains "card: labour ability when no yes/no" "$T" "技能劳动力"
expect "card en: printed again" 0 cz -C "$ST" --lang en print card YSW-2016-01 --to "$PDFS/card2-en.pdf"
T=$(pdftotext -layout "$PDFS/card2-en.pdf" -)
contains "card en: the helper's phone" "$T" "$zphone"
contains "card en: labour ability" "$T" "Skilled labour"

# ---- a very long name and address wrap, in both languages: nothing cut ----
LONGN=欧阳$(printf '慕容%.0s' {1..30})长名
LONGA=河南省许昌市鄢陵县南坞镇杨树湾村$(printf '第三村民小组东头老槐树下%.0s' {1..12})Xy$(printf 'Xy%.0s' {1..90})
LONGM=$(printf '司马%.0s' {1..25})
expect "a household with a long name and address" 0 cz -C "$ST" add household number=YSW-LONG-1 village=411024104201 \
    head="$LONGN" address="$LONGA" causes=illness
L=$(id_of YSW-LONG-1)
expect "a member with a long name" 0 cz -C "$ST" add member household="$L" name="$LONGM" relation=child can_work=yes
for lang in zh en; do
    expect "long ($lang): printed" 0 cz -C "$ST" --lang $lang print card YSW-LONG-1 --to "$PDFS/long-$lang.pdf"
    pdf_checks "long ($lang)" "$PDFS/long-$lang.pdf"
    flat=$(pdftotext -raw "$PDFS/long-$lang.pdf" - | tr -d ' \n\f')
    contains "long ($lang): the whole name, wrapped" "$flat" "$LONGN"
    contains "long ($lang): the whole address, wrapped" "$flat" "$LONGA"
    contains "long ($lang): the member's whole name" "$flat" "$LONGM"
    lines=$(pdftotext "$PDFS/long-$lang.pdf" - | grep -c '慕容')
    [ "$lines" -ge 3 ] && pass "long ($lang): the name runs over $lines lines" || fail "long ($lang): the name not wrapped ($lines)"
done
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
    contains "read-only folder zh: names the file" "$ERR" "$RO/card.pdf"
    equals "read-only folder: the old file is as it was" "$(cat "$RO/card.pdf")" old
    # The same folder as a USB stick's (a fake mount table and sysfs):
    # said as a write-protected stick, whose fix is the stick's.
    mkdir -p "$WORK/sys/block/sdb/sdb1"
    echo 1 > "$WORK/sys/block/sdb/removable"
    printf '/dev/sdb1 %s vfat ro 0 0\n' "$RO" > "$WORK/rotab"
    export CUNZHAN_SYSFS_ROOT=$WORK/sys CUNZHAN_UDEV_DATA=$WORK/udev
    for lang in en zh; do
        CUNZHAN_MOUNTS=$WORK/rotab expect "write-protected stick ($lang): refused" 1 \
            cz -C "$ST" --lang $lang print card YSW-2016-01 --to "$RO/card.pdf"
        contains "write-protected stick ($lang): names the file" "$ERR" "$RO/card.pdf"
        [ $lang = en ] && want="the USB stick (or the folder given) is write-protected" || want="U盘（或指定的文件夹）写保护"
        contains "write-protected stick ($lang): said as a stick's" "$ERR" "$want"
    done
    equals "write-protected stick: the old file is as it was" "$(cat "$RO/card.pdf")" old
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
    expect "full disk, in Chinese" 1 cz -C "$O" --lang zh print report --to "$FULL/cards.pdf"
    contains "full disk zh: names the cause" "$ERR" "磁盘已满"
    contains "full disk zh: names the file" "$ERR" "$FULL/cards.pdf"
    mkdir -p "$WORK/sys/block/sdb/sdb1"
    echo 1 > "$WORK/sys/block/sdb/removable"
    printf '/dev/sdb1 %s vfat rw 0 0\n' "$FULL" > "$WORK/fulltab"
    export CUNZHAN_SYSFS_ROOT=$WORK/sys CUNZHAN_UDEV_DATA=$WORK/udev
    for lang in en zh; do
        CUNZHAN_MOUNTS=$WORK/fulltab expect "full stick ($lang): refused" 1 \
            cz -C "$O" --lang $lang print report --to "$FULL/cards.pdf"
        contains "full stick ($lang): names the file" "$ERR" "$FULL/cards.pdf"
        [ $lang = en ] && want="the USB stick (or the folder given) is full" || want="U盘（或指定的文件夹）已满"
        contains "full stick ($lang): said as a stick's" "$ERR" "$want"
    done
    equals "full stick: no half file" "$(find "$FULL" -type f | wc -l)" 0
    umount "$FULL"
else
    echo "skip full disk: cannot mount a tmpfs here"
fi
expect "a folder that is not there" 1 cz -C "$ST" print report --to "$WORK/nowhere/r.pdf"
contains "missing folder: names the file" "$ERR" "$WORK/nowhere/r.pdf"
expect "a folder that is not there, in Chinese" 1 cz -C "$ST" --lang zh print report --to "$WORK/nowhere/r.pdf"
contains "missing folder zh: names the file" "$ERR" "$WORK/nowhere/r.pdf"
(cd "$PDFS" && cz -C "$ST" print card YSW-2016-02 >/dev/null) && [ -s "$PDFS/card-YSW-2016-02.pdf" ] &&
    pass "no --to: the working folder, named by the household" || fail "no --to: card-YSW-2016-02.pdf"

equals "the station's store is untouched" "$(entries "$ST")" "$before_st"
equals "the office's store is untouched" "$(entries "$O")" "$before_o"
expect "the station verifies" 0 cz -C "$ST" verify

# ---- the notice with a very long head's name, in both languages ----
H7=$(id_of YSW-2016-07 "$O")
expect "the office corrects 杨树林's name (long)" 0 cz -C "$O" --user 王县长 edit "$H7" head="$LONGN"
for lang in zh en; do
    expect "long notice ($lang): printed" 0 cz -C "$O" --lang $lang print notice --village 411024104201 --to "$PDFS/longn-$lang.pdf"
    pdf_checks "long notice ($lang)" "$PDFS/longn-$lang.pdf"
    flat=$(pdftotext -raw "$PDFS/longn-$lang.pdf" - | tr -d ' \n\f')
    contains "long notice ($lang): the whole name, wrapped" "$flat" "$LONGN"
    contains "long notice ($lang): the closing date" "$flat" "$CLOSES"
done
finish
