#!/usr/bin/env bash
# Backup key slots and restore (backup.h, version 2):
# - one flipped bit anywhere in a backup's key slot area (every byte, one
#   flip a trial) either restores the right station with the right data or
#   is refused naming a damaged key slot; never "wrong passphrase", never
#   another station;
# - a one-person station whose only slot is damaged is rebuilt at the
#   office (restore --with-office), its person logs in with the new
#   passphrase, and the office enrols the new key;
# - restore killed with kill -9 at random moments leaves nothing that
#   blocks a retry: restore again succeeds, and init into the folder works.
# RESTORE_KILLS sets the kill trials (default 20).
. "$(dirname "$0")/lib.bash"
O=$WORK/office A=$WORK/yangshuwan B=$WORK/liushu STICK=$WORK/stick V=411081106201
KILLS=${RESTORE_KILLS:-20}
# households DIR [PASSPHRASE [PERSON]]: its households, read by a person
# logged in there (whose slot it was restored with).
households() {
    CUNZHAN_PASSPHRASE=${2:-$CUNZHAN_PASSPHRASE} CUNZHAN_USER=${3:-} cz -C "$1" list household 2>/dev/null | sort
}
u32() { od -An -tu1 -j "$2" -N4 "$1" | awk '{ print $1 * 16777216 + $2 * 65536 + $3 * 256 + $4 }'; }
# The end of the key slot area (where the sealed part begins).
slots_end() {
    local f=$1 at=5 n i len
    n=$(od -An -tu1 -j 4 -N1 "$f" | tr -d ' ')
    for i in $(seq 1 "$n"); do len=$(u32 "$f" $at); at=$((at + 4 + len + 32)); done
    echo $at
}
# flip FILE OFFSET BIT: a copy of FILE with one bit changed, as $WORK/flipped
flip() {
    cp "$1" "$WORK/flipped"
    local b
    b=$(od -An -tu1 -j "$2" -N1 "$1" | tr -d ' ')
    printf "$(printf '\\%03o' $((b ^ (1 << $3))))" | dd of="$WORK/flipped" bs=1 seek="$2" conv=notrunc status=none
}

cz -C "$O" init --office 许昌市科协 --user 张主任 >/dev/null
cz -C "$O" pubkey > "$WORK/office.id"
cz -C "$A" init --station 杨树湾村 --region $V --user 李书记 --office-key "$WORK/office.id" >/dev/null
cz -C "$A" add household number=YSW-001 village=$V head=王秀英 >/dev/null
cz -C "$A" export --to "$STICK" >/dev/null
cz -C "$O" import "$STICK" >/dev/null
cz -C "$O" enrol --all-pending --role supervisor >/dev/null
cz -C "$O" export --to "$STICK" >/dev/null
cz -C "$A" import "$STICK" >/dev/null
cz -C "$A" add household number=YSW-002 village=$V head=赵大明 >/dev/null
WANT=$(households "$A")

expect "backup of a one-person station" 0 cz -C "$A" backup --to "$STICK" --json
BK=$(printf '%s' "$OUT" | jq -r .file)
equals "version 2 written" "$(od -An -tu1 -j 3 -N1 "$BK" | tr -d ' ')" 2
END=$(slots_end "$BK")

# ---- every byte of the slot area, one flipped bit each ----
ok=0 named=0 bad=0
for off in $(seq 4 $((END - 1))); do
    flip "$BK" "$off" $((off % 8))
    rm -rf "$WORK/r"
    if cz -C "$WORK/r" restore "$WORK/flipped" >/dev/null 2>"$WORK/err"; then
        if [ "$(households "$WORK/r")" = "$WANT" ]; then ok=$((ok + 1)); else bad=$((bad + 1)); echo "     wrong data at byte $off"; fi
    elif grep -q "key slot" "$WORK/err" && ! grep -qi "passphrase opens none" "$WORK/err"; then
        named=$((named + 1))
    else
        bad=$((bad + 1)); echo "     byte $off: $(cat "$WORK/err")"
    fi
done
equals "every flip in the slot area: right data or a named damaged slot ($ok restored, $named named)" "$bad" 0
[ "$named" -gt 0 ] && pass "flips in the slot are named" || fail "no flip was named"

# ---- two people: a damaged slot of one does not stop the other ----
cz -C "$B" init --station 柳树村 --region 411081106202 --user 王会计 --office-key "$WORK/office.id" >/dev/null
CUNZHAN_NEW_PASSPHRASE=second-pass cz -C "$B" user add 赵出纳 --role clerk >/dev/null
cz -C "$B" add household number=LS-001 village=411081106202 head=赵大明 >/dev/null
expect "backup of a two-person station" 0 cz -C "$B" backup --to "$STICK" --json
BK2=$(printf '%s' "$OUT" | jq -r .file)
END2=$(slots_end "$BK2")
WANT2=$(households "$B")
ok=0 named=0 bad=0
for off in $(seq 4 3 $((END2 - 1))); do
    flip "$BK2" "$off" $((off % 8))
    for pass in test-pass second-pass; do
        rm -rf "$WORK/r"
        if CUNZHAN_PASSPHRASE=$pass cz -C "$WORK/r" restore "$WORK/flipped" >/dev/null 2>"$WORK/err"; then
            who=王会计; [ "$pass" = second-pass ] && who=赵出纳
            if [ "$(households "$WORK/r" "$pass" "$who")" = "$WANT2" ]; then ok=$((ok + 1)); else bad=$((bad + 1)); echo "     wrong data at byte $off"; fi
        elif grep -q "key slot" "$WORK/err" && ! grep -qi "passphrase opens none" "$WORK/err"; then
            named=$((named + 1))
        else
            bad=$((bad + 1)); echo "     byte $off ($pass): $(cat "$WORK/err")"
        fi
    done
done
equals "two people, every third byte, both passphrases: right data or named ($ok restored, $named named)" "$bad" 0
# The second person's slot damaged: the first restores, the second is named.
L1=$(u32 "$BK2" 5)
flip "$BK2" $((5 + 4 + L1 + 32 + 4 + 40)) 3
rm -rf "$WORK/r"
expect "the first person restores past the second's damaged slot" 0 cz -C "$WORK/r" restore "$WORK/flipped"
contains "the second person is named as not restored" "$ERR" "赵出纳"
equals "with the right data" "$(households "$WORK/r")" "$WANT2"
rm -rf "$WORK/r"
CUNZHAN_PASSPHRASE=second-pass expect "the second person's passphrase: the damaged slot named" 1 cz -C "$WORK/r" restore "$WORK/flipped"
contains "slot 2" "$ERR" "key slot 2 of the backup is damaged"
lacks "not called a wrong passphrase" "$ERR" "opens none"
[ ! -e "$WORK/r/db" ] && pass "nothing written" || fail "nothing written"

# ---- a one-person station whose only slot is damaged: the office rebuilds it ----
flip "$BK" $((5 + 4 + 60)) 5
cp "$WORK/flipped" "$WORK/damaged.czbak"
expect "the station's own restore names the damaged slot" 1 cz -C "$WORK/n" restore "$WORK/damaged.czbak"
contains "key slot 1" "$ERR" "key slot 1 of the backup is damaged"
contains "points to the office" "$ERR" "--with-office"
CUNZHAN_NEW_PASSPHRASE=short expect "the office: a weak new passphrase is refused" 1 cz -C "$WORK/n" restore "$WORK/damaged.czbak" --with-office "$O"
[ ! -e "$WORK/n/db" ] && pass "nothing written" || fail "nothing written"
CUNZHAN_NEW_PASSPHRASE=new-village-pass expect "the office rebuilds the station" 0 \
    cz -C "$WORK/n" restore "$WORK/damaged.czbak" --with-office "$O" --json
contains "a new slot for the station's person" "$OUT" '"new_slot_for": "李书记"'
equals "the same households" "$(households "$WORK/n" new-village-pass)" "$WANT"
expect "a village folder is not the office" 1 cz -C "$WORK/n2" restore "$WORK/damaged.czbak" --with-office "$A"
cp -r "$WORK/n" "$WORK/village-pc"
CUNZHAN_PASSPHRASE=test-pass expect "the old passphrase opens nothing" 1 cz -C "$WORK/village-pc" add household number=YSW-003 village=$V head=孙丽
CUNZHAN_PASSPHRASE=new-village-pass expect "the person works with the new passphrase" 0 \
    cz -C "$WORK/village-pc" add household number=YSW-003 village=$V head=孙丽
CUNZHAN_PASSPHRASE=new-village-pass expect "and exports for the office" 0 cz -C "$WORK/village-pc" export --to "$STICK"
expect "the office imports" 0 cz -C "$O" import "$STICK"
expect "and enrols the new key" 0 cz -C "$O" enrol --all-pending --role supervisor
contains "李书记's new key" "$OUT" "李书记"
expect "the new household reached the office" 0 cz -C "$O" find 孙丽
contains "found" "$OUT" "孙丽"

# ---- kill -9 during restore ----
household_csv K 6000 "$V" > "$WORK/big.csv"
cz -C "$A" load household "$WORK/big.csv" >/dev/null
BIG_PREV=$BK
BKDIR=$(dirname "$BIG_PREV")
echo half > "$BKDIR/.20260101-000000-.tmp-Ab12Cd" && touch -d '1 hour ago' "$BKDIR/.20260101-000000-.tmp-Ab12Cd"
echo half > "$BKDIR/.20260101-000001-.tmp-Fresh1"
expect "a big backup" 0 cz -C "$A" backup --to "$STICK" --json
BIG=$(printf '%s' "$OUT" | jq -r .file)
[ ! -e "$BKDIR/.20260101-000000-.tmp-Ab12Cd" ] && pass "backup sweeps a killed backup's old temp file" || fail "old backup temp swept"
[ -e "$BKDIR/.20260101-000001-.tmp-Fresh1" ] && pass "a fresh one is kept" || fail "fresh backup temp kept"
BIGWANT=$(households "$A" | md5sum)
start=$(date +%s%N)
cz -C "$WORK/timed" restore "$BIG" >/dev/null
MS=$(( ($(date +%s%N) - start) / 1000000 + 20 ))
echo "     (a whole restore takes about $MS ms)"
blocked=0 half=0 cut=0 inits=0
for t in $(seq 1 "$KILLS"); do
    R=$WORK/k$t
    "$CUNZHAN" -C "$R" restore "$BIG" >/dev/null 2>&1 &
    pid=$!
    ms=$((RANDOM % MS))
    sleep "$((ms / 1000)).$(printf '%03d' $((ms % 1000)))"
    kill -9 $pid 2>/dev/null
    wait $pid 2>/dev/null
    [ $? = 137 ] && cut=$((cut + 1))
    if [ -e "$R/db" ]; then
        # Finished before the kill: it is whole.
        [ "$(households "$R" | md5sum)" = "$BIGWANT" ] || half=$((half + 1))
        continue
    fi
    if [ $((t % 2)) = 0 ]; then
        cz -C "$R" init --station 新村 --region $V --user 新人 --office-key "$WORK/office.id" >/dev/null 2>&1 \
            && inits=$((inits + 1)) || blocked=$((blocked + 1))
    else
        cz -C "$R" restore "$BIG" >/dev/null 2>&1 || blocked=$((blocked + 1))
        [ "$(households "$R" | md5sum)" = "$BIGWANT" ] || half=$((half + 1))
        ls -a "$R" | grep -q '^\.db\.restore-' && blocked=$((blocked + 1))
    fi
done
echo "     ($cut of $KILLS restores killed while running; $inits inits after a kill)"
equals "a killed restore never leaves half a station" "$half" 0
equals "a killed restore never blocks a retry or an init (leftovers removed)" "$blocked" 0
finish
