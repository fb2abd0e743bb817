#!/usr/bin/env bash
# People and the office root, on the command line and on screen (tmux,
# 80x24, as screens_admin.sh): the passphrase rule when one is set, `user
# passwd` and `user remove` and their Settings rows, the root key kept to
# office people, a revoked person's login refused.
. "$(dirname "$0")/lib.bash"
. "$(dirname "$0")/tmux.bash"

"$CUNZHAN" -C "$WORK/demo" demo >/dev/null 2>&1 || fail "demo data"
OFFICE=$WORK/demo/office
YSW=$WORK/demo/yangshuwan

# ---- the passphrase rule, wherever one is set ----
for weak in 1 " " aaaaaaaa 七个汉字的口令; do
    CUNZHAN_PASSPHRASE="$weak" expect "init refuses '$weak'" 1 cz -C "$WORK/weak" init --office 市办 --user 甲
    contains "init names the rule" "$ERR" "at least 8 characters"
    [ ! -e "$WORK/weak/db/data.mdb" ] && pass "nothing made for '$weak'" || fail "nothing made for '$weak'"
    CUNZHAN_NEW_PASSPHRASE="$weak" expect "user add refuses '$weak'" 1 cz -C "$OFFICE" --user 张主任 user add 新人
    CUNZHAN_NEW_PASSPHRASE="$weak" expect "user passwd refuses '$weak'" 1 cz -C "$OFFICE" user passwd 张主任
done
CUNZHAN_PASSPHRASE=1 expect "zh: the rule in Chinese" 1 cz -C "$WORK/weak" --lang zh init --office 市办 --user 甲
contains "zh: names the rule" "$ERR" "至少 8 个字符"
CUNZHAN_PASSPHRASE=八个汉字的好口令 expect "eight Chinese characters are enough" 0 cz -C "$WORK/weak" init --office 市办 --user 甲
# The demo's documented passphrase still logs in (the rule is not checked
# at login).
CUNZHAN_PASSPHRASE=demo expect "demo's short passphrase" 0 cz -C "$WORK/demo2" demo
CUNZHAN_PASSPHRASE=demo expect "logs in with it" 0 cz -C "$WORK/demo2/yangshuwan" --user 李会计 add visit \
    household="$(CUNZHAN_PASSPHRASE=demo cz -C "$WORK/demo2/yangshuwan" --json list household | jq -r '.[0].id')" date=2020-01-01

# ---- the root key only in office slots ----
CUNZHAN_NEW_PASSPHRASE=qian-kuaiji expect "office adds a clerk" 0 cz -C "$OFFICE" --user 张主任 user add 钱会计 --role clerk
expect "keys at the office" 0 cz -C "$OFFICE" --json enrol
FOUNDER=$(printf '%s\n' "$OUT" | jq -r '.[] | select(.name == "张主任") | .key' | cut -c1-12)
[ -n "$FOUNDER" ] && pass "the founder's key id" || fail "the founder's key id" "$OUT"
CUNZHAN_PASSPHRASE=qian-kuaiji expect "an office clerk cannot revoke the head" 1 cz -C "$OFFICE" --user 钱会计 revoke "$FOUNDER"
CUNZHAN_PASSPHRASE=qian-kuaiji expect "nor enrol themselves as office" 1 cz -C "$OFFICE" --user 钱会计 user add 钱二 --role office
CUNZHAN_PASSPHRASE=qian-kuaiji expect "a supervisor at the office cannot add people" 1 \
    cz -C "$OFFICE" --user 刘镇长 user add 同伙 --role clerk
expect "the head is not revoked" 0 cz -C "$OFFICE" --json enrol
equals "the head still certified" "$(printf '%s\n' "$OUT" | jq -r '.[] | select(.name == "张主任") | .state')" certified

# On screen too: a supervisor logged in at the office adds no one.
startat "$OFFICE" --lang en --user 王县长
see "supervisor at the office: home" "Users and enrolment"
menu_open "Users and enrolment" "用户与认证"
see "supervisor: users list" "Name@station"
keys F4
see "supervisor: name prompt" "New person's name"
text "同伙"; keys Enter
see "supervisor: role pick" "Role"
keys Down Down Enter
see "supervisor: passphrase prompt" "8 characters or more"
text "accomplice-pass"; keys Enter
text "accomplice-pass"; keys Enter
see "supervisor: refused, clearly" "Only a person certified as office (holding the root key)"
keys F10
see "supervisor: quits" "EXIT=0"
expect "nobody was added" 0 cz -C "$OFFICE" --json status
equals "no 同伙" "$(printf '%s\n' "$OUT" | jq -r '[.users[].name] | index("同伙")')" null

# ---- user remove on the command line ----
expect "cannot remove yourself" 1 cz -C "$OFFICE" --user 张主任 user remove 张主任
contains "says why" "$ERR" "cannot remove yourself"
CUNZHAN_PASSPHRASE=qian-kuaiji expect "a clerk removes no one" 1 cz -C "$OFFICE" --user 钱会计 user remove 王县长
expect "no such person" 1 cz -C "$OFFICE" --user 张主任 user remove 无此人
expect "the head removes a person's slot" 0 cz -C "$OFFICE" --user 张主任 user remove 钱会计
contains "reminds that the key is not revoked" "$OUT" "not revoked"
CUNZHAN_PASSPHRASE=qian-kuaiji expect "their login is gone" 1 cz -C "$OFFICE" --user 钱会计 add helper name=某 kind=expert
expect "usage" 2 cz -C "$OFFICE" user remove

# ---- a revoked person's login signs nothing ----
expect "village keys" 0 cz -C "$OFFICE" --json enrol
CLERK=$(printf '%s\n' "$OUT" | jq -r '.[] | select(.name == "李会计") | .key' | cut -c1-12)
expect "the office revokes 李会计" 0 cz -C "$OFFICE" --user 张主任 revoke "$CLERK"
mkdir -p "$WORK/stick"
expect "office exports" 0 cz -C "$OFFICE" export --to "$WORK/stick"
expect "village imports" 0 cz -C "$YSW" import "$WORK/stick"
expect "the revoked clerk cannot sign" 1 cz -C "$YSW" --user 李会计 add visit \
    household="$(cz -C "$YSW" --json list household | jq -r '.[0].id')" date=2020-01-01
contains "says revoked" "$ERR" "revoked"

# ---- Settings: change my passphrase ----
startat "$OFFICE" --lang en --user 张主任
see "passwd: home" "Settings"
menu_open "Settings: language" "设置：语言"
see "passwd: people section" "People on this PC; logged in: 张主任"
keys Down Down
keys Enter
see "passwd: asks the current one" "Your current passphrase"
text "test-pass"; keys Enter
see "passwd: asks the new one" "New passphrase (8 characters or more)"
text "short"; keys Enter
see "passwd: again" "The new passphrase again"
lacks "passwd: not echoed" "$SCREEN" "short"
text "short"; keys Enter
see "passwd: the rule refused it" "at least 8 characters"
keys Enter
see "passwd: asks again" "Your current passphrase"
text "wrong-pass"; keys Enter
text "office-new-pass"; keys Enter
text "office-new-pass"; keys Enter
see "passwd: a wrong current one" "The current passphrase is wrong"
keys Enter
see "passwd: once more" "Your current passphrase"
text "test-pass"; keys Enter
text "office-new-pass"; keys Enter
text "office-new-pass"; keys Enter
see "passwd: changed" "Passphrase changed."
keys F10
see "passwd: quits" "EXIT=0"
expect "cli: the old passphrase no longer opens" 1 cz -C "$OFFICE" --user 张主任 add helper name=某甲 kind=expert
CUNZHAN_PASSPHRASE=office-new-pass expect "cli: the new one does" 0 cz -C "$OFFICE" --user 张主任 add helper name=某甲 kind=expert
# And back, on the command line.
CUNZHAN_PASSPHRASE=office-new-pass CUNZHAN_NEW_PASSPHRASE=test-pass-2 expect "cli: user passwd" 0 \
    cz -C "$OFFICE" user passwd 张主任
CUNZHAN_PASSPHRASE=test-pass-2 expect "cli: after user passwd" 0 cz -C "$OFFICE" --user 张主任 add helper name=某乙 kind=expert

# ---- Settings: remove a person from this PC (zh) ----
ENVARGS="CUNZHAN_PASSPHRASE=test-pass-2" startat "$OFFICE" --lang zh --user 张主任
see "remove zh: home" "设置"
menu_open "Settings: language" "设置：语言"
see "remove zh: people section" "本机用户；当前登录： 张主任"
keys Down Down Down Down
keys Enter
see "remove zh: who" "从本机删除谁"
lacks "remove zh: not yourself" "$SCREEN" "张主任  "
see "remove zh: the first other person" "刘镇长"
keys Enter
see "remove zh: confirm" "从本机删除 刘镇长 的密钥"
keys y
see "remove zh: removed" "已从本机删除 刘镇长"
keys F10
see "remove zh: quits" "EXIT=0"
expect "cli: the slot is gone" 0 cz -C "$OFFICE" --json status
equals "cli: 刘镇长 not listed" "$(printf '%s\n' "$OUT" | jq -r '[.users[].name] | index("刘镇长")')" null

finish
