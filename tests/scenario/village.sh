#!/usr/bin/env bash
# The village side and the exit (villrec.h): one household of 杨树湾村
# walked through identification, a year of measures and income, its exit
# assessment against that year's line and the later criteria, the whole
# chain to the public notice (the notice a week on, under faketime, on a
# copy of the office), and monitoring after 2020; the village's figures
# and 贫困发生率; a paper exit stated by the office and refused from a
# village clerk.  Figures are worked out by hand beside each check.
. "$(dirname "$0")/lib.bash"
D=$WORK/demo
export CUNZHAN_PASSPHRASE=demo
YSW=411024104201 NZ=411081112205
Y=$D/yangshuwan O=$D/office
cz -C "$D" demo >/dev/null 2>&1 || fail "demo data"
clerk() { CUNZHAN_USER=李会计 cz -C "$Y" "$@"; }
# A week on for the notice: faketime, or for a 32-bit build (whose 64-bit
# time calls Debian's libfaketime does not catch) fakeclock32.c.
export ASAN_OPTIONS=${ASAN_OPTIONS:-}${ASAN_OPTIONS:+:}verify_asan_link_order=0
if [ "$(od -An -tx1 -j4 -N1 "$CUNZHAN" | tr -d ' ')" = 01 ]; then
    FAKETIME_LIB=$WORK/fakeclock32.so
    i686-linux-gnu-gcc -shared -fPIC -O2 -D_TIME_BITS=64 -D_FILE_OFFSET_BITS=64 -o "$FAKETIME_LIB" \
        "$(dirname "$0")/fakeclock32.c" -ldl || fail "build fakeclock32"
    at() { local when=$1; shift; env LD_PRELOAD="$FAKETIME_LIB" FAKETIME="$when" "$CUNZHAN" "$@"; }
else
    at() { local when=$1; shift; faketime -f "$when" "$CUNZHAN" "$@"; }
fi

# ---- identification ----
expect "identified in 2019" 0 clerk add household number=YSW-2019-10 village=$YSW head=韩立新 identified=2019 \
    causes=因病 primary_cause=因病
H=$OUT
expect "a member" 0 clerk add member household="$H" name=韩立新 relation=head
expect "another" 0 clerk add member household="$H" name=韩妻 relation=spouse

# ---- a year of measures and income ----
expect "an industry measure" 0 clerk add measure household="$H" category=产业扶贫 project=辣椒种植 amount=3000 \
    start=2019-04-01 end=2019-10-31
expect "a microcredit loan" 0 clerk add measure household="$H" category=credit project=扶贫小额信贷 amount=50000 \
    start=2019-03-15 end=2022-03-14
# 5,000 wages + 3,400 production - 800 costs + 0 transfers = 7,600 net;
# over the 2 members on 31 December 2019: 3,800.00 a person.
expect "the year's income" 0 clerk add income household="$H" year=2019 wages=5000 production=3400 production_costs=800
I=$OUT
expect "show the income" 0 cz -C "$Y" --json show "$I"
equals "net worked out" "$(printf '%s' "$OUT" | jq -r .fields.net)" "7600.00"
equals "transfers worked out" "$(printf '%s' "$OUT" | jq -r .fields.transfers)" "0.00"
expect "a net typed wrong is refused" 1 clerk edit "$I" net=8000
contains "the right one named" "$ERR" "7600.00"

# ---- the exit check against the 2019 line (3,218 yuan) ----
expect "an assessment under the line is saved" 0 clerk add exit household="$H" year=2019 income_per_capita=3200 \
    food=yes clothing=yes schooling=yes medical=yes housing=yes
E=$OUT
CUNZHAN_USER=孙书记 expect "not approved under the line" 1 cz -C "$Y" --lang en approve "$E" --step village
contains "the year's line named" "$ERR" "below the 2019 poverty line of 3218.00"
expect "income above the line, water not safe" 0 clerk edit "$E" income_per_capita=3800 water=no
CUNZHAN_USER=孙书记 expect "not approved without safe water" 1 cz -C "$Y" --lang en approve "$E" --step village
contains "en: the later criterion named" "$ERR" "Safe drinking water"
CUNZHAN_USER=孙书记 expect "zh: refused" 1 cz -C "$Y" --lang zh approve "$E" --step village
contains "zh: the later criterion named" "$ERR" "饮水安全有保障"
expect "exits lists the failed criterion" 0 cz -C "$Y" --lang en exits
contains "exits: named" "$OUT" "Safe drinking water"
expect "water safe, agreement missing" 0 clerk edit "$E" water=yes
expect "show names the missing agreement" 0 cz -C "$Y" --lang en show "$E"
contains "show: agreement named" "$OUT" "Household agrees"
expect "all criteria met" 0 clerk edit "$E" agreed=yes team_checked=yes
CUNZHAN_USER=孙书记 expect "the village appraises" 0 cz -C "$Y" approve "$E" --step village
expect "exits shows the chain moving" 0 cz -C "$Y" --lang en exits --all
contains "awaiting the township" "$OUT" "韩立新  year 2019  awaits Township review"
expect "still poor until the chain is whole" 0 cz -C "$Y" --lang en list household status=poor
contains "listed poor" "$OUT" "YSW-2019-10"
expect "show: the assessment beside the year's income record" 0 cz -C "$Y" --lang en show "$E"
contains "the record's 3,800.00 (7,600.00 over 2)" "$OUT" "net per person 3800.00 (7600.00 / 2)"

# ---- the chain: township, county, and the notice a week on ----
# On a copy of the office, so that its clock, moved on a week, leaves the
# office the rest of this script uses as it was.
sync_both "$Y" "$O" "$WORK/stick1"
L=$WORK/office-week
cp -a "$O" "$L"
CUNZHAN_USER=刘镇长 expect "the township reviews" 0 cz -C "$L" approve "$E" --step township
CUNZHAN_USER=王县长 expect "the county decides" 0 cz -C "$L" approve "$E" --step county
CUNZHAN_USER=陈科长 expect "the notice not before 7 days" 1 cz -C "$L" --lang en approve "$E" --step notice
contains "the day it may close named" "$ERR" "may close from"
CUNZHAN_USER=陈科长 expect "the notice closes a week on" 0 at "+8d" -C "$L" approve "$E" --step notice
expect "a week on: exited" 0 at "+8d" -C "$L" --lang en list household status=exited
contains "listed exited" "$OUT" "YSW-2019-10"
expect "a week on: the chain complete" 0 at "+8d" -C "$L" --lang en exits --all --json
equals "complete" "$(printf '%s' "$OUT" | jq -r --arg id "$E" '.[] | select(.id == $id) | .stage')" "complete"
# Exits count by the year of the notice that decided them.
NOTICE_YEAR=$(date -u -d '+8 hours +8 days' +%Y)
expect "a week on: the report" 0 at "+8d" -C "$L" report --format csv --region $YSW
contains "2 people of 1 household exited in the notice's year" "$OUT" "exited_by_year,$NOTICE_YEAR,,2,1"
contains "2019's income: 2 people" "$OUT" "income_people,$YSW,2019,1,2"
contains "2019's net 7,600.00" "$OUT" "income_transfers_net_fen,$YSW,2019,0,760000"
contains "2019's per person 3,800.00" "$OUT" "income_net_per_person_fen,$YSW,2019,380000,0"
contains "microcredit: the demo's 50,000 and this 50,000" "$OUT" "measure_fen,credit,,10000000,2"

# ---- monitoring after 2020 ----
expect "monitored" 0 clerk add monitor household="$H" kind=脱贫不稳定户 found_how=基层干部排查 risks=因病 \
    measures=家庭医生签约 found_on=2021-03-01
M=$OUT
expect "show: being monitored" 0 cz -C "$Y" --lang zh show "$M"
contains "zh: 监测中" "$OUT" "监测中"
expect "risk removed before found refused" 1 clerk edit "$M" removed_on=2021-01-01
contains "the field named" "$ERR" "removed_on"
expect "found before 2020 refused" 1 clerk add monitor name=某 village=$YSW kind=edge found_how=self risks=因灾 \
    found_on=2019-06-01
contains "2020 named" "$ERR" "2020"
expect "no household, no family refused" 1 clerk add monitor kind=edge found_how=self risks=因灾 found_on=2021-06-01
expect "risk removed" 0 clerk edit "$M" removed_on=2021-10-01
expect "show: removed" 0 cz -C "$Y" --lang en show "$M"
contains "en: Risk removed" "$OUT" "Risk removed"
expect "typed status ignored for the worked-out one" 0 clerk edit "$M" status=monitored
expect "show again" 0 cz -C "$Y" --lang en show "$M"
contains "still removed" "$OUT" "Risk removed"

# ---- the village's figures and 贫困发生率 ----
expect "2019 figures" 0 clerk add village_year village=$YSW year=2019 population=1480 rural_population=1400 \
    registered_households=10 registered_people=42
expect "one a village and year" 1 clerk add village_year village=$YSW year=2019 rural_population=1400
contains "uniqueness explained" "$ERR" "already used"
expect "registered above the rural population refused" 1 clerk add village_year village=$YSW year=2020 \
    rural_population=10 registered_people=42
expect "a year before 2013 refused" 1 clerk add village_year village=$YSW year=2012 rural_population=1400
contains "2013 named" "$ERR" "2013"
expect "another village's figures refused" 1 clerk add village_year village=$NZ year=2019 rural_population=100
# A sheet with the official column labels loads; a bad row stores nothing.
printf '行政村,年度,总人口数,农业户籍人口数,建档立卡贫困户数,建档立卡贫困人口数,通硬化路\n%s,2016,1470,1405,9,38,是\n%s,2017,1472,1408,9,2000,是\n' \
    $YSW $YSW > "$WORK/vy.csv"
expect "a row above its rural population refused" 1 clerk load village_year "$WORK/vy.csv"
contains "the row and field named" "$ERR" "registered_people"
sed -i 's/,2000,/,39,/' "$WORK/vy.csv"
expect "the official labels load" 0 clerk load village_year "$WORK/vy.csv"
expect "two years loaded" 0 cz -C "$Y" list village_year
equals "five years of 杨树湾村 now (2014, 2016-2019)" "$(printf '%s\n' "$OUT" | grep -c $YSW)" 5
expect "report json" 0 cz -C "$Y" report --format json
# 36 of the demo's people not out of poverty, and this household's 2: 38 of 1,400 = 2.71 %.
contains "not out of poverty" "$OUT" '"not_out_of_poverty": 38,'
contains "latest year's population" "$OUT" '"rural_population": 1400,'
contains "incidence" "$OUT" '"incidence_bp": 271'
expect "report text" 0 cz -C "$Y" --lang zh report
contains "zh: the incidence" "$OUT" "2.71%"
contains "zh: the monitored" "$OUT" "脱贫不稳定户"
expect "report csv" 0 cz -C "$Y" report --format csv
contains "csv incidence" "$OUT" "incidence_village,$YSW,2019,38,1400"
contains "csv township" "$OUT" "incidence_town,411024104,,38,1400"

# ---- a paper exit: the office's, never a village's ----
H5=$(cz -C "$Y" find YSW-2016-05 | cut -c1-12)
expect "a clerk's paper exit refused" 1 clerk add exit_record household="$H5" year=2014 date=2014-12-20 reference=P-1
expect "nothing stored" 0 cz -C "$Y" list exit_record
equals "no paper exit" "$OUT" ""
CUNZHAN_USER=孙书记 expect "a village supervisor's refused" 1 cz -C "$Y" add exit_record household="$H5" year=2014 \
    date=2014-12-20 reference=P-1
expect "a date outside its year refused" 1 cz -C "$O" add exit_record household="$H5" year=2014 date=2015-01-02 reference=P-1
expect "the office states it" 0 cz -C "$O" add exit_record household="$H5" year=2014 date=2014-12-20 \
    reference=鄢扶字〔2014〕12号 approver=鄢陵县扶贫开发办公室
expect "zh: show" 0 cz -C "$O" --lang zh show "$H5"
contains "zh: shown as a paper exit" "$OUT" "已脱贫（纸质档案）"
contains "zh: its date" "$OUT" "2014-12-20"
expect "en: show" 0 cz -C "$O" --lang en show "$H5"
contains "en: shown as a paper exit" "$OUT" "Exited (paper record)"
contains "en: what decided it" "$OUT" "paper file"
expect "list by the worked-out status" 0 cz -C "$O" list household status=exited_paper
contains "listed" "$OUT" "YSW-2016-05"
expect "office report csv" 0 cz -C "$O" report --format csv --region $YSW
contains "its own status row" "$OUT" "village_status,$YSW,exited_paper,1,5"
lacks "not among exits by year" "$OUT" "exited_by_year,2014"
expect "verify" 0 cz -C "$O" verify
finish
