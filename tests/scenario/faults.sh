#!/usr/bin/env bash
# Fault injection: kill -9 at random moments during load, export and
# import; afterwards the store still verifies, nothing committed is lost
# (counts never go down, a load is all rows or none), what lies on the stick
# is either a whole bundle that imports or nothing that import mistakes for
# one, and a retry completes.  Then an export onto a full disk (a small
# tmpfs, when this user may mount one) fails cleanly with nothing
# half-written, and one whose folder vanishes mid-way (the stick pulled
# out) leaves the station whole.  FAULT_ROUNDS sets the kills per command (default 6).
. "$(dirname "$0")/lib.bash"
O=$WORK/office A=$WORK/yangshuwan STICK=$WORK/stick V=411081106201
ROUNDS=${FAULT_ROUNDS:-6}
KILLS=0
# Starts a command, kills it with SIGKILL after 0..$1 ms (it may finish first).
kill_after() {
    local ms=$1; shift
    "$@" >/dev/null 2>&1 &
    local pid=$!
    local t=$((RANDOM % ms))
    sleep "$((t / 1000)).$(printf '%03d' $((t % 1000)))"
    kill -9 "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    [ $? = 137 ] && KILLS=$((KILLS + 1))   # it was still running
    return 0
}

cz -C "$O" init --office 许昌市科协 --user 张主任 >/dev/null
cz -C "$O" pubkey > "$WORK/office.id"
cz -C "$A" init --station 杨树湾村 --region $V --user 李书记 --office-key "$WORK/office.id" >/dev/null
own=$(entries "$O")   # the office's own entries (its key and root records)

# ---- load ----
lost=0 partial=0 retried=0 unverified=0
for r in $(seq 1 "$ROUNDS"); do
    household_csv "L$r" 3000 "$V" > "$WORK/l$r.csv"
    before=$(entries "$A")
    kill_after 450 "$CUNZHAN" -C "$A" load household "$WORK/l$r.csv"
    cz -C "$A" verify >/dev/null 2>&1 || unverified=$((unverified + 1))
    after=$(entries "$A")
    [ "$after" -lt "$before" ] && lost=$((lost + 1))
    if [ "$after" = "$before" ]; then
        cz -C "$A" load household "$WORK/l$r.csv" >/dev/null 2>&1 && retried=$((retried + 1))
        after=$(entries "$A")
    fi
    [ "$after" != $((before + 3000)) ] && partial=$((partial + 1))
done
equals "load killed: the store verifies every time" "$unverified" 0
equals "load killed: nothing committed lost" "$lost" 0
equals "load killed: all rows or none, and a retry completes" "$partial" 0
echo "     ($retried loads were cut short and retried)"
want=$(entries "$A")

# ---- export ----
unverified=0 lost=0
for r in $(seq 1 "$ROUNDS"); do
    before=$(entries "$A")
    kill_after 700 "$CUNZHAN" -C "$A" export --to "$STICK" --full
    cz -C "$A" verify >/dev/null 2>&1 || unverified=$((unverified + 1))
    [ "$(entries "$A")" -lt "$before" ] && lost=$((lost + 1))
done
equals "export killed: the station verifies" "$unverified" 0
equals "export killed: nothing lost" "$lost" 0
expect "export retried completes" 0 cz -C "$A" export --to "$STICK"
# What a kill between mkstemp and rename leaves: half a bundle under a temp
# name.  (The write itself is brief, so random kills rarely hit it; one is
# planted to be sure.)
b=$(find "$STICK" -name '*.czb' | head -1)
head -c $(($(stat -c %s "$b") / 2)) "$b" > "$(dirname "$b")/.$(basename "$b" .czb | cut -c1-16).tmp-Xy12Zq"
leftovers=$(find "$STICK" -name '.*tmp*' | wc -l)
echo "     ($leftovers temp files on the stick, one planted; import must skip them)"

# ---- import ----
unverified=0 lost=0
for r in $(seq 1 "$ROUNDS"); do
    before=$(entries "$O")
    kill_after 1000 "$CUNZHAN" -C "$O" import "$STICK"
    cz -C "$O" verify >/dev/null 2>&1 || unverified=$((unverified + 1))
    [ "$(entries "$O")" -lt "$before" ] && lost=$((lost + 1))
done
equals "import killed: the office verifies" "$unverified" 0
equals "import killed: nothing lost" "$lost" 0
expect "import retried: every bundle on the stick is whole and imports" 0 cz -C "$O" import "$STICK"
lacks "temp files are not taken for bundles" "$OUT$ERR" ".tmp-"
equals "the office holds all the station wrote" "$(entries "$O")" $((want + own))
expect "office verifies at the end" 0 cz -C "$O" verify
expect "station verifies at the end" 0 cz -C "$A" verify

# ---- the stick pulled out: its folder vanishes during the export ----
unverified=0
for r in $(seq 1 "$ROUNDS"); do
    GONE=$WORK/gone$r
    mkdir -p "$GONE"
    "$CUNZHAN" -C "$A" export --to "$GONE" --full >/dev/null 2>&1 &
    pid=$!
    sleep "$(printf '%d.%03d' $((RANDOM % 2)) $((RANDOM % 1000)))"
    rm -rf "$GONE"
    wait "$pid"
    cz -C "$A" verify >/dev/null 2>&1 || unverified=$((unverified + 1))
done
equals "stick pulled out mid-export: the station verifies" "$unverified" 0
expect "export to the stick put back completes" 0 cz -C "$A" export --to "$WORK/back" --full
expect "and imports" 0 cz -C "$O" import "$WORK/back"

# ---- a full disk ----
FULL=$WORK/full
mkdir -p "$FULL"
if mount -t tmpfs -o size=256k tmpfs "$FULL" 2>/dev/null; then
    trap 'umount "$FULL" 2>/dev/null; rm -rf "$WORK"' EXIT
    expect "export to a full stick fails" 1 cz -C "$A" export --to "$FULL" --full
    contains "says why" "$ERR" "cunzhan:"
    equals "nothing half-written on the stick" "$(find "$FULL" -type f | wc -l)" 0
    expect "the station still verifies" 0 cz -C "$A" verify
    umount "$FULL"
    expect "the same export to a roomy stick completes" 0 cz -C "$A" export --to "$FULL" --full
    expect "and imports" 0 cz -C "$O" import "$FULL"
else
    echo "skip full disk: cannot mount a tmpfs here (needs root); the export-to-full-disk case did not run"
fi
echo "     ($KILLS kill -9 injected while a command was running)"
finish
