#!/usr/bin/env bash
# An office and two village stations exchanging bundles through one
# folder standing for the USB stick.  Joining and enrolment; scoped
# replication; no record text in clear; replays are no-ops; damaged,
# truncated, foreign, revoked and downgraded bundles refused with nothing
# changed; concurrent edits merged or kept as one conflict and resolved.
. "$(dirname "$0")/lib.bash"
O=$WORK/office A=$WORK/yangshuwan B=$WORK/liushu STICK=$WORK/stick
status_of() { cz -C "$1" status --json; }
# The newest bundle for box-key prefix $1 on the stick.
newest() { ls -t "$STICK"/cunzhan/"$1"/*/*.czb | head -1; }

cz -C "$O" init --office 许昌市科协 --user 张主任 >/dev/null
cz -C "$O" pubkey > "$WORK/office.id"
cz -C "$A" init --station 杨树湾村 --region 411081106201 --user 李书记 --office-key "$WORK/office.id" >/dev/null
cz -C "$B" init --station 柳树村 --region 411081106202 --user 王会计 --office-key "$WORK/office.id" >/dev/null
BOX_O=$(box_of "$O") BOX_A=$(box_of "$A") BOX_B=$(box_of "$B")

expect "A adds a household before enrolment" 0 cz -C "$A" add household number=YSW-001 village=411081106201 head=王秀英 phone=13800000001
HA=$OUT
expect "B adds a household" 0 cz -C "$B" add household number=LS-001 village=411081106202 head=赵大明
HB=$OUT

# ---- joining ----
expect "A exports for the office" 0 cz -C "$A" export --to "$STICK"
contains "to the office by default" "$OUT" "许昌市科协"
expect "B exports" 0 cz -C "$B" export --to "$STICK"
expect "office imports both" 0 cz -C "$O" import "$STICK" --json
contains "pending keys counted" "$OUT" '"pending": 1'
expect "enrol lists pending keys" 0 cz -C "$O" enrol
contains "A's clerk is pending" "$OUT" "李书记@杨树湾村"
contains "shown as pending" "$OUT" "pending"
expect "pending records not yet counted" 0 cz -C "$O" verify --json
contains "pending in verify" "$OUT" '"pending": 2'
KA=$(cz -C "$O" enrol --json | sed -n '/"key"/{N;N;N;s/.*"key": "\([0-9a-f]*\)".*"name": "李书记".*/\1/p}')
expect "enrol A's person by key prefix" 0 cz -C "$O" enrol "${KA:0:10}" --role supervisor
contains "region defaults to the declared one" "$OUT" "411081106201"
expect "enrol the rest" 0 cz -C "$O" enrol --all-pending --role supervisor
expect "nothing left pending" 0 cz -C "$O" enrol --all-pending --role clerk
contains "says so" "$OUT" "no keys are waiting"
expect "office verify: everything counts" 0 cz -C "$O" verify --json
contains "no pending left" "$OUT" '"pending": 0'
expect "households from both villages reached the office" 0 cz -C "$O" list household
contains "A's household" "$OUT" "王秀英"
contains "B's household" "$OUT" "赵大明"
expect "a village cannot enrol" 1 cz -C "$A" enrol --all-pending --role clerk

expect "office exports for every enrolled station" 0 cz -C "$O" export --to "$STICK" --json
contains "for A" "$OUT" "杨树湾村"
contains "for B" "$OUT" "柳树村"
expect "A imports its certificates" 0 cz -C "$A" import "$STICK"
expect "A's clerk is certified now" 0 cz -C "$A" status --json
contains "certified" "$OUT" '"state": "certified"'
expect "B imports" 0 cz -C "$B" import "$STICK"

# ---- scoped replication ----
expect "A never receives B's households" 0 cz -C "$A" find 赵大明
equals "nothing of B at A" "$OUT" ""
expect "A lists only its own" 0 cz -C "$A" list household --json
lacks "no LS-001 at A" "$OUT" "LS-001"
expect "A acknowledges what it holds" 0 cz -C "$A" export --to "$STICK"
expect "office reads the acknowledgement" 0 cz -C "$O" import "$STICK"
expect "the office edits A's household" 0 cz -C "$O" edit "$HA" phone=13900000009
expect "office exports (incremental)" 0 cz -C "$O" export --to "$STICK" --for 杨树湾村 --json
contains "only the edit goes" "$OUT" '"entries": 1'
expect "A imports the edit" 0 cz -C "$A" import "$STICK"
expect "the office edit reached A" 0 cz -C "$A" show "$HA" --json
contains "new phone at A" "$OUT" "13900000009"

# ---- no record text in clear ----
found=0
for f in "$STICK"/cunzhan/*/*/*.czb; do grep -q -e 王秀英 -e 赵大明 -e YSW-001 "$f" && found=1; done
equals "no names or numbers in clear on the stick" "$found" 0

# ---- replays ----
before=$(status_of "$A")
expect "re-importing the same stick" 0 cz -C "$A" import "$STICK"
contains "already imported" "$OUT" "already imported"
equals "re-import changed nothing" "$(status_of "$A")" "$before"

# ---- refusals: each changes nothing and says why ----
expect "office edits again" 0 cz -C "$O" edit "$HA" phone=13900000010
cz -C "$O" export --to "$STICK" --for 杨树湾村 >/dev/null
GOOD=$(newest "$BOX_A")
cp "$GOOD" "$WORK/good.czb"
refuse() {   # NAME FILE WANTED-TEXT
    local before
    before=$(status_of "$A")
    expect "$1 refused" 1 cz -C "$A" import "$2"
    contains "$1: reason" "$OUT" "$3"
    equals "$1: nothing changed" "$(status_of "$A")" "$before"
}
size=$(stat -c %s "$GOOD")
cp "$GOOD" "$WORK/flip.czb"
flip_byte "$WORK/flip.czb" $((size - 20))
refuse "flipped byte in the data" "$WORK/flip.czb" "damaged or was altered"
cp "$GOOD" "$WORK/fliph.czb"
flip_byte "$WORK/fliph.czb" 50
refuse "flipped byte in the header" "$WORK/fliph.czb" "signature does not verify"
head -c 351 "$GOOD" > "$WORK/trunc.czb"      # header only: cut at the chunk boundary
refuse "truncated at the chunk boundary" "$WORK/trunc.czb" "truncated"
head -c $((size - 1)) "$GOOD" > "$WORK/trunc1.czb"
refuse "truncated by one byte" "$WORK/trunc1.czb" "truncated"
cp "$GOOD" "$WORK/trail.czb"; printf 'x' >> "$WORK/trail.czb"
refuse "trailing bytes" "$WORK/trail.czb" "continues after the end"
cp "$GOOD" "$WORK/old.czb"
printf '\x00' | dd of="$WORK/old.czb" bs=1 seek=3 conv=notrunc 2>/dev/null
refuse "older format version" "$WORK/old.czb" "older bundle format"
refuse "another station's bundle" "$(newest "$BOX_B")" "addressed to another station"
expect "the good one still imports" 0 cz -C "$A" import "$WORK/good.czb"

# A revoked key's bundle.
KB=$(cz -C "$O" enrol --json | sed -n '/"key"/{N;N;N;s/.*"key": "\([0-9a-f]*\)".*"name": "王会计".*/\1/p}')
expect "office revokes B's clerk" 0 cz -C "$O" revoke "${KB:0:12}"
contains "after the last entry seen" "$OUT" "after seq"
expect "B writes on" 0 cz -C "$B" add household number=LS-002 village=411081106202 head=钱小红
expect "B exports" 0 cz -C "$B" export --to "$STICK"
before=$(status_of "$O")
expect "office refuses the revoked key's bundle" 1 cz -C "$O" import "$(newest "$BOX_O")"
contains "says revoked" "$OUT" "revoked"
equals "revoked: nothing changed" "$(status_of "$O")" "$before"

# ---- reconciling ----
a_to_o() { cz -C "$A" export --to "$STICK" >/dev/null && cz -C "$O" import "$(newest "$BOX_O")" >/dev/null; }
o_to_a() { cz -C "$O" export --to "$STICK" --for 杨树湾村 >/dev/null && cz -C "$A" import "$(newest "$BOX_A")" >/dev/null; }
a_to_o; o_to_a
expect "office edits the phone" 0 cz -C "$O" edit "$HA" phone=13700000001
expect "A edits the notes meanwhile" 0 cz -C "$A" edit "$HA" notes=门前有棵杨树
a_to_o; o_to_a
expect "A: different fields merge" 0 cz -C "$A" show "$HA" --json
contains "A has the office's phone" "$OUT" "13700000001"
contains "A keeps its notes" "$OUT" "门前有棵杨树"
SHOW_A=$OUT
expect "office: the same merged view" 0 cz -C "$O" show "$HA" --json
contains "office has A's notes" "$OUT" "门前有棵杨树"
equals "same fields on both sides" "$(printf '%s' "$OUT" | sed -n '/"fields"/,$p')" "$(printf '%s' "$SHOW_A" | sed -n '/"fields"/,$p')"
expect "no conflict from different fields" 0 cz -C "$A" conflicts --json
equals "empty" "$OUT" "[]"

expect "A sets the phone" 0 cz -C "$A" edit "$HA" phone=13600000002
expect "office sets it otherwise" 0 cz -C "$O" edit "$HA" phone=13600000003
a_to_o; o_to_a
for side in A O; do
    dir=$A; [ $side = O ] && dir=$O
    expect "$side: one conflict" 0 cz -C "$dir" conflicts --json
    equals "$side: one record in conflict" "$(printf '%s' "$OUT" | grep -c '"field"')" 1
    contains "$side: names the field" "$OUT" '"field": "phone"'
    contains "$side: keeps A's value" "$OUT" "13600000002"
    contains "$side: keeps the office's value" "$OUT" "13600000003"
done
W_A=$(cz -C "$A" show "$HA" --json | grep '"phone"')
W_O=$(cz -C "$O" show "$HA" --json | grep '"phone"')
equals "same provisional winner on both sides" "$W_A" "$W_O"
expect "resolve without a conflict is refused" 1 cz -C "$A" resolve "$HB" phone=1
expect "A resolves" 0 cz -C "$A" resolve "$HA" phone=13600000004
expect "A: conflict gone" 0 cz -C "$A" conflicts --json
equals "A: none" "$OUT" "[]"
a_to_o
expect "office: conflict gone after the exchange" 0 cz -C "$O" conflicts --json
equals "office: none" "$OUT" "[]"
expect "office shows the resolution" 0 cz -C "$O" show "$HA" --json
contains "resolved value" "$OUT" "13600000004"
expect "office verify still passes" 0 cz -C "$O" verify

finish
