#!/usr/bin/env bash
# The exits overview and the figures around it, on the demo office, in
# tmux at 80x24, in Chinese and in English: what awaits a person and what
# is open in all, the same on the home screen, the approvals screen and
# `cunzhan exits`; every assessment with its stage, signers and the day
# its notice may close (Ctrl-V); the exit criterion an assessment fails
# shown in its row and detail before anyone signs; the notice's closing
# day said before any confirm; an office home that counts households as
# the report does and names the station of the last sync; a refused field
# named by its label, never its key.  `cunzhan exits` is checked beside
# the screens (stage, signers, closing day, criteria, JSON), and an
# approval by a key without the role does not move the stage.
. "$(dirname "$0")/lib.bash"
. "$(dirname "$0")/tmux.bash"

"$CUNZHAN" -C "$WORK/demo" demo >/dev/null 2>&1 || fail "demo data"
O=$WORK/demo/office Y=$WORK/demo/yangshuwan
STICK=$WORK/stick
mkdir -p "$STICK"
open_exits() { ready; menu_open "Exit approvals" "退出审批"; }
# select_exit TEXT: on the approvals screen, moves to the row whose detail
# starts with TEXT (rows come in id order, which changes run to run).
select_exit() { seek_row "row of '$1' selected" "$1"; }
# The number of assessments `cunzhan exits` lists for USER (ARGS: --all ...).
cli_count() { local u=$1; shift; cz -C "$O" --user "$u" exits --json "$@" | jq length; }
cli_open() { cz -C "$O" --user "$1" exits --all --json | jq '[.[] | select(.stage != "complete")] | length'; }

# ---- the office person: nothing to sign, one open, two in all ----
equals "cli: nothing awaits the office person" "$(cli_count 张主任)" 0
equals "cli: two assessments in all" "$(cli_count 张主任 --all)" 2
equals "cli: one of them open" "$(cli_open 张主任)" 1
startat "$O" --lang zh --user 张主任
see "office zh: home says what awaits this person and what is open" "待您审批的退出：0（进行中共 1）"
lacks "office zh: not the station's count as this person's" "$SCREEN" "待审批的退出：1"
open_exits
see "office zh: the approvals screen agrees" "没有等待您审批的环节。"
see "office zh: the footer names the toggle" "Ctrl-V 全部"
keys C-v
see "office zh: every assessment in the jurisdiction" "辖区内全部退出评估：2 份，进行中 1 份"
see "office zh: the complete one with its stage" "王德明  2018  已完成：已脱贫"
see "office zh: the open one with its stage" "杨树林  2018  待审批：县级审定"
select_exit "王德明  年度"
see "office zh: who signed the notice, and when" "4. 公示公告：陈科长@许昌市科协  2018-11-01"
see "office zh: the day the notice could close" "公示期满于 2018-10-29"
keys Enter
see "office zh: a complete chain: nothing to sign, said at once" "该户已脱贫，无需再签署"
lacks "office zh: no confirm" "$SCREEN" "签署“"
keys F1
see "office zh: help lists the toggle" "切换：辖区全部退出评估"
keys Escape
keys C-v
see "office zh: back to what awaits this person" "没有等待您审批的环节。"
keys F10
see "office zh: quits" "EXIT=0"

startat "$O" --lang en --user 张主任
see "office en: home says what awaits this person" "Exits awaiting you: 0 (open in all: 1)"
open_exits
see "office en: nothing awaits" "Nothing awaits a step you may sign."
keys C-v
see "office en: every assessment" "All exit assessments in your jurisdiction: 2, 1 open"
see "office en: the complete one" "王德明  2018  complete: exited"
see "office en: the open one" "杨树林  2018  awaits: county decision"
select_exit "王德明  year"
see "office en: who signed, and when" "4. public notice: 陈科长@许昌市科协  2018-11-01"
see "office en: the day the notice could close" "The notice could close from 2018-10-29"
keys F10
see "office en: quits" "EXIT=0"

# ---- criteria failures, and a chain in its notice ----
HH03=$(cz -C "$O" find YSW-2016-03 | awk 'NR == 1 { print $1 }')
HH04=$(cz -C "$O" find YSW-2016-04 | awk 'NR == 1 { print $1 }')
HH07=$(cz -C "$O" find YSW-2016-07 | awk 'NR == 1 { print $1 }')
expect "an assessment under the 2019 line" 0 cz -C "$O" --user 刘镇长 add exit household="$HH03" year=2019 \
    income_per_capita=1000 food=yes clothing=yes schooling=yes medical=yes housing=yes
LOW=$OUT
expect "an assessment with housing \"no\"" 0 cz -C "$O" --user 刘镇长 add exit household="$HH04" year=2019 \
    income_per_capita=5000 food=yes clothing=yes schooling=yes medical=yes housing=no
NOHOUSE=$OUT
expect "the county signs 杨树林's county step" 0 cz -C "$O" --user 王县长 approve "$HH07" --step county
CLOSE=$(date -u -d '+8 hours +7 days' +%Y-%m-%d)

# An approval by a key without the role: refused, and the stage stays.
sync_both "$Y" "$O" "$WORK/s1"
expect "a clerk's approval is refused" 1 cz -C "$Y" --user 李会计 approve "$LOW" --step village
contains "says nothing was stored" "$ERR" "nothing was stored"
expect "cli json: the stage after the clerk tried" 0 cz -C "$O" --user 王县长 exits --all --json
equals "cli: the clerk did not move the village step" \
    "$(printf '%s' "$OUT" | jq -r --arg id "$LOW" '.[] | select(.id == $id) | "\(.stage) \(.step)"')" "awaiting village"
equals "cli: the income under the line is named" \
    "$(printf '%s' "$OUT" | jq -r --arg id "$LOW" '.[] | select(.id == $id) | .criteria')" \
    "exit criteria not met: income per person 1000.00 yuan is below the 2019 poverty line of 3218.00 yuan"
contains "cli: the guarantee \"no\" is named" \
    "$(printf '%s' "$OUT" | jq -r --arg id "$NOHOUSE" '.[] | select(.id == $id) | .criteria')" "is not \"yes\""
equals "cli: the notice's stage" \
    "$(printf '%s' "$OUT" | jq -r '.[] | select(.household == "杨树林") | "\(.stage) \(.step)"')" "notice notice"
equals "cli: the day the notice may close" \
    "$(printf '%s' "$OUT" | jq -r '.[] | select(.household == "杨树林") | .notice_closes[0:10]')" "$CLOSE"
equals "cli: who signed the county step" \
    "$(printf '%s' "$OUT" | jq -r '.[] | select(.household == "杨树林") | .steps[2].signed_by')" "王县长@许昌市科协"
equals "cli: no income record of 2019 for 赵福生" \
    "$(printf '%s' "$OUT" | jq -r --arg id "$LOW" '.[] | select(.id == $id) | .income_record_per_person')" "null"
equals "cli: the 2019 line beside it" \
    "$(printf '%s' "$OUT" | jq -r --arg id "$LOW" '.[] | select(.id == $id) | .poverty_line')" "3218.00"
equals "cli: 杨树林's 2018 record, 19,500 over 5" \
    "$(printf '%s' "$OUT" | jq -r '.[] | select(.household == "杨树林") | "\(.income_record_per_person) \(.poverty_line)"')" \
    "3900.00 2995.00"
expect "cli en: the overview" 0 cz -C "$O" --lang en --user 王县长 exits --all
contains "cli en: the year's record and line" "$OUT" "Income record: 3900.00 per person (19500.00 / 5); 2018 poverty line 2995.00"
contains "cli en: none of 2019, said so" "$OUT" "No income record of that year; 2019 poverty line 3218.00"
contains "cli en: income under the line" "$OUT" "赵福生  year 2019  awaits Village appraisal"
contains "cli en: the criterion named" "$OUT" "Criteria not met:"
contains "cli en: the notice runs" "$OUT" "public notice runs until $CLOSE"
contains "cli en: the signers" "$OUT" "3. County decision     王县长@许昌市科协"
expect "cli zh: the overview" 0 cz -C "$O" --lang zh --user 王县长 exits --all
contains "cli zh: the year's record and line" "$OUT" "年度收入记录：人均 3900.00（19500.00 / 5 人）；2018 年贫困标准 2995.00"
contains "cli zh: the notice runs" "$OUT" "公示中，最早可于 $CLOSE"
contains "cli zh: the criterion named" "$OUT" "不符合退出标准："
expect "cli: a region outside holds none" 0 cz -C "$O" --lang en --user 王县长 exits --all --region 411081
contains "cli: says so" "$OUT" "No exit assessment in your jurisdiction."
expect "cli: a region of no level is a usage error" 2 cz -C "$O" --user 王县长 exits --region 411

MINE=$(cli_count 陈科长) OPEN=$(cli_open 陈科长)
startat "$O" --lang zh --user 陈科长
see "city zh: home agrees with the command line" "待您审批的退出：$MINE（进行中共 $OPEN）"
open_exits
see "city zh: income under the line in the row" "赵福生  2019  待审批：村民主评议  ! 收入低于贫困线"
see "city zh: a guarantee \"no\" in the row" "陈春花  2019  待审批：村民主评议  ! 住房安全有保障：否"
see "city zh: the notice in its row, with its day" "杨树林  2018  公示中，至 $CLOSE"
N=$(printf '%s\n' "$SCREEN" | grep -c '  20[0-9][0-9]  ')
equals "city zh: the screen lists what the home counts" "$N" "$MINE"
# Select 杨树林's row: its detail says the notice runs, before any confirm.
select_exit "杨树林  年度"
# Beside the assessment, its year's income record and line: 2018's
# 14,000 + 6,500 - 1,500 + 1,200 = 20,200 yuan over 5 members, 4,040.00.
see "city zh: the year's income record in the detail" "年度收入记录：人均 3900.00（19500.00 / 5 人）"
see "city zh: the year's line in the detail" "2018 年贫困标准：2995.00"
see "city zh: the notice's closing day in the detail" "公示期未满：最早可于 $CLOSE"
see "city zh: the notice step says it runs, open to a rejection" "4. 公示公告：公示中：期满后待您签署，现可不同意"
keys Enter
see "city zh: Approve refuses at once, with the day" "公示须满 7 天：最早可于 $CLOSE"
lacks "city zh: no confirm" "$SCREEN" "签署“公示公告”"
select_exit "赵福生  年度"
see "city zh: no income record of 2019, said so" "无该年度收入记录  2019 年贫困标准：3218.00"
see "city zh: the criterion in the detail" "低于 2019 年贫困标准 3218.00 元"
keys F10
see "city zh: quits" "EXIT=0"

startat "$O" --lang en --user 陈科长
see "city en: home agrees with the command line" "Exits awaiting you: $MINE (open in all: $OPEN)"
open_exits
see "city en: income under the line in the row" "赵福生  2019  awaits: village appraisal  ! income below the line"
see "city en: a guarantee \"no\" in the row" "陈春花  2019  awaits: village appraisal  ! Safe housing: no"
see "city en: the notice in its row" "杨树林  2018  notice runs until $CLOSE"
select_exit "杨树林  year"
see "city en: the year's income record in the detail" "income record: 3900.00 per head (19500.00 / 5)  2018 line: 2995.00"
see "city en: the notice's closing day in the detail" "The notice runs until $CLOSE"
keys Enter
see "city en: Approve refuses at once, with the day" "it may close from $CLOSE"
lacks "city en: no confirm" "$SCREEN" "Sign \"public notice\""
keys F10
see "city en: quits" "EXIT=0"

# ---- the office home: the report's figures, the station by its name ----
cz -C "$O" pubkey >"$WORK/office.id"
cz -C "$O" --user 张主任 add place code=411024104202 name=柳树村 level=village >/dev/null || fail "a place"
CUNZHAN_PASSPHRASE=newpass123 cz -C "$WORK/new" init --station 柳树村 --region 411024104202 --user 周会计 \
    --office-key "$WORK/office.id" >/dev/null 2>&1 || fail "a new station"
CUNZHAN_PASSPHRASE=newpass123 cz -C "$WORK/new" add household number=LS-01 village=411024104202 head=周大山 >/dev/null ||
    fail "a household at the new station"
CUNZHAN_PASSPHRASE=newpass123 cz -C "$WORK/new" export --to "$STICK" >/dev/null || fail "its export"
cz -C "$O" import "$STICK" >/dev/null || fail "imported at the office"
expect "report leaves the pending household out" 0 cz -C "$O" report --json
HH=$(printf '%s' "$OUT" | jq .households) PEOPLE=$(printf '%s' "$OUT" | jq .people)
LEFT=$(printf '%s' "$OUT" | jq .left_out_pending)
equals "one record left out" "$LEFT" 1
startat "$O" --lang zh --user 张主任
see "office home zh: the report's households" "建档立卡贫困户 $HH 户，$PEOPLE 人"
see "office home zh: the pending ones named as such" "签署人尚未认证、未计入的记录：$LEFT 条"
see "office home zh: the station by its name" "导入自 柳树村（尚未认证）"
on_line "office zh: the status line counts as the report does" "户 $HH +人 $PEOPLE"
keys F10
see "office home zh: quits" "EXIT=0"
startat "$O" --lang en --user 张主任
see "office home en: the report's households" "$HH registered households, $PEOPLE people"
see "office home en: the pending ones named as such" "Records left out until their signer is certified: $LEFT"
see "office home en: the station by its name" "bundle from 柳树村 (not yet enrolled)"
on_line "office en: the status line counts as the report does" "households $HH +people $PEOPLE"
keys F10
see "office home en: quits" "EXIT=0"

# ---- a refused field named by its label (resolve) ----
C=$WORK/cstick
cz -C "$Y" add household number=YSW-E-01 village=411024104201 head=标签测试 >/dev/null || fail "a household"
H=$(cz -C "$Y" find YSW-E-01 | cut -c1-12)
sync_both "$Y" "$O" "$C"
cz -C "$Y" edit "$H" phone=13600000002 >/dev/null || fail "the station's phone"
cz -C "$O" edit "$H" phone=13600000003 >/dev/null || fail "the office's phone"
sync_both "$Y" "$O" "$C"
for lang in zh en; do
    startat "$Y" --lang $lang
    ready
    menu_open "Conflicts: choose" "冲突：在不同取值间选定"
    see "$lang: the conflict" "标签测试"
    keys Enter
    see "$lang: resolve screen" "13600000003"
    keys Enter
    keys Down Down Enter
    text "abc"
    keys Enter
    keys F2
    if [ $lang = zh ]; then
        see "zh: the field by its label" "联系电话："
        lacks "zh: not by its key" "$SCREEN" "phone"
    else
        see "en: the field by its label" "Phone: "
        lacks "en: not by its key" "$SCREEN" "field phone"
    fi
    keys Escape
    if [ $lang = zh ]; then see "zh: asks before leaving" "不保存就离开吗"; else see "en: asks before leaving" "Leave without resolving"; fi
    keys y
    see "$lang: back on the conflicts list" "标签测试"
    keys F10
    see "$lang: quits" "EXIT=0"
done

[ "$WIDE" = 0 ] && pass "every screen fits 80 columns" || fail "$WIDE screens wider than 80 columns"
finish
