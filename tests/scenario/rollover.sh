#!/usr/bin/env bash
# Root rollover from the command line: the office replaces its root key
# (`root rollover`), a village imports the statement and pins the new root,
# what was certified before still counts, and a station that joins after
# the rollover is enrolled under the new root end to end.
. "$(dirname "$0")/lib.bash"
O=$WORK/office V=$WORK/village STICK=$WORK/stick
cz -C "$O" init --office 许昌市科协 --user 张主任 >/dev/null
places "$O" 411081106201 411081106202
cz -C "$O" user add 王会计 --role clerk >/dev/null
cz -C "$O" pubkey > "$WORK/office.id"
cz -C "$V" init --station 杨树湾村 --region 411081106201 --user 李书记 --office-key "$WORK/office.id" >/dev/null
cz -C "$V" export --to "$STICK" >/dev/null && cz -C "$O" import "$STICK" >/dev/null
cz -C "$O" enrol --all-pending --role supervisor --region 411081106201 >/dev/null
cz -C "$O" export --to "$STICK" >/dev/null && cz -C "$V" import "$STICK" >/dev/null
OLD=$(cz -C "$V" status --json | jq -r .office_fingerprint)

# ---- only an office person rolls over ----
expect "a clerk cannot roll the root over" 1 cz -C "$O" --user 王会计 root rollover
equals "the root is unchanged" "$(cz -C "$O" status --json | jq -r .office_fingerprint)" "$OLD"

# ---- the office ----
expect "the office rolls its root over" 0 cz -C "$O" root rollover --reason 科员离职 --json
NEW=$(printf '%s' "$OUT" | jq -r .fingerprint)
[ -n "$NEW" ] && [ "$NEW" != "$OLD" ] && pass "a new fingerprint" || fail "a new fingerprint" "$OUT"
equals "the office's status shows the new root" "$(cz -C "$O" status --json | jq -r .office_fingerprint)" "$NEW"
expect "the office still verifies" 0 cz -C "$O" verify

# ---- a village ----
cz -C "$O" export --to "$STICK" >/dev/null
expect "the village imports the rollover" 0 cz -C "$V" import "$STICK"
contains "and says the root was replaced" "$OUT" "$NEW"
equals "the village's status shows the new root" "$(cz -C "$V" status --json | jq -r .office_fingerprint)" "$NEW"
expect "its supervisor, certified before, still writes" 0 cz -C "$V" add household number=R-001 village=411081106201 head=李四
expect "the village still verifies" 0 cz -C "$V" verify

# ---- after the rollover: certify, enrol, sync ----
cz -C "$O" pubkey > "$WORK/office2.id"
contains "the identity names the new root and the first" "$(cat "$WORK/office2.id")" "anchor "
W=$WORK/west
cz -C "$W" init --station 柳树村 --region 411081106202 --user 赵会计 --office-key "$WORK/office2.id" >/dev/null
cz -C "$W" export --to "$STICK" >/dev/null && cz -C "$V" export --to "$STICK" >/dev/null
expect "the office imports the new station" 0 cz -C "$O" import "$STICK"
expect "and enrols it under the new root" 0 cz -C "$O" enrol --all-pending --role clerk --region 411081106202
cz -C "$O" export --to "$STICK" >/dev/null
expect "the new station imports the office's bundle" 0 cz -C "$W" import "$STICK"
equals "it pins the new root" "$(cz -C "$W" status --json | jq -r .office_fingerprint)" "$NEW"
expect "its clerk writes" 0 cz -C "$W" add household number=W-001 village=411081106202 head=王五
expect "and it verifies" 0 cz -C "$W" verify
cz -C "$W" export --to "$STICK" >/dev/null
expect "the office takes the new station's household" 0 cz -C "$O" import "$STICK"
expect "which counts at the office" 0 cz -C "$O" find W-001
contains "found" "$OUT" "王五"
expect "the village's household made after the rollover too" 0 cz -C "$O" find R-001
contains "found" "$OUT" "李四"

# ---- backup and restore after a rollover ----
expect "office backup" 0 cz -C "$O" backup --to "$STICK" --json
OBK=$(printf '%s' "$OUT" | jq -r .file)
expect "office restore" 0 cz -C "$WORK/office2" restore "$OBK"
equals "the restored office pins the new root" "$(cz -C "$WORK/office2" status --json | jq -r .office_fingerprint)" "$NEW"
equals "office: same verify" "$(cz -C "$WORK/office2" verify --json)" "$(cz -C "$O" verify --json)"
expect "the restored office writes (its person, certified under the old root, rekeyed)" 0 \
    cz -C "$WORK/office2" add place code=411081106203 name=新村 level=village parent=411081106
equals "its new key certified at once" "$(cz -C "$WORK/office2" status --json | jq -r '.users[0].state')" certified
expect "village backup" 0 cz -C "$V" backup --to "$STICK" --json
VBK=$(printf '%s' "$OUT" | jq -r .file)
expect "village restore" 0 cz -C "$WORK/village2" restore "$VBK"
equals "the restored village pins the new root" "$(cz -C "$WORK/village2" status --json | jq -r .office_fingerprint)" "$NEW"
expect "and verifies" 0 cz -C "$WORK/village2" verify
finish
