#!/usr/bin/env bash
# The registry's household side on screen at 80x24, in Chinese and in
# English: a household page shows its yearly income and living conditions
# side by side, one column a year, newest first (the demo's YSW-2016-01:
# 2018 and 2017 income, 2016 and 2018 conditions), with the net per person
# beside the exit assessment's figure; a member who died is marked on the
# page; a yearly income is added from the page's add menu; and the Reports
# screen ends with the income by village and year and the measures.
. "$(dirname "$0")/lib.bash"
. "$(dirname "$0")/tmux.bash"

cz -C "$WORK/demo" demo >/dev/null 2>&1 || fail "demo data"
ST=$WORK/demo/yangshuwan
H=$(cz -C "$ST" find YSW-2016-01 | awk '{print $1}')
GRANDPA=$(cz -C "$ST" list member household="$H" name=王德明 | awk '{print $1}')
cz -C "$ST" add member_change household="$H" member="$GRANDPA" kind=death date=2019-02-01 >/dev/null ||
    fail "add the death"

open_page() {
    ready
    keys Enter
    await 10 has_text "YSW-2016-09"
    text "YSW-2016-01"
    await 10 has_text "王德明"
    keys Enter
}

# ---- Chinese ----
start --lang zh
open_page
see "zh: the household page" "贫困户: 王德明"
see "zh: a member who died is marked" "已离开： 死亡 2019-02-01"
scroll_to "zh: the yearly records' heading" "年度记录"
on_line "zh: the years side by side, newest first" "年度 +2018 +2017 +2016"
scroll_to "zh: net income in view" "家庭纯收入"
on_line "zh: net income, 2018 beside 2017" "家庭纯收入\(元\) +16800\.00 +13500\.00"
scroll_to "zh: the exit figure in view" "退出评估人均纯收入"
on_line "zh: per person over the members that year" "人均纯收入\(元/人口\) +4200\.00/4 +3375\.00/4"
on_line "zh: the exit assessment's figure beside it" "退出评估人均纯收入 +4200\.00"
scroll_to "zh: the grade in view" "危房等级"
on_line "zh: conditions: grade A in 2018, C in 2016" "危房等级 +A级 +C级"
keys F4
see "zh: the add menu" "为本户新增"
see "zh: ... offers the yearly income" "年度收入"
keys Down Down Down Down Down Down Down Enter
see "zh: the income form" "工资性收入"
keys Escape
await 10 has_text "为本户新增" || await 5 has_text "贫困户: 王德明"

keys F10
see "zh: quits" "EXIT=0"

# ---- the Reports screen: income by village and year, measures ----
# Yangshuwan 2018: 142,800 yuan net over its 40 people = 3,570.00 a person
# (the death above is in 2019); 2017: 116,400 over 39 = 2,984.62.
start --lang zh
menu_open "Reports: figures" "统计报表与图表"
see "zh reports: open" "统计报表"
seek "zh reports: the income heading" "收入结构" PgDn
seek "zh reports: 2018 per person" "杨树湾村 2018 .*3570\.00（9 户 40 人）" Down
on_line "zh reports: 2017 per person" "杨树湾村 2017 .*2984\.62（9 户 39 人）"
seek "zh reports: measures by category" "帮扶项目（按类别" Down
seek "zh reports: the microcredit" "金融扶贫\(小额信贷\) .*50000\.00 \(1\)" Down
keys F10
see "zh reports: quits" "EXIT=0"
start --lang en
menu_open "Reports: figures" "统计报表与图表"
see "en reports: open" "Report  region"
seek "en reports: 2018 per person" "杨树湾村 2018 .*3570\.00 \(9 hh 40 people\)" PgDn
seek "en reports: measures in English" "Microcredit .*50000\.00 \(1\)" Down
keys F10
see "en reports: quits" "EXIT=0"

# ---- English ----
start --lang en
open_page
see "en: the household page" "Household: 王德明"
see "en: a member who died is marked" "left: Death 2019-02-01"
scroll_to "en: the yearly records' heading" "Yearly records"
on_line "en: the years side by side, newest first" "Year +2018 +2017 +2016"
scroll_to "en: net income in view" "Net income"
on_line "en: net income, 2018 beside 2017" "Net income \(yuan\) +16800\.00 +13500\.00"
on_line "en: a long label cut with …" "Production income \(yua… +7500\.00"
scroll_to "en: the grade in view" "Dangerous-house grade"
on_line "en: conditions: grade A in 2018, C in 2016" "Dangerous-house grade +A \(safe\) +C \(partly"

# ---- the household attribute by year ----
# YSW-2016-01 gives none in any year: its own (一般贫困户) in every column.
# YSW-2016-08 (郭建设), identified 一般贫困户, is 低保贫困户 on its 2018
# form and names none in 2017: its own value stands for 2017, and the
# latest year's is the one it has now.
open_hh() {
    ready
    keys Enter
    await 10 has_text "YSW-2016-09"
    text "$1"
    await 10 has_text "$2"
    keys Enter
}
start --lang zh
open_page
scroll_to "zh attribute: the years in view" "家庭纯收入"
on_line "zh attribute: the household's own in every year" "贫困户属性 +一般贫困户 +一般贫困户 +一般贫困户"
keys F10
see "zh attribute: quits" "EXIT=0"
for lang in zh en; do
    start --lang $lang
    open_hh YSW-2016-08 郭建设
    if [ $lang = zh ]; then
        scroll_to "zh attribute: 郭建设's years" "家庭纯收入"
        on_line "zh attribute: 2018's own, 2017 the household's" "贫困户属性 +低保贫困户 +一般贫困户"
        scroll_to "zh attribute: now the latest year's" "当前贫困户属性（最近年度）：低保贫困户"
    else
        scroll_to "en attribute: 郭建设's years" "Net income"
        on_line "en attribute: 2018's own, 2017 the household's" "Household attribute +Minimum-living-… +General poor"
        scroll_to "en attribute: now the latest year's" "Attribute now (the latest year's): Minimum-living-allowance poor"
    fi
    keys F10
    see "$lang attribute: quits" "EXIT=0"
done
expect "an attribute outside the list is refused" 1 cz -C "$ST" --lang en add income \
    household="$(cz -C "$ST" find YSW-2016-08 | cut -c1-12)" year=2019 attribute=rich
contains "refused naming the field" "$ERR" "Household attribute"
H8=$(cz -C "$ST" find YSW-2016-08 | cut -c1-12)
expect "show: the attribute now, 2018's" 0 cz -C "$ST" --lang en show "$H8"
contains "en: from 2018's record" "$OUT" "Attribute now (from the income record of 2018): Minimum-living-allowance poor"
expect "a year's attribute by its Chinese label" 0 cz -C "$ST" add income household="$H8" year=2019 attribute=特困供养贫困户
expect "a later year that names none" 0 cz -C "$ST" add income household="$H8" year=2020 wages=9000
expect "zh show: the latest year that names one" 0 cz -C "$ST" --lang zh show "$H8"
contains "zh: from 2019's record" "$OUT" "当前贫困户属性（取自 2019 年度收入记录）：特困供养贫困户"
expect "json show" 0 cz -C "$ST" --json show "$H8"
equals "json: attribute now and its year" "$(printf '%s' "$OUT" | jq -r '"\(.attribute_now) \(.attribute_year)"')" "tekun 2019"
expect "json show of a household no year names" 0 cz -C "$ST" --json show "$(cz -C "$ST" find YSW-2016-01 | cut -c1-12)"
equals "json: its own attribute, from no year" "$(printf '%s' "$OUT" | jq -r '"\(.attribute_now) \(.attribute_year)"')" "general null"
# A sheet with the official column labels (贫困户属性 among them) loads.
printf '贫困户,年度,工资性收入(元),贫困户属性\nYSW-2016-03,2019,8000,低保贫困户\n' >"$WORK/income.csv"
expect "an income sheet with the official labels loads" 0 cz -C "$ST" load income "$WORK/income.csv"
expect "zh show: the loaded year's attribute" 0 cz -C "$ST" --lang zh show "$(cz -C "$ST" find YSW-2016-03 | cut -c1-12)"
contains "zh: from the sheet's 2019" "$OUT" "当前贫困户属性（取自 2019 年度收入记录）：低保贫困户"

finish
