#!/usr/bin/env bash
# Form kit screen tests (tmux, 80x24, TERM=xterm, C.UTF-8), as screens.sh:
# typed money, decimal and date fields; a set ticked in a checklist; a
# reference picked by searching; a training's households ticked; the record
# types under a household; framed pick-lists; drafts that survive a killed
# terminal or a kill -9 and are offered back (or discarded), and removed
# once their record is deleted (here or by a bundle).  Every wait
# polls the pane; every dump is checked to fit 80 columns (widthcheck.c).
. "$(dirname "$0")/lib.bash"
. "$(dirname "$0")/tmux.bash"

"$CUNZHAN" -C "$WORK/demo" demo >/dev/null 2>&1 || fail "demo data"
ST=$WORK/demo/yangshuwan


HH4=$(id_of YSW-2016-04)
# ME: the public key of the person the screens log in as (the demo's
# default user), whose drafts folder is drafts/$ME.
"$CUNZHAN" -C "$ST" add household number=YSW-K-01 village=411024104201 head=钥匙户 >/dev/null || fail "a household to learn the key"
ME=$("$CUNZHAN" -C "$ST" show "$(id_of YSW-K-01)" --history --json | grep -o '"signed_by_key": *"[0-9a-f]*"' |
     head -1 | grep -o '[0-9a-f]\{64\}')
[ ${#ME} = 64 ] || fail "the person's key" "$ME"
DRAFT=$ST/drafts/$ME/household-$HH4.draft

# ---- the household page adds any record filed under a household ----
start --lang en
see "en: home" "registered households"
keys Enter
see "households list" "YSW-2016-09"
text "YSW-2016-04"
see "found by number" "陈春花"
keys Enter
see "household page" "Other records"
keys F4
see "Add offers the record types of a household" "Add to this household"
see "... aid among them" "Aid"
see "... visits" "Visit"
see "... exit assessments" "Exit assessment"
contains "pick-list framed with ACS lines (top corner, line)" "$SCREEN" "lq Add to this household qq"
contains "... and its bottom corners" "$SCREEN" "qj"
contains "pick-list hint fits inside its frame" "$SCREEN" "Esc: cancel"
keys Down Down Enter
see "aid form with the household set" "New Aid"
on_line "the household is fixed, shown by number and head" "Household +YSW-2016-04 陈春花"

# ---- typed fields: money, decimal, date ----
keys Enter
see "kind pick-list" "Seeds"
keys Down Enter
gone "kind chosen" "Enter: choose"
keys Tab
text "辣椒苗"; keys Tab
text "2x0.５"; keys Tab
on_line "decimal: letters refused, full-width digit folded, 2 decimals" "Quantity +20\.50"
text "株"; keys Tab
text "1200"; keys Tab
on_line "money: 1200 written as 1200.00 with the yuan sign" "Value \(yuan\) +¥ +1200\.00"
see "date field shows its template" "YYYY-MM-DD"
text "20181345"; keys Tab
see "bad date refused inline with the schema's message" "must be a date as YYYY-MM-DD"
keys BTab C-u
text "２０１８１１０５"; keys Tab
gone "the message goes once the date is fixed" "must be a date"
on_line "full-width digits fill the date template" "Date +2018-11-05"
keys F2
see "aid signed and saved" "Signed and saved"
on_line "the aid is listed on the household page" "Aid +辣椒苗"
expect "cli: list aid" 0 "$CUNZHAN" -C "$ST" list aid --json
contains "cli: the aid's value in yuan" "$OUT" '"value": "1200.00"'
contains "cli: the aid's quantity" "$OUT" '"quantity": "20.50"'
contains "cli: the aid's date" "$OUT" '"date": "2018-11-05"'

# ---- a reference picked by searching: a visit's helper ----
keys F4 Down Down Down Down Down Enter
see "visit form" "New Visit"
keys Enter
see "helper picker" "Find:"
see "... lists the helpers" "周专家"
text "周"
see "search as you type narrows it" "1 found"
keys Enter
on_line "the helper picked is shown by name" "Helper +周专家"
keys Tab
text "t"
on_line "t puts today's date (China time)" "Date\* +$(date -u -d '+8 hours' +%F)"
keys Tab
text "看望"; keys F2
see "visit saved" "Signed and saved"
HELPER=$("$CUNZHAN" -C "$ST" list helper | awk '/周专家/ { print $1 }')
expect "cli: list visit" 0 "$CUNZHAN" -C "$ST" list visit --json
contains "cli: the visit refers to the helper picked" "$OUT" "\"helper\": \"$HELPER"
contains "cli: ... with its notes" "$OUT" "看望"

# ---- a set: the household's poverty causes ----
keys F5
see "household edit form" "Edit Household"
keys Down Down Down Down Down Down Enter
see "causes checklist" "Space: tick"
contains "... the stored cause is ticked" "$SCREEN" "[x] Lack of labour"
contains "... the others are not" "$SCREEN" "[ ] Disability"
keys Down Space Enter
on_line "two causes shown as labels" "Poverty causes +Disability, Lack of labour"
keys F2
see "household saved" "Signed and saved"
expect "cli: show the household" 0 "$CUNZHAN" -C "$ST" show "$HH4" --json
contains "cli: causes stored as the schema's keys" "$(printf '%s' "$OUT" | tr -d ' \n')" '"causes":["disability","labour"]' 
keys Escape Escape Escape
see "back home" "registered households"

# ---- a training with two households ticked ----
keys Down Down Enter
see "trainings screen" "Trainings: 2 (newest first)"
keys F4
see "new training form" "New Training"
text "20190310"; keys Tab
text "村委会"; keys Tab Tab
text "Pepper pests"; keys Tab Tab
text "3O"; keys Tab
on_line "number: only digits taken" "Trainees +3$"
keys Enter
see "households picker" "Space: tick"
text "2016-02"
see "... narrowed by number" "李秀兰"
gone "... others hidden" "杨树林"
keys Space C-u
text "杨"
see "... found by the head's name" "YSW-2016-07"
keys Space
see "two ticked" "2 ticked"
keys Enter
on_line "both households shown by number" "Attending households +YSW-2016-02 李秀兰, YSW-2016-07 杨树林"
keys F2
see "training saved; the list is back" "Trainings: 3 (newest first)"
row=$(printf '%s\n' "$SCREEN" | grep -n "2019-03-10" | cut -d: -f1)
first=$(printf '%s\n' "$SCREEN" | grep -nE "^20[0-9]{2}-" | head -1 | cut -d: -f1)
equals "newest training first" "$row" "$first"
expect "cli: list training" 0 "$CUNZHAN" -C "$ST" list training
contains "cli: the new training listed" "$OUT" "Pepper pests"
TR=$(printf '%s\n' "$OUT" | awk '/Pepper pests/ { print $1 }')
expect "cli: show the training" 0 "$CUNZHAN" -C "$ST" show "$TR"
contains "cli: attended by household 02" "$OUT" "$(id_of YSW-2016-02)"
contains "cli: attended by household 07" "$OUT" "$(id_of YSW-2016-07)"
keys Enter
see "Enter opens the newest training to edit" "Edit Training: Pepper pests"
keys Escape
gone "training form left" "Edit Training"
keys Escape
see "home again" "registered households"

# ---- any other kind of record; a household picked for a plot ----
keys Up Up Up Up Up Up Up Up Down Down Down Enter
see "new record: kinds listed" "New record: which kind?"
see "... pairings among them" "Pairing"
lacks "... not helpers (the office's, screens_login.sh)" "$SCREEN" "Helper"
lacks "... not certificates" "$SCREEN" "Certificate"
keys Down Down Down Down Down Enter
see "plot form" "New Plot"
keys Enter
see "household picker (one)" "Enter: choose"
text "张玉"
see "... narrowed by the head's name" "1 found"
keys Enter
on_line "household picked, shown by number and head" "Household\* +YSW-2016-06 张玉珍"
keys Tab
text "辣椒"; keys Tab Tab
text "1.5"; keys Tab
on_line "area written with two decimals" "Area \(mu\) +1\.50"
text "2019-04-01"; keys Tab
on_line "dashes typed are taken in stride" "Transplanted on +2019-04-01"
text "3000.999"; keys Tab
on_line "money: a third decimal is refused as typed" "¥ +3000\.99"
keys F2
see "plot saved" "Signed and saved"
expect "cli: list plot" 0 "$CUNZHAN" -C "$ST" list plot --json
contains "cli: the plot's household is the one picked" "$OUT" "\"household\": \"$(id_of YSW-2016-06)\""
contains "cli: the plot's area" "$OUT" '"area": "1.50"'
contains "cli: the plot's expected income" "$OUT" '"expected_per_mu": "3000.99"'
keys Escape
see "home once more" "registered households"
keys F10
see "quits" "EXIT=0"

# ---- drafts: the terminal killed mid-form ----
start --lang en
see "drafts: home" "registered households"
keys Enter; text "YSW-2016-04"
see "drafts: found" "陈春花"
keys Enter F5
see "drafts: edit form" "Edit Household"
keys Down Down Down Down
text "村东头"
on_line "drafts: address typed" "Address +村东头"
deadline=$((SECONDS + 5)); while [ ! -f "$DRAFT" ] && [ $SECONDS -lt $deadline ]; do sleep 0.1; done
contains "drafts: the draft is on disk beside the store" "$(cat "$DRAFT" 2>/dev/null)" "field address 村东头"
$TM kill-server
start --lang zh
see "drafts: restarted" "建档立卡贫困户"
keys Enter; text "YSW-2016-04"
see "drafts: found again" "陈春花"
keys Enter F5
see "drafts: offered back (Chinese)" "未保存的表单"
see "drafts: three answers" "留待以后"
keys Enter
on_line "drafts: restored" "住址 +村东头"
see "drafts: said so" "已恢复未保存的表单"
keys Escape
see "drafts: leaving asks" "不保存就离开吗"
keys Enter
gone "drafts: left the form" "修改 贫困户"
[ -e "$DRAFT" ]; equals "drafts: leaving on purpose deletes the draft" "$?" 1

# ---- drafts: kill -9 mid-form, then declined ----
keys F5
see "kill -9: edit form" "修改 贫困户"
keys Down Down Down Down
text "二号"
on_line "kill -9: typed" "住址 +二号"
deadline=$((SECONDS + 5)); while ! grep -q "二号" "$DRAFT" 2>/dev/null && [ $SECONDS -lt $deadline ]; do sleep 0.1; done
pid=$(program_pid)
[ -n "$pid" ] && kill -9 "$pid"
see "kill -9: the program died" "EXIT=137"
start --lang en
see "kill -9: restarted" "registered households"
keys Enter; text "YSW-2016-04"
see "kill -9: found" "陈春花"
keys Enter F5
see "kill -9: the draft is offered (English)" "Unsaved form from"
see "kill -9: ... restore, keep or discard" "Keep it for later"
keys Escape
see "kill -9: Esc keeps it for later" "The draft is kept for later"
on_line "kill -9: the stored values stay" "^ Address *$"
[ -e "$DRAFT" ]; equals "kill -9: Esc on the question keeps the draft" "$?" 0
keys Escape
gone "kill -9: form left unchanged" "Edit Household"
[ -e "$DRAFT" ]; equals "kill -9: leaving the form keeps the kept draft" "$?" 0
contains "kill -9: ... with the typing in it" "$(cat "$DRAFT" 2>/dev/null)" "field address 二号"
keys F5
see "kill -9: offered again" "Unsaved form from"
keys Down Down Enter
see "kill -9: discarding asks first" "Discard the unsaved form for good?"
keys Escape
see "kill -9: not confirmed: kept" "The draft is kept for later"
[ -e "$DRAFT" ]; equals "kill -9: a discard not confirmed keeps the draft" "$?" 0
keys Escape
gone "kill -9: left" "Edit Household"
keys F5
see "kill -9: offered a third time" "Unsaved form from"
keys Down Down Enter
see "kill -9: discard asks" "Discard the unsaved form for good?"
keys Enter
see "kill -9: discarded" "The draft was discarded"
[ -e "$DRAFT" ]; equals "kill -9: a confirmed discard deletes the draft" "$?" 1
keys Escape
gone "kill -9: form left unchanged" "Edit Household"
keys F5
see "kill -9: open again" "Edit Household"
lacks "kill -9: nothing offered now" "$SCREEN" "Unsaved form from"
keys Escape
gone "kill -9: left again" "Edit Household"

# ---- drafts: a damaged one is ignored with a message ----
printf 'cunzhan-draft 2\nperson %s\ntype household\nentity %s\nsaved 12\nfield head 半' "$ME" "$HH4" >"$DRAFT"
keys F5
see "damaged draft: ignored with a message" "A damaged draft of this form was ignored"
on_line "damaged draft: the form opens as stored" "Head of household\* +陈春花"
keys Escape
gone "damaged draft: left" "Edit Household"
printf '\x00\x01garbage\xff\n' >"$DRAFT"
keys F5
see "garbage draft: ignored" "not a cunzhan file"
keys Escape
keys F10
see "damaged drafts: quits normally" "EXIT=0"
lacks "no draft inside the store folder" "$(ls "$ST/db")" "draft"

# ---- drafts of deleted records: removed; a live record's draft stays ----
# A draft holds what was typed (names, ID numbers, phones): once its record
# is deleted its form never opens again, so the draft must go (draft.h,
# cz_draft_sweep): at start-up for a deletion made while the screens were
# closed, after an import for one that came in a bundle.
V=411024104201 O=$WORK/demo/office
"$CUNZHAN" -C "$ST" add household number=YSW-D-01 village=$V head=删除测试 >/dev/null || fail "a household to delete"
"$CUNZHAN" -C "$ST" add household number=YSW-D-02 village=$V head=导入删除 >/dev/null || fail "a household to delete by import"
DEL=$(id_of YSW-D-01) IMP=$(id_of YSW-D-02)
DEL_DRAFT=$ST/drafts/$ME/household-$DEL.draft IMP_DRAFT=$ST/drafts/$ME/household-$IMP.draft
UNDER_DEL=$ST/drafts/$ME/member-new-$DEL.draft UNDER_LIVE=$ST/drafts/$ME/member-new-$HH4.draft
NEW_DRAFT=$ST/drafts/$ME/household-new.draft
# put_draft TYPE ENTITY ADDRESS FILE: a draft as the form writes one.
put_draft() {
    printf 'cunzhan-draft 2\nperson %s\ntype %s\nentity %s\nsaved 1764390000\nfield address %s\nend\n' \
        "$ME" "$1" "$2" "$3" >"$4"
}
start --lang en
see "deleted drafts: home" "registered households"
keys Enter; text "YSW-D-01"
see "deleted drafts: found" "删除测试"
keys Enter F5
see "deleted drafts: edit form" "Edit Household"
keys Down Down Down Down
text "待删除"
deadline=$((SECONDS + 5)); while ! grep -q "待删除" "$DEL_DRAFT" 2>/dev/null && [ $SECONDS -lt $deadline ]; do sleep 0.1; done
contains "deleted drafts: the form left a draft" "$(cat "$DEL_DRAFT" 2>/dev/null)" "field address 待删除"
pid=$(program_pid)
[ -n "$pid" ] && kill -9 "$pid"
see "deleted drafts: the program died" "EXIT=137"
put_draft household "$HH4" 村西头 "$DRAFT"
put_draft household new 新户 "$NEW_DRAFT"
put_draft member new 新成员 "$UNDER_DEL"
put_draft member new 新成员 "$UNDER_LIVE"
expect "deleted drafts: the record deleted at the command line" 0 "$CUNZHAN" -C "$ST" delete "$DEL"
start --lang en
see "deleted drafts: restarted" "registered households"
[ -e "$DEL_DRAFT" ]; equals "deleted drafts: the deleted record's draft is gone at start-up" "$?" 1
[ -e "$UNDER_DEL" ]; equals "deleted drafts: ... and a new member's under it" "$?" 1
[ -e "$DRAFT" ]; equals "deleted drafts: a live record's draft stays" "$?" 0
[ -e "$UNDER_LIVE" ]; equals "deleted drafts: ... a new member's under a live household" "$?" 0
[ -e "$NEW_DRAFT" ]; equals "deleted drafts: ... a new household's" "$?" 0
# A deletion that arrives in a bundle, imported in the Sync screen.
put_draft household "$IMP" 东头 "$IMP_DRAFT"
"$CUNZHAN" -C "$ST" export --to "$WORK/up" >/dev/null && "$CUNZHAN" -C "$O" import "$WORK/up" >/dev/null ||
    fail "the household to the office"
"$CUNZHAN" -C "$O" delete "$IMP" >/dev/null || fail "the office deletes it"
"$CUNZHAN" -C "$O" export --to "$WORK/down" --for 杨树湾村 >/dev/null || fail "the office's bundle"
ready; menu_open "Sync: export and import"
see "deleted drafts: sync screen" "Sync: exchange bundles"
keys C-a Enter; text "$WORK/down"; keys Enter
see "deleted drafts: the folder is chosen" "Stick or folder: $WORK/down"
keys Down Enter
see "deleted drafts: the deletion imported" "Bundles: 1 read, 1 imported"
[ -e "$IMP_DRAFT" ]; equals "deleted drafts: the draft of the record deleted by import is gone" "$?" 1
[ -e "$DRAFT" ]; equals "deleted drafts: the live record's draft still stays" "$?" 0
[ -e "$NEW_DRAFT" ]; equals "deleted drafts: ... and the new household's" "$?" 0
keys Escape
see "deleted drafts: home again" "registered households"
menu_open "Households: list and find"
text "YSW-2016-04"
see "deleted drafts: live household found" "陈春花"
keys Enter F5
see "deleted drafts: the live record's draft is offered back" "Unsaved form from"
keys Enter
on_line "deleted drafts: restored" "Address +村西头"
keys Escape
see "deleted drafts: leaving asks" "Leave without saving?"
keys Enter
gone "deleted drafts: left the form" "Edit Household"
keys F10
see "deleted drafts: quits" "EXIT=0"
rm -f "$NEW_DRAFT" "$UNDER_LIVE"

# ---- vt100 and the linux console: framed pick-lists still fit ----
rm -f "$DRAFT"
TERMTYPE=vt100 start --lang zh
see "vt100: home" "建档立卡贫困户"
keys Enter; text "YSW-2016-04"
see "vt100: found" "陈春花"
keys Enter F4
see "vt100: pick-list" "为本户新增"
contains "vt100: framed" "$SCREEN" "lq 为本户新增 qq"
keys Escape
gone "vt100: pick-list closed" "为本户新增"
keys Escape 5   # vt100 has no F5 key: Esc then 5
see "vt100: household form in Chinese" "修改 贫困户"
keys Down Down Down Down Down Down Enter
see "vt100: causes checklist in Chinese" "空格：勾选"
contains "vt100: ... labels in Chinese, ticked as stored" "$SCREEN" "[x] 因残"
keys Escape
gone "vt100: checklist cancelled" "空格：勾选"
on_line "vt100: cancelling changed nothing" "致贫原因 +因残、缺劳动力"
keys Escape
gone "vt100: form left" "修改 贫困户"
keys Escape Escape Escape 0
see "vt100: quits" "EXIT=0"

expect "every record verifies" 0 "$CUNZHAN" -C "$ST" verify
equals "every screen fits 80 columns" "$WIDE" 0
finish
