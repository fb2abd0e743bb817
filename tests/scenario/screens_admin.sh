#!/usr/bin/env bash
# Supervisors' and office screens (reports, exit approvals, users, settings): the real binary in a real terminal (tmux, 80x24, TERM=xterm,
# C.UTF-8), driven by keys, checked by screen dumps.  Every wait polls the
# pane until the text appears (or a timeout), never a fixed sleep.  Every
# dump is checked to fit 80 columns by display width (widthcheck.c, which
# uses the C library's wcwidth, not cunzhan's own width function).
. "$(dirname "$0")/lib.bash"
. "$(dirname "$0")/tmux.bash"

"$CUNZHAN" -C "$WORK/demo" demo >/dev/null 2>&1 || fail "demo data"
ST=$WORK/demo/yangshuwan
OFFICE=$WORK/demo/office

# ---- reports: the same totals as `cunzhan report`, with bars ----
expect "cli report" 0 "$CUNZHAN" -C "$OFFICE" --lang en report
HH=$(printf '%s\n' "$OUT" | sed -n 's/^Households \([0-9]*\)  people \([0-9]*\).*/\1 \2/p')
[ -n "$HH" ] && pass "cli report has totals" || fail "cli report has totals" "$OUT"
set -- $HH
startat "$OFFICE" --lang en --user 张主任
see "en: office home" "Reports"
see "en: office sees users row" "Users and enrolment"
see "en: office role sees approvals row" "Exit approvals"
menu_open "Reports: figures" "统计报表与图表"
see "en: reports screen" "Report  region all"
see "en: reports same totals as the CLI" "Households $1  people $2"
see "en: reports shows bars" "##"
see "en: reports village names" "杨树湾村"
expect "cli report csv" 0 "$CUNZHAN" -C "$OFFICE" report --format csv
while IFS=, read -r section key sub a b; do
    [ "$section" = village_status ] || continue
    contains "en: village $key $sub row as the CLI" "$SCREEN" "$a hh $b people"
done <<<"$OUT"
keys NPage
# A page down from the top: the funds, past the tables of the first page.
see "en: reports pages down" "Special fiscal poverty funds (yuan)"
keys F3
see "en: region prompt" "Region code"
text "411081"; keys Enter
see "en: region filter applied" "region 411081"
expect "cli report for the region" 0 "$CUNZHAN" -C "$OFFICE" --lang en report --region 411081
HR=$(printf '%s\n' "$OUT" | sed -n 's/^\(Households [0-9]*  people [0-9]*\).*/\1/p')
see "en: region totals as the CLI" "$HR"
keys F10
see "en: quits" "EXIT=0"

startat "$OFFICE" --lang zh --user 张主任
see "zh: office home" "统计报表"
menu_open "Reports: figures" "统计报表与图表"
see "zh: reports screen in Chinese" "统计报表  地区 全部"
see "zh: reports totals" "户数 $1  人数 $2"
see "zh: bars in Chinese" "##"
keys F10
see "zh: quits" "EXIT=0"

# ---- a clerk does not see the approvals row ----
startat "$WORK/demo/yangshuwan" --lang en --user 李会计
see "clerk: home" "registered households"
lacks "clerk: no approvals row" "$SCREEN" "Exit approvals"
lacks "clerk: no users row at a village" "$SCREEN" "Users and enrolment"
keys F10
see "clerk: quits" "EXIT=0"

# select_exit NAME: the approvals list's row whose detail below it is
# NAME's assessment (its name, then its year).
select_exit() { seek_row "$1's assessment selected" "$1  (year|年度)"; }

# ---- exit approvals: the county supervisor signs the county step ----
startat "$OFFICE" --lang en --user 王县长
see "county: home has approvals" "Exit approvals"
menu_open "Exit approvals" "退出审批"
see "county: approvals list" "awaits: county decision"
# the list's order among equals is the records' ids: pick 杨树林's by name
select_exit 杨树林
see "county: 杨树林's assessment shown" "杨树林  year 2018"
see "county: chain shows who signed the township step" "刘镇长@"
see "county: the assessment's checks" "Safe housing: Yes"
keys Enter
see "county: confirm dialog" "Sign \"county decision\""
keys y
see "county: signed" "Signed: county decision"
keys Escape
see "county: back home" "Exit approvals"
keys F10
see "county: quits" "EXIT=0"
expect "cli: verify after the screen's approval" 0 "$CUNZHAN" -C "$OFFICE" --lang en verify
lacks "cli: verify finds no problem" "$OUT" "BAD"
expect "cli: the county approval is stored" 0 "$CUNZHAN" -C "$OFFICE" --lang en --json list approval step=county
N=$(printf '%s\n' "$OUT" | grep -c '"step": "county"')
equals "cli: two county approvals now (the demo signed one)" "$N" 2
NEW=$(printf '%s\n' "$OUT" | jq -r '.[] | select(.fields.date != "2018-10-22") | .id')
expect "cli: show the screen's approval" 0 "$CUNZHAN" -C "$OFFICE" --lang en show "$NEW"
contains "cli: signed by the county supervisor" "$OUT" "王县长@许昌市科协"
contains "cli: it approves the county step" "$OUT" "County decision"

# The notice: not by the county's own signer, and not before 7 days after
# the county's clock; refused before the confirm, in Chinese, with the day
# it may close.  Dates are China time (UTC+8) whatever this machine's zone.
CST_TODAY=$(date -u -d '+8 hours' +%Y-%m-%d)
startat "$OFFICE" --lang zh --user 王县长
see "notice: home" "退出审批"
menu_open "Exit approvals" "退出审批"
see "notice: the notice runs, with its day" "杨树林  2018  公示中，至 $(date -u -d '+8 hours +7 days' +%Y-%m-%d)"
see "notice: the assessment in Chinese" "住房安全有保障：是"
see "notice: the county step signed today" "县级审定：王县长@许昌市科协  $CST_TODAY"
see "notice: the day it may close" "公示期未满：最早可于 $(date -u -d '+8 hours +7 days' +%Y-%m-%d)"
keys Enter
see "notice: the same person refused in Chinese" "此人已审批过该评估的另一环节"
lacks "notice: no confirm for the same person" "$SCREEN" "签署“公示公告”"
see "notice: nothing stored" "没有保存任何内容"
keys F10
see "notice: quits" "EXIT=0"
startat "$OFFICE" --lang zh --user 陈科长
menu_open "Exit approvals" "退出审批"
see "notice: another county person sees it" "杨树林  2018  公示中，至 $(date -u -d '+8 hours +7 days' +%Y-%m-%d)"
keys Enter
see "notice: refused before 7 days, with the day" "公示须满 7 天：最早可于 $(date -u -d '+8 hours +7 days' +%Y-%m-%d)"
lacks "notice: refused before the confirm" "$SCREEN" "签署“公示公告”"
see "notice: refused in Chinese" "没有保存任何内容"
keys F10
see "notice: quits again" "EXIT=0"

# ---- a supervisor starts an exit assessment from the approvals screen ----
startat "$OFFICE" --lang en --user 刘镇长
see "start exit: home" "Exit approvals"
menu_open "Exit approvals" "退出审批"
see "start exit: approvals list" "Exit approvals awaiting"
lacks "start exit: no assessment for this household yet" "$SCREEN" "何秋菊"
keys F4
see "start exit: household prompt" "Household (name or number)"
text "YSW-2016-09"; keys Enter
see "start exit: the exit form" "New Exit assessment"
see "start exit: the household filled in" "何秋菊"
see "start exit: year field" "Year"
text "2019"; keys F2
see "start exit: saved, back on the list" "何秋菊  2019  awaits: village appraisal"
keys F10
see "start exit: quits" "EXIT=0"
expect "cli: the new exit assessment" 0 "$CUNZHAN" -C "$OFFICE" --lang en list exit year=2019
contains "cli: exit listed" "$OUT" "2019"

# ---- a supervisor rejects the next step, with a reason: Ctrl-R, on a
# vt100 (no function keys).  An empty reason and Esc store nothing. ----
expect "cli: the 2019 assessment's id" 0 "$CUNZHAN" -C "$OFFICE" --json list exit year=2019
HQJ=$(printf '%s\n' "$OUT" | jq -r '.[0].id')
E0=$(entries "$OFFICE")
TERMTYPE=vt100 startat "$OFFICE" --lang en --user 刘镇长
see "reject: home on a vt100" "Exit approvals"
menu_open "Exit approvals" "退出审批"
see "reject: the new assessment awaits the village step" "何秋菊  2019  awaits: village appraisal"
see "reject: the footer names the key" "Ctrl-R Reject"
select_exit 何秋菊
see "reject: 何秋菊's assessment shown" "何秋菊  year 2019"
keys C-r
see "reject: asks the reason" 'Why reject "village appraisal"?'
keys Enter
see "reject: an empty reason is refused" "A rejection needs a reason; nothing was stored."
equals "reject: nothing stored for an empty reason" "$(entries "$OFFICE")" "$E0"
keys C-r
see "reject: asks again" 'Why reject "village appraisal"?'
text "   "; keys Enter
see "reject: spaces are no reason either" "A rejection needs a reason; nothing was stored."
keys C-r
see "reject: asks a third time" 'Why reject "village appraisal"?'
text "about to change my mind"
see "reject: the reason typed" "about to change my mind"
keys Escape
see "reject: Esc at the reason cancels" "Rejection cancelled; nothing was stored."
equals "reject: nothing stored after Esc at the reason" "$(entries "$OFFICE")" "$E0"
keys C-r
see "reject: asks once more" 'Why reject "village appraisal"?'
text "income not checked by the village meeting"; keys Enter
see "reject: confirm" 'Reject "village appraisal" for 何秋菊?'
keys Escape
see "reject: Esc at the confirm cancels" "Rejection cancelled; nothing was stored."
equals "reject: nothing stored after Esc at the confirm" "$(entries "$OFFICE")" "$E0"
on_line "reject: still awaiting, not rejected" "1\. village appraisal: awaits its level's signature \(you may reject\)"
keys C-r
see "reject: asks for the last time" 'Why reject "village appraisal"?'
text "income not checked by the village meeting"; keys Enter
see "reject: confirm again" 'Reject "village appraisal" for 何秋菊?'
keys Enter
see "reject: the status line says so" "Rejected: village appraisal ("
on_line "reject: the chain shows the step rejected" "1\. village appraisal: rejected"
see "reject: the list row says so" "何秋菊  2019  awaits: village appraisal (rejected)"
keys F10
see "reject: quits" "EXIT=0"
equals "reject: one entry stored" "$(entries "$OFFICE")" "$((E0 + 1))"
expect "cli: verify after the screen's rejection" 0 "$CUNZHAN" -C "$OFFICE" --lang en verify
lacks "cli: verify finds no problem after it" "$OUT" "BAD"
expect "cli: the rejection is stored" 0 "$CUNZHAN" -C "$OFFICE" --json list approval decision=reject
equals "cli: one rejection" "$(printf '%s\n' "$OUT" | jq length)" 1
equals "cli: it refuses the village step" "$(printf '%s\n' "$OUT" | jq -r '.[0].fields.step')" village
equals "cli: with the reason typed" "$(printf '%s\n' "$OUT" | jq -r '.[0].fields.notes')" \
    "income not checked by the village meeting"
equals "cli: signed by the township supervisor" "$(printf '%s\n' "$OUT" | jq -r '.[0].signed_by')" "刘镇长@许昌市科协"
REJ=$(printf '%s\n' "$OUT" | jq -r '.[0].id')
expect "cli: show the rejection" 0 "$CUNZHAN" -C "$OFFICE" --lang en show "$REJ"
contains "cli: show has the reason" "$OUT" "income not checked by the village meeting"
contains "cli: show has the decision" "$OUT" "Reject"
expect "cli: show the assessment" 0 "$CUNZHAN" -C "$OFFICE" --lang en show "$HQJ"
OUT=$(printf '%s\n' "$OUT" | grep -E '^ +village ')
contains "cli: its chain has the village step rejected" "$OUT" "rejected"

# In Chinese: the empty reason refused, then the notice step of the demo's
# assessment refused with a reason, by the county (a township may not stop
# a county's step).
E0=$(entries "$OFFICE")
TERMTYPE=vt100 startat "$OFFICE" --lang zh --user 王县长
see "reject zh: home" "退出审批"
menu_open "Exit approvals" "退出审批"
see "reject zh: the footer names the key" "Ctrl-R 不同意"
select_exit 何秋菊
see "reject zh: the rejected step in Chinese" "村民主评议：未通过"
seek_row "reject zh: the assessment whose notice runs" "公示公告：公示中：期满后待您签署"
see "reject zh: the notice step runs, open to a rejection" "公示公告：公示中：期满后待您签署，现可不同意"
keys C-r
see "reject zh: asks the reason in Chinese" "不同意“公示公告”的理由"
keys Enter
see "reject zh: an empty reason is refused in Chinese" "不同意须写明理由；没有保存任何内容。"
equals "reject zh: nothing stored" "$(entries "$OFFICE")" "$E0"
keys C-r
see "reject zh: asks again" "不同意“公示公告”的理由"
text "公示期间有群众异议"; keys Enter
see "reject zh: confirm in Chinese" "不同意“公示公告”"
keys y
see "reject zh: the status line in Chinese" "已签署不同意：公示公告"
see "reject zh: the chain shows it" "公示公告：未通过"
see "reject zh: the list row says so" "待审批：公示公告（未通过）"
keys F10
see "reject zh: quits" "EXIT=0"
expect "cli: the Chinese reason is stored" 0 "$CUNZHAN" -C "$OFFICE" --json list approval decision=reject step=notice
equals "cli: with the Chinese reason" "$(printf '%s\n' "$OUT" | jq -r '.[0].fields.notes')" "公示期间有群众异议"

# ---- users: the office enrols a pending key ----
export CUNZHAN_NEW_PASSPHRASE=new-pass
expect "village adds a person (pending)" 0 "$CUNZHAN" -C "$WORK/demo/yangshuwan" user add 赵出纳
mkdir -p "$WORK/stick"
expect "village exports" 0 "$CUNZHAN" -C "$WORK/demo/yangshuwan" export --to "$WORK/stick"
expect "office imports" 0 "$CUNZHAN" -C "$OFFICE" import "$WORK/stick"
expect "cli: the key is pending" 0 "$CUNZHAN" -C "$OFFICE" --lang en enrol
contains "cli: pending listed" "$OUT" "赵出纳@杨树湾村"
startat "$OFFICE" --lang en --user 张主任
see "users: home" "Users and enrolment"
menu_open "Users and enrolment" "用户与认证"
see "users: list" "Name@station"
see "users: the pending key" "pending"
# Pending keys are listed first: the new person's row is the selected one.
FIRST=$(printf '%s\n' "$SCREEN" | grep -A1 'Name@station' | tail -1)
contains "users: the pending key on the first row" "$FIRST" "赵出纳@杨树湾村"
contains "users: first row is pending" "$FIRST" "pending"
keys Enter
see "users: role pick" "Role for 赵出纳"
keys Enter
see "users: region prompt" "Region code"
keys Enter
see "users: confirm" "Certify 赵出纳"
keys y
see "users: certified" "Certified."
keys F10
see "users: quits" "EXIT=0"
expect "cli: the key is certified now" 0 "$CUNZHAN" -C "$OFFICE" --lang en enrol
contains "cli: certified" "$(printf '%s\n' "$OUT" | grep 赵出纳)" "certified"

# Add a person on this machine, then revoke them, both through the screen.
startat "$OFFICE" --lang zh --user 张主任
see "users zh: home" "用户与认证"
menu_open "Users and enrolment" "用户与认证"
see "users zh: list in Chinese" "姓名@站点"
see "users zh: statuses in Chinese" "已认证"
keys F4
see "add user: name prompt" "新用户姓名"
text "周会计"; keys Enter
see "add user: role pick" "角色"
keys Enter
see "add user: passphrase" "新用户的口令"
text "pw-one-one"; keys Enter
see "add user: again" "再次输入口令"
lacks "add user: the passphrase is not echoed" "$SCREEN" "pw-one-one"
text "pw-two-two"; keys Enter
see "add user: two different passphrases refused" "两次输入的口令不一致"
keys F4
see "add user: name prompt again" "新用户姓名"
text "周会计"; keys Enter
see "add user: role pick again" "角色"
keys Enter
see "add user: passphrase again" "新用户的口令"
text "pw-one-one"; keys Enter
see "add user: again 2" "再次输入口令"
text "pw-one-one"; keys Enter
see "add user: added" "已添加 周会计"
see "add user: listed as certified" "周会计@许昌市科协"
keys F10
see "add user: quits" "EXIT=0"
# Their passphrase unlocks their key (a wrong one is refused as such).
CUNZHAN_PASSPHRASE=wrong expect "cli: a wrong passphrase for the new person" 1 \
    "$CUNZHAN" -C "$OFFICE" --lang en --user 周会计 add helper name=测试专家 kind=chief_expert
contains "cli: refused for the passphrase" "$ERR" "passphrase"
CUNZHAN_PASSPHRASE=pw-one-one expect "cli: the new person's passphrase unlocks (a clerk may not add helpers)" 1 \
    "$CUNZHAN" -C "$OFFICE" --lang en --user 周会计 add helper name=测试专家 kind=chief_expert
lacks "cli: not refused for the passphrase" "$ERR" "passphrase"
contains "cli: refused for the role" "$ERR" "jurisdiction or role"
startat "$OFFICE" --lang en --user 张主任
see "revoke: home" "Users and enrolment"
menu_open "Users and enrolment" "用户与认证"
see "revoke: list" "Name@station"
for i in $(seq 1 20); do
    ROW=$(printf '%s\n' "$SCREEN" | grep -n '周会计@' | cut -d: -f1)
    [ -n "$ROW" ] && break
    keys Down; capture
done
# Move down to the person's row: the list's first row is screen row 4.
for i in $(seq 4 $((ROW - 1))); do keys Down; done
keys DC
see "revoke: confirm" "Revoke 周会计@许昌市科协?"
keys y
see "revoke: done" "Revoked."
see "revoke: shown revoked" "revoked"
keys F10
see "revoke: quits" "EXIT=0"
expect "cli: the key is revoked" 0 "$CUNZHAN" -C "$OFFICE" --lang en enrol
contains "cli: revoked" "$(printf '%s\n' "$OUT" | grep 周会计)" "revoked"

# ---- no colour: the bars are plain '#' on a vt100 ----
TERMTYPE=vt100 startat "$OFFICE" --lang en --user 张主任
see "vt100: home" "Reports"
menu_open "Reports: figures" "统计报表与图表"
see "vt100: reports" "Report  region all"
see "vt100: bars drawn with #" "##"
keys Escape
see "vt100: back home" "Settings"
keys Escape 0
see "vt100: quits" "EXIT=0"

# ---- settings: the language persists across a restart ----
startat "$OFFICE" --user 张主任
see "settings: home (English from the environment)" "Settings"
menu_open "Settings: language" "设置：语言"
see "settings: screen" "Language (saved for the next start)"
see "settings: keymap state" "not present"
keys Up Enter
see "settings: switched to Chinese and saved" "已保存"
keys F10
see "settings: quits" "EXIT=0"
contains "settings: file written" "$(cat "$WORK/cfg/cunzhan/settings")" "lang=zh"
startat "$OFFICE" --user 张主任
see "settings: next start is in Chinese" "统计报表"
keys F10
see "settings: quits again" "EXIT=0"
startat "$OFFICE" --lang en --user 张主任
see "settings: --lang still wins" "Reports"
keys F10
printf 'lang=fr\n' >"$WORK/cfg/cunzhan/settings"
startat "$OFFICE" --user 张主任
see "settings: a bad file is not used" "Reports"
menu_open "Settings: language" "设置：语言"
see "settings: a bad file is explained" "Line 1 is not understood"
keys F10
printf 'bogus-key\n' >"$WORK/cfg/cunzhan/keys"
startat "$OFFICE" --lang zh --user 张主任
see "keymap: zh home" "设置"
menu_open "Settings: language" "设置：语言"
see "keymap: errors shown" "已读取，但有错误"
see "keymap: the bad line named" "bogus-key"
rm "$WORK/cfg/cunzhan/keys"
keys Down Down Enter
see "keymap: reloaded" "按键已重新读取"
see "keymap: no file now" "不存在"
keys F10
see "keymap: quits" "EXIT=0"

# ---- Approve signs the version shown: the assessment is edited (CLI)
# while the approvals screen shows the older version; signing is refused,
# nothing is stored, and the current version is shown instead. ----
TERMTYPE=vt100 startat "$OFFICE" --lang en --user 刘镇长
see "stale: home" "Exit approvals"
menu_open "Exit approvals" "退出审批"
select_exit 何秋菊
see "stale: 何秋菊's assessment shown" "何秋菊  year 2019"
lacks "stale: not yet the new income" "$SCREEN" "6543"
expect "cli: the assessment edited meanwhile" 0 "$CUNZHAN" -C "$OFFICE" --user 张主任 edit "$HQJ" income_per_capita=6543
E0=$(entries "$OFFICE")
keys Enter
see "stale: refused before the confirm, shown again" "Changed since shown: now showing the current version. Nothing stored."
lacks "stale: no confirm" "$SCREEN" 'Sign "village appraisal" for 何秋菊?'
equals "stale: nothing stored" "$(entries "$OFFICE")" "$E0"
select_exit 何秋菊
see "stale: the current version is shown" "6543"
keys F10
see "stale: quits" "EXIT=0"

# ---- Reject refused as Approve's refusals are: the supervisor's key is
# revoked (CLI, the office) while the approvals screen is open.  Last, so
# that the revocation touches no other test. ----
TERMTYPE=vt100 startat "$OFFICE" --lang en --user 刘镇长
see "reject refused: home" "Exit approvals"
menu_open "Exit approvals" "退出审批"
select_exit 何秋菊
see "reject refused: 何秋菊's assessment shown" "何秋菊  year 2019"
expect "cli: 刘镇长's key" 0 "$CUNZHAN" -C "$OFFICE" --json status
LZZ=$(printf '%s\n' "$OUT" | jq -r '.users[] | select(.name == "刘镇长") | .key')
expect "cli: the office revokes 刘镇长 meanwhile" 0 "$CUNZHAN" -C "$OFFICE" --user 张主任 revoke "$LZZ"
E0=$(entries "$OFFICE")
keys C-r
see "reject refused: asks the reason" 'Why reject "village appraisal"?'
text "too late"; keys Enter
see "reject refused: confirm" 'Reject "village appraisal" for 何秋菊?'
keys y
# A revoked person signs nothing (CZ_EREVOKED, station_check.c cz_st_may_write).
see "reject refused: the refusal, as Approve shows it" "signed by a key the office has revoked"
lacks "reject refused: not reported as rejected" "$SCREEN" "Rejected: "
equals "reject refused: nothing stored" "$(entries "$OFFICE")" "$E0"
keys F10
see "reject refused: quits" "EXIT=0"

equals "every screen fits 80 columns" "$WIDE" 0
finish
