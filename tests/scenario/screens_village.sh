#!/usr/bin/env bash
# The village side on screen (villrec.h): the Reports screen's 贫困发生率
# by village and township and its monitored households; a paper exit
# shown as such in the household list and on the page; the new kinds
# offered by "Add another kind of record" and the page's add menu, with
# their forms, and a monitored household listed on its household's page.
# The real binary in tmux at 80x24, in Chinese and in English.
. "$(dirname "$0")/lib.bash"
. "$(dirname "$0")/tmux.bash"

export CUNZHAN_PASSPHRASE=demo
cz -C "$WORK/demo" demo >/dev/null 2>&1 || fail "demo data"
O=$WORK/demo/office Y=$WORK/demo/yangshuwan
open_reports() { ready; menu_open "Reports: figures and charts" "统计报表与图表"; }

# ---- the report ----
startat "$O" --lang zh
open_reports
see "zh: reports" "地区 全部"
keys End
see "zh: incidence heading" "贫困发生率（未脱贫人口 / 农业户籍人口）"
on_line "zh: Yangshuwan's incidence" "杨树湾村 2018 .*36/1410 2.55%"
on_line "zh: Nanzhai's" "南寨村 2018 .*8/2180 0.37%"
on_line "zh: the township" "南坞镇 .*36/1410 2.55%"
see "zh: monitored heading" "防返贫监测户（按类别、状态）"
on_line "zh: by kind and status" "脱贫不稳定户 .*已消除风险 1 户"
on_line "zh: ... the others monitored" "边缘易致贫户 .*监测中 1 户"
keys F10
see "zh: quits" "EXIT=0"
startat "$O" --lang en
open_reports
see "en: reports" "region all"
keys End
see "en: incidence heading" "Poverty incidence (not out of poverty / rural population)"
on_line "en: Yangshuwan's incidence" "杨树湾村 2018 .*36/1410 2.55%"
see "en: monitored heading" "Monitored households by kind and status"
on_line "en: by kind and status" "Exited, unstable .*Risk removed 1 hh"
on_line "en: sudden hardship" "Sudden severe hardship .*Being monitored 1 hh"
keys F10
see "en: quits" "EXIT=0"

# ---- a paper exit, shown as such ----
H5=$(cz -C "$O" find YSW-2016-05 | cut -c1-12)
expect "the office states the paper exit" 0 cz -C "$O" add exit_record household="$H5" year=2014 date=2014-12-20 \
    reference=鄢扶字〔2014〕12号 approver=鄢陵县扶贫开发办公室
startat "$O" --lang zh
ready
keys Enter
see "zh: the list" "找到"
on_line "zh: the list says paper exit (cut to its column)" "YSW-2016-05 .*已脱贫（"
text "YSW-2016-05"
see "zh: found" "刘长海"
keys Enter
see "zh: its page" "贫困户: 刘长海"
on_line "zh: page status" "贫困状态 +已脱贫（纸质档案）"
on_line "zh: page exit date" "脱贫日期 +2014-12-20"
keys F4
see "zh: the page's add menu offers the paper exit" "纸质脱贫档案"
see "zh: ... and monitoring" "防返贫监测户"
keys Escape
startat "$O" --lang en
ready
keys Enter
on_line "en: the list says paper exit (cut to its column)" "YSW-2016-05 .*Exited \(pa"
text "YSW-2016-05"
see "en: found" "刘长海"
keys Enter
on_line "en: page status" "Status +Exited \(paper record\)"
on_line "en: page exit date" "Exited on +2014-12-20"

# ---- the new kinds: menus, forms, and the page ----
CUNZHAN_USER=李会计 expect "a monitored family named" 0 cz -C "$Y" add monitor household=YSW-2016-03 name=赵福生 \
    kind=edge found_how=cadres risks=因学 found_on=2022-09-01
startat "$Y" --lang zh --user 李会计
ready
menu_open "Add another kind of record" "新增其他记录"
see "zh: the kinds" "新增记录：选择类别"
keys End
see "zh: the poor village's year offered" "贫困村年度信息"
# The last kinds a clerk may add: village year, monitored household,
# return, exit assessment.
keys Up Up Up Enter
see "zh: its form" "农业户籍人口数"
see "zh: ... with the village's facilities" "有标准化卫生室"
keys Escape
startat "$Y" --lang en --user 李会计
ready
menu_open "Add another kind of record" "新增其他记录"
see "en: the kinds" "New record: which kind?"
keys End
see "en: monitoring offered" "Monitored household"
keys Up Up Enter
see "en: its form" "Found by"
see "en: ... the risks" "Risks"
keys Escape
startat "$Y" --lang zh --user 李会计
ready
keys Enter
text "YSW-2016-03"
see "zh: found" "赵福生"
keys Enter
see "zh: its page" "贫困户: 赵福生"
seek "zh: the monitored record on the page" "防返贫监测户 +赵福生" Down
finish
