#!/usr/bin/env bash
# The registry's household side, one household walked through on the demo's
# Yangshuwan station: identified from a sheet with the national form's
# column labels (its attribute and causes, at most three), its members with
# the official columns, a grandmother who died and a baby born, a year of
# income and measures, living conditions, the work team; each new type
# loaded from a sheet with the official labels.  The report's figures for
# the household are computed by hand here: 2019 net income 12000 + 8000 -
# 2500 + 300 + (1200 + 500) = 19500 yuan over the 4 members on 31 December
# 2019 (5 entered, the grandmother died in March) = 4875.00 yuan a person.
. "$(dirname "$0")/lib.bash"
D=$WORK/demo
export CUNZHAN_PASSPHRASE=demo
V=411024104201
S=$D/yangshuwan
count() { cz -C "$S" list "$1" --json | grep -c '"id":'; }
cz -C "$D" demo >/dev/null 2>&1 || fail "demo"

# ---- identification: the household from the official columns ----
printf '户编号,所在村,户主姓名,贫困户属性,主要致贫原因,致贫原因,识别年份\nYSW-2019-88,%s,韩大山,低保贫困户,因病,"因病,因灾,缺水,交通条件落后",2019\n' $V >"$WORK/hh_bad.csv"
expect "four causes refused" 1 cz -C "$S" --lang en load household "$WORK/hh_bad.csv"
contains "names the limit" "$ERR" "at most 3 causes"
contains "names the row" "$ERR" "line 2"
expect "four causes refused (zh)" 1 cz -C "$S" --lang zh load household "$WORK/hh_bad.csv"
contains "names the limit in Chinese" "$ERR" "最多 3 项"
printf '户编号,所在村,户主姓名,贫困户属性,主要致贫原因,致贫原因,识别年份\nYSW-2019-88,%s,韩大山,低保贫困户,因病,"因病,因灾,缺水",2019\n' $V >"$WORK/hh.csv"
expect "household loads from the official labels" 0 cz -C "$S" load household "$WORK/hh.csv"
H=$(cz -C "$S" find YSW-2019-88 | awk '{print $1}')
expect "show the household" 0 cz -C "$S" --lang zh show "$H"
contains "attribute shown" "$OUT" "低保贫困户"
contains "new cause shown" "$OUT" "因灾"

# ---- members: the official columns ----
{
    echo '所属户,姓名,与户主关系,民族,文化程度,在校生状况,健康状况,劳动能力,务工状况,务工时间(月),务工地点,是否参加城乡居民基本医疗保险,是否参加大病保险,是否参加城乡居民基本养老保险,是否享受农村低保'
    echo 'YSW-2019-88,韩大山,户主,汉族,初中,非在校生,长期慢性病,普通劳动力,县外省内务工,8,郑州市,是,是,是,是'
    echo 'YSW-2019-88,韩妻,配偶,回族,小学,非在校生,健康,普通劳动力,未务工,0,,是,是,是,是'
    echo 'YSW-2019-88,韩小,子女,汉族,高中,高中,健康,无劳动力,未务工,,,是,是,否,是'
    echo 'YSW-2019-88,韩奶奶,父母,汉族,文盲或半文盲,非在校生,患有大病,丧失劳动力,未务工,,,是,是,是,是'
} >"$WORK/members.csv"
expect "members load from the official labels" 0 cz -C "$S" load member "$WORK/members.csv"
equals "four members" "$(cz -C "$S" list member household="$H" | wc -l)" 4
expect "thirteen months refused" 1 cz -C "$S" add member household="$H" name=某 work_months=13
contains "months named" "$ERR" "0 to 12 months"
expect "an unknown nationality refused" 1 cz -C "$S" add member household="$H" name=某 nationality=火星族
BABY=$(cz -C "$S" add member household="$H" name=韩宝宝 relation=grandchild nationality=01) || fail "add baby"
GRAN=$(cz -C "$S" list member household="$H" name=韩奶奶 | awk '{print $1}')

# ---- joins and leaves ----
expect "a death without the member refused" 1 cz -C "$S" --lang en add member_change household="$H" kind=death date=2019-03-01
contains "who left asked for" "$ERR" "member="
expect "a change in the future refused" 1 cz -C "$S" add member_change household="$H" member="$GRAN" kind=death date=2999-01-01
expect "the grandmother's death" 0 cz -C "$S" add member_change household="$H" member="$GRAN" kind=death date=2019-03-01
expect "the baby's birth" 0 cz -C "$S" add member_change household="$H" member="$BABY" kind=birth date=2019-05-01
printf '所属户,变动类型,变动日期,姓名\nYSW-2019-88,出生,2019-06-01,韩二宝\n' >"$WORK/changes.csv"
expect "a birth not yet entered loads by name" 0 cz -C "$S" load member_change "$WORK/changes.csv"
equals "three changes" "$(count member_change | tr -d ' ')" 5   # the demo's two births and these three

# ---- a year of income: one record per household and year ----
expect "fields of income" 0 cz -C "$S" --lang en fields income
contains "the net is worked out, not from an ID number" "$(printf '%s\n' "$OUT" | grep '^  net ')" "worked out from the other amounts"
expect "fields of income (zh)" 0 cz -C "$S" --lang zh fields income
contains "zh: the net is worked out" "$(printf '%s\n' "$OUT" | grep '^  net ')" "由各项金额算出"
printf '贫困户,年度,工资性收入(元),生产经营性收入(元),生产经营性支出(元),财产性收入(元),低保金(元),特困供养金(元),养老保险金(元),生态补偿金(元),其他转移性收入(元)\nYSW-2019-88,2019,12000,8000,2500,300,1200,0,500,0,0\n' >"$WORK/income.csv"
expect "income loads from the official labels" 0 cz -C "$S" load income "$WORK/income.csv"
I=$(cz -C "$S" list income household="$H" | awk '{print $1}')
expect "show the income" 0 cz -C "$S" show "$I"
contains "transfers worked out" "$OUT" "1700.00"
contains "net worked out" "$OUT" "19500.00"
expect "a second income for 2019 refused" 1 cz -C "$S" --lang en add income household="$H" year=2019 wages=1
contains "the first named" "$ERR" "$I"
expect "a second income for 2019 refused (zh)" 1 cz -C "$S" --lang zh add income household="$H" year=2019 wages=1
contains "the first named in Chinese" "$ERR" "该户该年度已有记录（$I"
expect "the same sheet twice refused" 1 cz -C "$S" load income "$WORK/income.csv"
expect "a typed net that disagrees refused" 1 cz -C "$S" add income household="$H" year=2018 wages=100 net=5
contains "the right net named" "$ERR" "100.00"
expect "a year before registration refused" 1 cz -C "$S" add income household="$H" year=2012 wages=100
contains "the range named" "$ERR" "2013"
expect "editing the record keeps its year" 0 cz -C "$S" edit "$I" notes=核实

# ---- measures, conditions, pairing dates, the work team ----
printf '贫困户,帮扶类别,项目名称,帮扶金额(元),资金来源,开始时间,结束时间\nYSW-2019-88,生态扶贫,生态护林员,1500,财政专项扶贫资金,2019-01-01,2019-12-31\nYSW-2019-88,生态扶贫,退耕还林补助,800.50,其他,2019-04-01,\n' >"$WORK/measures.csv"
expect "measures load from the official labels" 0 cz -C "$S" load measure "$WORK/measures.csv"
expect "a measure ending before it starts refused" 1 cz -C "$S" add measure household="$H" category=health project=体检 start=2019-05-01 end=2019-04-01
contains "the start named" "$ERR" "2019-05-01"
printf '贫困户,年度,住房面积(平方米),住房结构,危房等级,危房改造年度,是否饮水安全,是否通生活用电,与村主干路距离(公里),耕地面积(亩),有效灌溉面积(亩),林地面积(亩),退耕还林面积(亩)\nYSW-2019-88,2019,80,砖混,B级,2018,是,是,0.5,5,3,2,1\n' >"$WORK/conditions.csv"
expect "conditions load from the official labels" 0 cz -C "$S" load conditions "$WORK/conditions.csv"
expect "a grade E refused" 1 cz -C "$S" add conditions household="$H" year=2018 danger_grade=E
printf '驻村,派出单位,队长,队员,联系电话,驻村开始时间,驻村结束时间\n%s,鄢陵县农业局,韩队长,"韩队长,李队员","13800000001,13800000002",2019-03-01,2021-02-28\n' $V >"$WORK/team.csv"
expect "a work team loads from the official labels" 0 cz -C "$S" load work_team "$WORK/team.csv"
HELPER=$(cz -C "$S" list helper name=周专家 | awk '{print $1}')
expect "a pairing with its dates" 0 cz -C "$S" add pairing helper="$HELPER" household="$H" start=2019-01-01 end=2020-12-31
expect "a pairing ending before it starts refused" 1 cz -C "$S" add pairing helper="$HELPER" household="$H" start=2019-01-01 end=2018-12-31

# ---- the exit assessment shows the year's income record beside its own ----
E=$(cz -C "$S" add exit household="$H" year=2019 income_per_capita=5000 food=yes clothing=yes schooling=yes medical=yes housing=yes) ||
    fail "add the assessment"
expect "show the assessment" 0 cz -C "$S" --lang en show "$E"
contains "its own figure" "$OUT" "5000.00"
contains "the income record's, by hand" "$OUT" "net per person 4875.00 (19500.00 / 4)"
expect "show the assessment (zh)" 0 cz -C "$S" --lang zh show "$E"
contains "zh: the income record's" "$OUT" "该年度收入记录：人均纯收入 4875.00"
expect "show the household" 0 cz -C "$S" --lang en show "$H"
contains "the size counts the members who belong today (5 entered, 1 died)" "$OUT" "Household size (members)  4"

# ---- the report, by hand ----
expect "report json" 0 cz -C "$S" report --format json
contains "the demo's 40 and this household's 4 (the grandmother died)" "$OUT" '"people": 44,'
Y19=$(printf '%s\n' "$OUT" | grep -A12 '"year": 2019' | tr -d ' \n')
contains "2019: one household" "$Y19" '"households":1,'
contains "2019: four people on 31 December" "$Y19" '"people":4,'
contains "2019: net 19500 yuan" "$Y19" '"net_fen":1950000,'
contains "2019: 4875 yuan a person" "$Y19" '"net_per_person_fen":487500'
expect "report csv" 0 cz -C "$S" report --format csv
contains "csv: per person" "$OUT" "income_net_per_person_fen,$V,2019,487500,0"
contains "csv: ecology measures 2300.50 yuan in 2" "$OUT" "measure_fen,ecology,,230050,2"
expect "report text (zh)" 0 cz -C "$S" --lang zh report
contains "text: the income heading" "$OUT" "收入结构"
contains "text: per person" "$OUT" "人均纯收入 4875.00"
contains "text: measures by category" "$OUT" "生态扶贫"
expect "report text (en)" 0 cz -C "$S" --lang en report
contains "text en: per person" "$OUT" "net per person 4875.00"
expect "verify" 0 cz -C "$S" verify

finish
