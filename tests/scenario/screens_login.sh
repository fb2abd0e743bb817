#!/usr/bin/env bash
# Who logs in, what they may add, and deleting on screen (tmux, 80x24, as
# screens.sh): the login lists this PC's people to pick with the arrows
# (typing narrows the list), never showing a secret; the "add another kind
# of record" menu offers only what this person may write here (a village
# clerk never sees the office's helpers, places and poverty lines); a
# record's form deletes it, for the people allowed, after a confirm naming
# it, and a refused deletion says why and changes nothing.
. "$(dirname "$0")/lib.bash"
. "$(dirname "$0")/tmux.bash"

"$CUNZHAN" -C "$WORK/demo" demo >/dev/null 2>&1 || fail "demo data"
O=$WORK/demo/office ST=$WORK/demo/yangshuwan
# status_of ID [DIR]: "deleted" when `show` says the record is, else "live".
status_of() {
    [ "$(cz -C "${2:-$ST}" show "$1" --json | jq -r .deleted)" = true ] && echo deleted || echo live
}
# list_rows: the rows of the list on screen (not the find line, message or footer).
list_rows() { printf '%s\n' "$SCREEN" | sed -n '3,21p'; }
versions() { cz -C "${2:-$ST}" show "$1" --history --json | grep -o '"signed_by_key"' | wc -l; }

# ---- login: pick a person from the list ----
ENVARGS="-u CUNZHAN_PASSPHRASE" start --lang en
see "login: lists the people on this PC" "People on this PC"
see "login: the supervisor is listed" "孙书记"
see "login: the clerk is listed" "李会计"
on_line "login: with the role their certificate grants" "李会计 +clerk"
# In pinyin order (李 li before 孙 sun), the default user 孙书记 picked.
keys Up Enter
on_line "login: Up and Enter pick the person above" "User +李会计"
keys F9
on_line "login F9: the user label in Chinese" "用户 +李会计"
see "login F9: the passphrase label in Chinese" "口令"
lacks "login F9: no English label left" "$SCREEN" "Passphrase"
keys F9
on_line "login F9 again: back in English" "User +李会计"
text "wrong-pass"; keys Enter
see "login: a wrong passphrase is refused" "Wrong passphrase"
lacks "login: the passphrase is not echoed" "$SCREEN" "wrong-pass"
text "$CUNZHAN_PASSPHRASE"; keys Enter
see "login: logged in as the person picked" "user 李会计"
keys F10
see "login: quits" "EXIT=0"

ENVARGS="-u CUNZHAN_PASSPHRASE" start --lang zh
see "zh login: the list in Chinese" "本机用户"
on_line "zh login: roles in Chinese" "李会计 +录入员"
text "李"
gone "zh login: typing narrows the list" "孙书记"
keys Enter
on_line "zh login: Enter picks the one left" "用户 +李会计"
text "$CUNZHAN_PASSPHRASE"; keys Enter
see "zh login: logged in as them" "用户 李会计"
keys F10
see "zh login: quits" "EXIT=0"

# At the office: five people, the supervisor of another county among them.
ENVARGS="-u CUNZHAN_PASSPHRASE" startat "$O" --lang en
see "office login: its people" "禹州审核员"
text "禹州"; keys Enter
on_line "office login: picked by part of the name" "User +禹州审核员"
text "$CUNZHAN_PASSPHRASE"; keys Enter
see "office login: logged in" "user 禹州审核员"
keys F10
see "office login: quits" "EXIT=0"

# ---- "add another kind of record": only what this person may write ----
start --lang en --user 李会计
ready; menu_open "Add another kind of record" "新增其他记录"
see "clerk: the kinds of record" "New record: which kind?"
see "clerk: may add a pairing" "Pairing"
lacks "clerk: no helper (the office's)" "$SCREEN" "Helper"
lacks "clerk: no place (the office's)" "$SCREEN" "Place"
lacks "clerk: no poverty line (the office's)" "$SCREEN" "Poverty line"
keys F10
see "clerk: quits" "EXIT=0"
start --lang zh --user 李会计
ready; menu_open "Add another kind of record" "新增其他记录"
see "zh clerk: the kinds of record" "新增记录：选择类别"
lacks "zh clerk: no helper" "$SCREEN" "帮扶责任人"
lacks "zh clerk: no place" "$SCREEN" "行政区划"
lacks "zh clerk: no poverty line" "$SCREEN" "贫困标准"
keys F10
see "zh clerk: quits" "EXIT=0"
startat "$O" --lang en --user 张主任
ready; menu_open "Add another kind of record" "新增其他记录"
see "office: the kinds of record" "New record: which kind?"
see "office: may add a helper" "Helper"
seek "office: and a poverty line" "Poverty line" Down
keys F10
see "office: quits" "EXIT=0"
startat "$O" --lang en --user 王县长
ready; menu_open "Add another kind of record" "新增其他记录"
see "county supervisor at the office: the kinds of record" "New record: which kind?"
see "county supervisor: may add a pairing" "Pairing"
lacks "county supervisor: no helper (office people only)" "$SCREEN" "Helper"
lacks "county supervisor: no poverty line" "$SCREEN" "Poverty line"
keys F10
see "county supervisor: quits" "EXIT=0"

# ---- delete on screen ----
cz -C "$ST" --user 李会计 add household number=YSW-DEL-01 village=411024104201 head=删除测试 >/dev/null ||
    fail "delete: a household to delete"
cz -C "$ST" --user 李会计 add household number=YSW-DEL-02 village=411024104201 head=再删测试 >/dev/null ||
    fail "delete: another"
D1=$(id_of YSW-DEL-01) D2=$(id_of YSW-DEL-02)
open_household() {   # open_household NUMBER: its edit form, from home
    ready; menu_open "Households: list and find" "贫困户：列表与查找"
    text "$1"
    see "found $1" "$1"
    keys Enter F5
}
start --lang en --user 李会计
open_household YSW-DEL-01
see "delete: the edit form" "Edit Household"
see "delete: the footer offers it" "F8 Delete"
before=$(versions "$D1")
keys F8
see "delete: a confirm naming the record" "Delete Household YSW-DEL-01 删除测试?"
see "delete: says the history is kept" "Every version stays in the history."
keys Escape
gone "delete: Esc says no" "Please confirm"
equals "delete: nothing signed after no" "$(versions "$D1")" "$before"
equals "delete: still live" "$(status_of "$D1")" live
keys F8
see "delete: asked again" "Delete Household YSW-DEL-01"
keys Enter
see "delete: done, said so" "Deleted Household YSW-DEL-01"
see "delete: back on the list, its number finds nothing now" "Nothing found"
keys C-u
see "delete: the whole list" "YSW-2016-04"
lacks "delete: not on the list any more" "$(list_rows)" "YSW-DEL-01"
equals "delete: show says deleted" "$(status_of "$D1")" deleted
equals "delete: one version more (the deletion)" "$(versions "$D1")" "$((before + 1))"
keys F10
see "delete: quits" "EXIT=0"

start --lang zh --user 李会计
open_household YSW-DEL-02
see "zh delete: the edit form" "修改 贫困户"
keys F8
see "zh delete: a confirm in Chinese" "删除贫困户 YSW-DEL-02 再删测试？所有版本仍保留在历史记录中。"
keys Enter
see "zh delete: done" "已删除贫困户 YSW-DEL-02"
see "zh delete: its number finds nothing now" "没有找到"
equals "zh delete: show says deleted" "$(status_of "$D2")" deleted
keys F10
see "zh delete: quits" "EXIT=0"

# A member, from its household's page: back on that page, the member gone.
D3=$(id_of YSW-2016-04)
cz -C "$ST" --user 李会计 add member household="${D3:0:12}" name=待删成员 >/dev/null || fail "delete: a member"
M=$(cz -C "$ST" --json list member | jq -r '.[] | select(.fields.name == "待删成员") | .id')
start --lang en --user 李会计
ready; menu_open "Households: list and find" "贫困户：列表与查找"
text YSW-2016-04
see "member: found" "YSW-2016-04"
keys Enter
see "member: the household page" "待删成员"
row=$(printf '%s\n' "$SCREEN" | grep -n "待删成员" | cut -d: -f1)
first=$(printf '%s\n' "$SCREEN" | grep -n "Members (Enter" | cut -d: -f1)
for _ in $(seq $((row - first - 1))); do keys Down; done
keys Enter
see "member: its form" "Edit Member: 待删成员"
keys F8
see "member: a confirm naming it" "Delete Member 待删成员?"
keys Enter
see "member: back on the household page" "Household: "
see "member: said so" "Deleted Member 待删成员"
lacks "member: gone from the members" "$(list_rows)" "待删成员"
equals "member: show says deleted" "$(status_of "$M")" deleted
keys F10
see "member: quits" "EXIT=0"

# Refused: a supervisor of another county, at the office, on a Yangshuwan
# household.  The reason comes first, with no question, and nothing changes.
H=$(id_of YSW-2016-04 "$O")
before=$(versions "$H" "$O")
startat "$O" --lang en --user 禹州审核员
open_household YSW-2016-04
see "refused: the edit form" "Edit Household"
keys F8
see "refused: says why" "outside your jurisdiction; nothing was changed"
lacks "refused: no confirm" "$SCREEN" "Please confirm"
equals "refused: nothing signed" "$(versions "$H" "$O")" "$before"
equals "refused: still live" "$(status_of "$H" "$O")" live
keys F10
see "refused: quits" "EXIT=0"
startat "$O" --lang zh --user 禹州审核员
open_household YSW-2016-04
keys F8
see "zh refused: says why in Chinese" "不在您的辖区内；没有做任何改动"
keys F10
see "zh refused: quits" "EXIT=0"
equals "refused: still nothing signed" "$(versions "$H" "$O")" "$before"

# A new record has nothing to delete.
start --lang en --user 李会计
ready; menu_open "Add a household" "新增贫困户"
see "new form" "New Household"
keys F8
see "new form: nothing to delete" "A new record is not stored yet"
keys F10
see "new form: quits" "EXIT=0"

# ---- "add another kind of record" for a person who may add nothing ----
# 李会计, logged in, imports the office's revocation of their key: from then
# on every kind is refused to them, and the menu says so and why instead of
# showing nothing.  (A copy of the demo: the tests above still need them.)
R=$WORK/rdemo
cp -a "$WORK/demo" "$R"
RK=$(cz -C "$R/office" enrol | awk '/李会计@/ { print $1 }')
cz -C "$R/office" --user 张主任 revoke "$RK" --reason 离职 >/dev/null || fail "nothing: the revocation"
cz -C "$R/office" export --to "$WORK/rstick" --for 杨树湾村 >/dev/null || fail "nothing: its export"
startat "$R/yangshuwan" --lang zh --user 李会计
open_sync
see "nothing: the sync screen" "同步：用U盘交换数据包"
choose_folder "$WORK/rstick"
keys Down Enter
see "nothing: the revocation imported" "数据包：读取 1 个，导入 1 个"
keys Escape
ready; menu_open "Add another kind of record" "新增其他记录"
see "zh nothing: says this person may add nothing here" "您在本站不能新增任何类别的记录："
see "zh nothing: and why" "签名密钥已被市办吊销"
lacks "zh nothing: no kind offered" "$SCREEN" "结对帮扶"
keys F9
see "en nothing: says this person may add nothing here" "You may not add any kind of record at this station:"
see "en nothing: and why" "revoked"
lacks "en nothing: no Chinese left" "$SCREEN" "您在本站"
keys Enter F9
see "nothing: still the message after Enter" "您在本站不能新增任何类别的记录："
lacks "nothing: Enter opened no form" "$SCREEN" "F2 保存"
keys F10
see "nothing: quits" "EXIT=0"

[ "$WIDE" = 0 ] && pass "every screen fit 80 columns" || fail "$WIDE screens were wider than 80 columns"
finish
