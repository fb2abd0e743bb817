#!/usr/bin/env bash
# Places are real, text is kept, money rounds once: the command line at a
# new office.  A household's village must be a place record; `report
# --region` takes GB/T 2260 codes by level and refuses a code that names
# no place; prose typed with Chinese punctuation is stored as typed while
# codes and numbers are folded; the pepper income is rounded once, at the
# end; the text report's columns hold with the longest labels in English
# and Chinese (widths measured with `wc -L`, the C library's wcwidth).
. "$(dirname "$0")/lib.bash"
O=$WORK/office
V1=411024104201
LONG=411024104202

expect "office" 0 cz -C "$O" init --office 许昌市科协 --user 张主任

# ---- places are real ----
expect "household before its place refused" 1 cz -C "$O" add household number=P-1 village=$V1 head=王德明
contains "names the code" "$ERR" "names no place record ($V1)"
contains "says how to add it" "$ERR" "cunzhan add place"
expect "zh: household before its place refused" 1 cz -C "$O" --lang zh add household number=P-1 village=$V1 head=王德明
contains "zh: names the code" "$ERR" "没有这个行政区划记录（$V1）"
expect "nothing stored" 0 cz -C "$O" list household
equals "no household" "$OUT" ""

expect "city" 0 cz -C "$O" add place code=411000 name=许昌市 level=city
expect "county" 0 cz -C "$O" add place code=411024 name=鄢陵县 level=county parent=4110
expect "village" 0 cz -C "$O" add place code=$V1 name=杨树湾村 level=village parent=411024104
expect "long-named village" 0 cz -C "$O" add place code=$LONG name=新店镇东大街社区居民委员会 level=village parent=411024104
expect "other city" 0 cz -C "$O" add place code=4111 name=漯河市 level=city

# A spreadsheet at the office: one row names no place, so nothing is stored.
printf 'number,village,head\nL-1,%s,甲\nL-2,411024104299,乙\n' $V1 > "$WORK/hh.csv"
expect "load with an unknown village refused" 1 cz -C "$O" load household "$WORK/hh.csv"
contains "names the code" "$ERR" "field village (Village) names no place record (411024104299)"
expect "load stored nothing" 0 cz -C "$O" list household
equals "still no household" "$OUT" ""

# ---- text is kept: prose as typed, codes and numbers folded ----
expect "household with full-width input" 0 cz -C "$O" add household number=ＹＳＷ－００１ village=４１１０２４１０４２０１ \
    head=王德明 "address=南坞镇，杨树湾村：３组；东头" causes=因学，缺劳动力 primary_cause=schooling \
    "notes=走访：缺资金；已落实，ＯＫ"
H1=$OUT
expect "show it" 0 cz -C "$O" show "$H1"
contains "number folded" "$OUT" "YSW-001"
contains "village folded" "$OUT" "$V1"
contains "address as typed" "$OUT" "南坞镇，杨树湾村：３组；东头"
contains "notes as typed" "$OUT" "走访：缺资金；已落实，ＯＫ"
lacks "no folded comma" "$OUT" "南坞镇,"
expect "found by its folded number" 0 cz -C "$O" find YSW-001
contains "find by number" "$OUT" "王德明"
expect "found by the number typed full-width" 0 cz -C "$O" find ＹＳＷ－００１
contains "find by full-width number" "$OUT" "王德明"
expect "second household" 0 cz -C "$O" add household number=YSW-002 village=$LONG head=李秀兰 causes=funds primary_cause=funds
H2=$OUT
expect "verify" 0 cz -C "$O" verify

# ---- money rounds once ----
# Three pepper plots of 0.33 mu at 33.33 yuan a mu: 33 x 3333 = 109,989
# hundredths of a fen each, 329,967 in all = 3,299.67 fen, rounded half up
# once: 3,300 fen = 33.00 yuan.  Truncating each plot (1,099 fen) gave 32.97.
for i in 1 2 3; do
    expect "plot $i" 0 cz -C "$O" add plot household=$H1 crop=辣椒 area=0.33 expected_per_mu=33.33
done
# Aid with the longest kind and fund labels in English (Plastic mulch,
# Special fiscal poverty fund) and in Chinese (财政专项扶贫资金).
expect "aid mulch" 0 cz -C "$O" add aid household=$H1 kind=mulch value=1234.5 fund=special industry=yes
expect "aid seeds" 0 cz -C "$O" add aid household=$H2 kind=seeds value=7 fund=other

expect "report json" 0 cz -C "$O" report --format json
contains "pepper income rounded once" "$OUT" '"expected_income_fen": 3300'

# ---- the text report's columns ----
# By hand: H1 in $V1 poor (causes labour, schooling; primary
# schooling; no exit, so never returned), H2 in $LONG poor (funds, primary funds); no members, no
# exits; aid mulch/special 1234.50 (1), seeds/other 7.00 (1); special
# funds 1234.50, all industry, all reaching a household; no yearly income,
# no measures.
expect "text report" 0 cz -C "$O" report
WANT_EN="Report  region all
Households 2  people 0

Households and people by village and status
  411024104201  杨树湾村                    In poverty  1 households  0 people
  411024104202  新店镇东大街社区居民委员会  In poverty  1 households  0 people

People exited from poverty by year (whole approval chain)

Households by poverty cause (primary / among causes)
  Lack of funds    1 / 1  ##############################
  Lack of labour   0 / 1  ##############################
  Schooling costs  1 / 1  ##############################

Aid value by kind and funding source (yuan)
  Plastic mulch  Special fiscal poverty fund  1234.50  (1)  ##############################
  Seeds          Other                           7.00  (1)  #

Special fiscal poverty funds (yuan): 1234.50
  spent on industry: 100.00%  PASS (target over 70%)
  of that, reaching registered households: 100.00%  PASS (target over 80%)

Trainings 0  trainees 0  leaflets 0
Pepper plots 3  area (mu) 0.99  expected income (yuan) 33.00
Purchases 0  quantity (jin) 0.00  paid (yuan) 0.00  at floor price 0.00

Income structure by village and year (yuan; net per person over the members on 31 December)
  -

Measures by category (yuan, records)"
equals "English report as laid out by hand" "$OUT" "$WANT_EN"
EN=$OUT
expect "zh text report" 0 cz -C "$O" --lang zh report
WANT_ZH="统计报表  地区 全部
户数 2  人数 0

各村各状态户数、人数
  411024104201  杨树湾村                    未脱贫  1 户  0 人
  411024104202  新店镇东大街社区居民委员会  未脱贫  1 户  0 人

各年脱贫人数（审批链完整）

致贫原因户数（主要原因 / 含该原因）
  缺资金    1 / 1  ##############################
  缺劳动力  0 / 1  ##############################
  因学      1 / 1  ##############################

帮扶物资价值（按类别、资金来源，元）
  地膜  财政专项扶贫资金  1234.50  (1)  ##############################
  种子  其他                 7.00  (1)  #

财政专项扶贫资金（元）： 1234.50
  用于产业扶贫： 100.00%  达标（目标 70% 以上）
  其中用于建档立卡户： 100.00%  达标（目标 80% 以上）

培训场次 0  培训人数 0  发放资料 0
辣椒地块 3  面积（亩） 0.99  预计收入（元） 33.00
订单收购 0  数量（斤） 0.00  已付（元） 0.00  按保底价 0.00

收入结构（按村、年度，元；人均纯收入按当年12月31日家庭人口计）
  -

帮扶项目（按类别，金额元、条数）"
equals "Chinese report as laid out by hand" "$OUT" "$WANT_ZH"

# Measured, not only compared: in every table, each row's bar starts in
# the same display column (wc -L counts a Chinese character as two).  By
# hand: 2 spaces, the widest label, then each column after two spaces
# (one before a unit or the "/"):
#   en causes: 2 + 15 (Schooling costs) + 2 + 1 + 2 (" /") + 2 (" 1") = 24
#   en aid:    2 + 13 (Plastic mulch) + 2 + 27 (Special fiscal poverty fund)
#              + 2 + 7 (1234.50) + 2 + 3 ("(1)") = 58
#   zh causes: 2 + 8 (缺劳动力) + 2 + 1 + 2 + 2 = 17
#   zh aid:    2 + 4 (地膜) + 2 + 16 (财政专项扶贫资金) + 2 + 7 + 2 + 3 = 38
bar_columns() {
    printf '%s\n' "$1" | awk '/^  .*  #/' | while IFS= read -r line; do
        printf '%s' "${line%%  #*}" | wc -L
    done | sort -u | tr '\n' ' '
}
equals "en: causes' bars in one column" "$(bar_columns "$(printf '%s\n' "$EN" | sed -n '/poverty cause/,/^$/p')")" "24 "
equals "en: aid bars in one column" "$(bar_columns "$(printf '%s\n' "$EN" | sed -n '/Aid value/,/^$/p')")" "58 "
equals "zh: causes' bars in one column" "$(bar_columns "$(printf '%s\n' "$OUT" | sed -n '/致贫原因/,/^$/p')")" "17 "
equals "zh: aid bars in one column" "$(bar_columns "$(printf '%s\n' "$OUT" | sed -n '/帮扶物资/,/^$/p')")" "38 "

# ---- report --region by level ----
expect "GB/T 2260 city code" 0 cz -C "$O" report --format json --region 411000
contains "read as the city 4110" "$OUT" '"region": "4110"'
contains "both households" "$OUT" '"households": 2,'
expect "county written to 12 digits" 0 cz -C "$O" report --format json --region 411024000000
contains "read as the county" "$OUT" '"region": "411024"'
expect "one village" 0 cz -C "$O" report --format json --region $LONG
contains "its household" "$OUT" '"households": 1,'
expect "three digits refused" 2 cz -C "$O" report --region 411
contains "names the value" "$ERR" "report --region 411"
contains "says the levels" "$ERR" "2, 4, 6, 9 or 12 digits"
expect "zh: three digits refused" 2 cz -C "$O" --lang zh report --region 411
contains "zh: says the levels" "$ERR" "2、4、6、9 或 12 位数字"
expect "unknown city refused" 2 cz -C "$O" report --region 411200
contains "no place" "$ERR" "no place record has this code"
expect "other city known but empty" 0 cz -C "$O" report --format json --region 411100
contains "no household there" "$OUT" '"households": 0,'
expect "letters refused" 2 cz -C "$O" report --region 41a0

finish
