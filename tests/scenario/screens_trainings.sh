#!/usr/bin/env bash
# A training's attending households as Chinese clerks type them (tmux,
# 80x24, as screens.sh): separated by 、 or the full-width ，as well as
# by commas.  One parser owns the list (the schema's, for `add`, `load`
# and the forms alike), so the Trainings screen's count, `show` and
# `load` agree: three households are three, however separated.
. "$(dirname "$0")/lib.bash"
. "$(dirname "$0")/tmux.bash"

"$CUNZHAN" -C "$WORK/demo" demo >/dev/null 2>&1 || fail "demo data"
ST=$WORK/demo/yangshuwan

# From a spreadsheet: 、 and ， between the households.
printf 'date,topic,village,households,trainees\n2018-09-02,顿号培训,411024104201,YSW-2016-01、YSW-2016-02，YSW-2016-03,12\n' \
    >"$WORK/training.csv"
expect "load: a training whose households are separated by 、 and ，" 0 cz -C "$ST" load training "$WORK/training.csv"
# Typed on the command line: 、 only.
expect "add: a training whose households are separated by 、" 0 \
    cz -C "$ST" add training date=2018-09-03 topic=顿号二 village=411024104201 "households=YSW-2016-04、YSW-2016-05"
T1=$(cz -C "$ST" --json list training | jq -r '.[] | select(.fields.topic == "顿号培训") | .fields.households | length')
T2=$(cz -C "$ST" --json list training | jq -r '.[] | select(.fields.topic == "顿号二") | .fields.households | length')
equals "load: three households stored" "$T1" 3
equals "add: two households stored" "$T2" 2
expect "report: counts the sessions" 0 cz -C "$ST" report
contains "report: four sessions (the demo's two and these)" "$OUT" "Trainings 4"

for lang in zh en; do
    start --lang "$lang"
    ready; menu_open "Trainings" "培训"
    if [ $lang = zh ]; then see "zh: the trainings screen" "培训：4 场"; else see "en: the trainings screen" "Trainings: 4"; fi
    on_line "$lang: the loaded one counts three households" "2018-09-02 +顿号培训 .* 3 *$"
    on_line "$lang: the added one counts two" "2018-09-03 +顿号二 .* 2 *$"
    keys F10
    see "$lang: quits" "EXIT=0"
done

[ "$WIDE" = 0 ] && pass "every screen fits 80 columns" || fail "$WIDE screens wider than 80 columns"
finish
