#!/usr/bin/env bash
# A stick is a mailbag (src/CLI.md, "A stick is a mailbag"): export sweeps its own stale temp
# files (an old one goes; a fresh one, a link and other names stay),
# removes the older bundles from this station to a recipient once a newer
# one that carries what they did is whole on the stick (so many exports
# leave one bundle a recipient, before and after the recipient imported),
# and writes nothing when nothing is new.  The recipient importing the one
# bundle left gets everything: the counts at both ends agree.
. "$(dirname "$0")/lib.bash"
O=$WORK/office A=$WORK/yangshuwan STICK=$WORK/stick
nbundles() { find "$STICK/cunzhan/$1/$2" -maxdepth 1 -name '*.czb' -type f | wc -l; }
households() { cz -C "$1" list household | grep -c YSW-; }

cz -C "$O" init --office 许昌市科协 --user 张主任 >/dev/null
cz -C "$O" pubkey > "$WORK/office.id"
cz -C "$A" init --station 杨树湾村 --region 411081106201 --user 李书记 --office-key "$WORK/office.id" >/dev/null
BOX_O=$(box_of "$O") BOX_A=$(box_of "$A")
SF=$STICK/cunzhan/$BOX_O/$BOX_A

# ---- five exports, no import: one bundle ----
for i in 1 2 3 4 5; do
    cz -C "$A" add household number=YSW-00$i village=411081106201 head=户主$i >/dev/null
    expect "export $i" 0 cz -C "$A" export --to "$STICK"
done
equals "five exports leave one bundle for the office" "$(nbundles "$BOX_O" "$BOX_A")" 1
contains "the removal is said" "$OUT" "older bundle"

# ---- nothing new ----
expect "export with nothing new" 0 cz -C "$A" export --to "$STICK" --json
contains "says nothing new" "$OUT" '"nothing_new": true'
expect "plain export with nothing new" 0 cz -C "$A" export --to "$STICK"
contains "in words" "$OUT" "nothing new for 许昌市科协"
equals "still one bundle" "$(nbundles "$BOX_O" "$BOX_A")" 1
expect "on another stick the same export writes a bundle" 0 cz -C "$A" export --to "$WORK/stick2" --json
contains "written" "$OUT" '"nothing_new": false'
expect "and there nothing new the next time" 0 cz -C "$A" export --to "$WORK/stick2" --json
contains "not written" "$OUT" '"nothing_new": true'

# ---- temp files ----
echo half > "$SF/.bundle.tmp-Ab12Cd"
touch -d '1 hour ago' "$SF/.bundle.tmp-Ab12Cd"
echo half > "$SF/.0123456789abcdef.tmp-Zz9yX8"
touch -d '2 hours ago' "$SF/.0123456789abcdef.tmp-Zz9yX8"
echo fresh > "$SF/.bundle.tmp-Fresh1"
echo mine > "$WORK/outside"
ln -s "$WORK/outside" "$SF/.bundle.tmp-Link01"
touch -h -d '1 hour ago' "$SF/.bundle.tmp-Link01"
echo other > "$SF/.notes.txt"
touch -d '1 hour ago' "$SF/.notes.txt"
cz -C "$A" add household number=YSW-006 village=411081106201 head=户主6 >/dev/null
expect "export sweeps" 0 cz -C "$A" export --to "$STICK" --json
equals "two stale temp files swept" "$(printf '%s' "$OUT" | jq '.[0].temp_swept')" 2
[ ! -e "$SF/.bundle.tmp-Ab12Cd" ] && pass "old stream temp gone" || fail "old stream temp gone"
[ ! -e "$SF/.0123456789abcdef.tmp-Zz9yX8" ] && pass "old atomic temp gone" || fail "old atomic temp gone"
[ -e "$SF/.bundle.tmp-Fresh1" ] && pass "fresh temp kept (an export may be writing it)" || fail "fresh temp kept"
[ -L "$SF/.bundle.tmp-Link01" ] && pass "a link is never swept" || fail "a link is never swept"
equals "the link's target untouched" "$(cat "$WORK/outside")" mine
[ -e "$SF/.notes.txt" ] && pass "other names kept" || fail "other names kept"
equals "one bundle" "$(nbundles "$BOX_O" "$BOX_A")" 1
rm -f "$SF/.bundle.tmp-Fresh1" "$SF/.bundle.tmp-Link01" "$SF/.notes.txt"

# ---- the recipient imports the one bundle ----
expect "office imports" 0 cz -C "$O" import "$STICK"
cz -C "$O" enrol --all-pending --role supervisor >/dev/null
equals "office holds all six households" "$(households "$O")" 6
cz -C "$A" add household number=YSW-007 village=411081106201 head=户主7 >/dev/null
expect "export after the office imported" 0 cz -C "$A" export --to "$STICK"
equals "still one bundle after an import at the recipient" "$(nbundles "$BOX_O" "$BOX_A")" 1

# ---- the office answers (A's acknowledgement grows), A goes on ----
expect "office exports" 0 cz -C "$O" export --to "$STICK"
expect "A imports the office's answer" 0 cz -C "$A" import "$STICK"
cz -C "$A" add household number=YSW-008 village=411081106201 head=户主8 >/dev/null
expect "A exports against the new acknowledgement" 0 cz -C "$A" export --to "$STICK"
cz -C "$A" add household number=YSW-009 village=411081106201 head=户主9 >/dev/null
expect "and again" 0 cz -C "$A" export --to "$STICK"
N=$(nbundles "$BOX_O" "$BOX_A")
[ "$N" -le 2 ] && pass "bundles do not pile up once acknowledged ($N)" || fail "bundles pile up ($N)"
# The office takes the bag in, answers, and the village reads the answer:
# everything the older bundles carried is acknowledged now.
cz -C "$O" import "$STICK" >/dev/null
cz -C "$O" export --to "$STICK" >/dev/null
cz -C "$A" import "$STICK" >/dev/null
cz -C "$A" add household number=YSW-010 village=411081106201 head=户主10 >/dev/null
expect "export once the office acknowledged everything earlier" 0 cz -C "$A" export --to "$STICK"
equals "one bundle again" "$(nbundles "$BOX_O" "$BOX_A")" 1
expect "office imports what is left" 0 cz -C "$O" import "$STICK"
equals "nothing lost: the office holds all ten" "$(households "$O")" 10
equals "the same as the village" "$(households "$O")" "$(households "$A")"
expect "office verify" 0 cz -C "$O" verify --json
A_ENTRIES=$(cz -C "$A" verify --json | jq '.entries // empty')
O_ENTRIES=$(cz -C "$O" verify --json | jq '.entries // empty')
[ -n "$A_ENTRIES" ] && [ "$O_ENTRIES" -ge "$A_ENTRIES" ] && pass "the office holds every entry of the village" \
    || fail "entries: office $O_ENTRIES, village $A_ENTRIES"

# ---- the office's own folder for A: one bundle; --full supersedes all ----
equals "the office's bundles for A: one" "$(nbundles "$BOX_A" "$BOX_O")" 1
expect "a --full export with nothing new still writes" 0 cz -C "$A" export --to "$STICK" --full --json
contains "a file" "$OUT" '"nothing_new": false'
equals "and supersedes the one before" "$(nbundles "$BOX_O" "$BOX_A")" 1
# Never another sender's bundles.
OTHER=$STICK/cunzhan/$BOX_O/00112233aabbccdd
mkdir -p "$OTHER" && cp "$SF"/*.czb "$OTHER/"
cz -C "$A" add household number=YSW-011 village=411081106201 head=户主11 >/dev/null
expect "export beside another sender's folder" 0 cz -C "$A" export --to "$STICK" --full
equals "the other sender's folder untouched" "$(ls "$OTHER" | wc -l)" 1
finish
