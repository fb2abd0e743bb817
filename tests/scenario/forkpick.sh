#!/usr/bin/env bash
# A station folder copied and written to on both copies forks its person's
# log; the office accepts one branch with `fork accept` (src/TRUST.md,
# Forks): that branch counts again, the other side never does.
. "$(dirname "$0")/lib.bash"
O=$WORK/office A=$WORK/yangshuwan B=$WORK/copy V=411081106201
cz -C "$O" init --office 许昌市科协 --user 张主任 >/dev/null
places "$O" $V
cz -C "$O" pubkey > "$WORK/office.id"
cz -C "$A" init --station 杨树湾村 --region $V --user 李书记 --office-key "$WORK/office.id" >/dev/null
cz -C "$A" export --to "$WORK/s0" >/dev/null
cz -C "$O" import "$WORK/s0" >/dev/null
cz -C "$O" enrol --all-pending --role clerk --region $V >/dev/null
cz -C "$O" export --to "$WORK/s1" >/dev/null
cz -C "$A" import "$WORK/s1" >/dev/null
KEY=$(cz -C "$O" enrol --json | jq -r '.[] | select(.name=="李书记" and .kind=="person") | .key')
# The copy signs the same positions as the original.
cp -a "$A" "$B"
cz -C "$B" export --to "$WORK/skip" >/dev/null    # its bundles number past the original's
HA=$(cz -C "$A" add household number=YSW-A village=$V head=王秀英)
HB=$(cz -C "$B" add household number=YSW-B village=$V head=赵大明)
VA=$(cz -C "$A" show "$HA" --json | jq -r .version)
cz -C "$A" export --to "$WORK/sa" >/dev/null
cz -C "$B" export --to "$WORK/sb" >/dev/null
expect "the office takes the original's bundle" 0 cz -C "$O" import "$WORK/sa"
expect "and the copy's: a fork" 1 cz -C "$O" import "$WORK/sb"
contains "the fork is named" "$OUT" "FORK"
expect "verify names the fork" 1 cz -C "$O" verify --json
SEQ=$(printf '%s' "$OUT" | jq -r '[.findings[] | select(.problem=="fork")][0].seq')
equals "at the copy's first entry" "$SEQ" "$(cz -C "$A" show "$HA" --json | jq -r .seq)"
expect "the original's household is quarantined" 0 cz -C "$O" report --json
equals "no household counts" "$(printf '%s' "$OUT" | jq .households)" 0
expect "a village station cannot accept" 1 cz -C "$A" fork accept "${KEY:0:16}" "$SEQ" "${VA:0:16}"
contains "it says where" "$OUT$ERR" "office"
expect "the office accepts the original's branch" 0 cz -C "$O" fork accept "${KEY:0:16}" "$SEQ" "${VA:0:16}" --reason 以原机为准
expect "verify marks the accepted branch" 1 cz -C "$O" verify
contains "accepted" "$OUT" "the branch the office accepted"
expect "the report counts it again" 0 cz -C "$O" report --json
equals "the original's household counts" "$(printf '%s' "$OUT" | jq .households)" 1
expect "verify --json says which was accepted" 1 cz -C "$O" verify --json
equals "one accepted" "$(printf '%s' "$OUT" | jq '[.findings[] | select(.accepted == true)] | length')" 1
equals "the original's" "$(printf '%s' "$OUT" | jq -r '.findings[] | select(.accepted == true) | .entry')" "$VA"
equals "nothing quarantined" "$(printf '%s' "$OUT" | jq .quarantined)" 0
expect "the copy's branch cannot be chosen by a wrong prefix" 1 cz -C "$O" fork accept "${KEY:0:16}" "$SEQ" ffffffffffff
finish
