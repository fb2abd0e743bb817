#!/usr/bin/env bash
# A village station of 100,000 records on the 32-bit build (make i386):
# 20,000 households with three members and one aid record each, as
# tests/bench/bench.c makes them, through `load` of generated CSV files
# (station_csv.awk); then `verify`, `find`, `export` and the office's
# `import` of that bundle, every count checked.  On 32 bits LMDB's map
# starts at 256 MiB and grows by doubling (src/store.h): the map recorded
# in each data file is read back and must hold the file.  A 64-bit build
# runs the same at 1,000 households (STATION_HOUSEHOLDS=20000 for the
# whole size), a sanitizer build at 200: those have a map of gigabytes and
# their own tests of growth (tests/unit/test_dbfail.c).
. "$(dirname "$0")/lib.bash"
O=$WORK/office S=$WORK/station STICK=$WORK/stick CSV=$WORK/csv
VILLAGE=411024104201

# ELF class of the binary under test: byte 4 is 1 for 32 bits, 2 for 64.
BITS=$(( $(od -An -tu1 -j4 -N1 "$CUNZHAN" | tr -d ' ') == 1 ? 32 : 64 ))
if [ -n "${STATION_HOUSEHOLDS:-}" ]; then H=$STATION_HOUSEHOLDS
elif [ "$BITS" = 32 ]; then H=20000
elif grep -q __asan_init "$CUNZHAN"; then H=200
else H=1000
fi
echo "note: $BITS-bit build, $H households ($((5 * H)) records)"
[ "$H" = 20000 ] || echo "note: the 100,000-record station runs on the i386 build (make i386)"

# since T: seconds from T (date +%s.%N) to now.
since() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'; }
# timed NAME COMMAND...: expect NAME 0 COMMAND, and the seconds it took.
T0=$(date +%s.%N)
timed() {
    local name=$1 t
    shift
    t=$(date +%s.%N)
    expect "$name" 0 "$@"
    echo "     took $(since "$t") s"
}
# json_int KEY: the first whole number under "KEY" in $OUT.
json_int() { printf '%s\n' "$OUT" | sed -n "s/^ *\"$1\": \\([0-9]*\\),\\{0,1\\}\$/\\1/p" | head -1; }
# map_of DIR: the larger map size (bytes) of the two meta pages of DIR's
# data.mdb: LMDB writes its map size into the meta page at each commit.
# Page size 4096; the size follows the page header and the meta's magic,
# version and address fields: offset 24 and 4 bytes on 32 bits, 32 and 8
# on 64.
map_of() {
    local off=24 w=4 a b
    [ "$BITS" = 64 ] && off=32 w=8
    a=$(od -An -tu$w -j$off -N$w "$1/db/data.mdb" | tr -d ' ')
    b=$(od -An -tu$w -j$((4096 + off)) -N$w "$1/db/data.mdb" | tr -d ' ')
    echo $((a > b ? a : b))
}
# map_holds NAME DIR: DIR's map holds its data file and, on 32 bits, stays
# within CZ_STORE_MAP_MAX32 (1536 MiB); says whether it grew past the
# first 256 MiB (LMDB reuses the pages a transaction frees only once a
# later one has committed: the map can grow while the file stays smaller).
map_holds() {
    local map file
    map=$(map_of "$2")
    file=$(stat -c %s "$2/db/data.mdb")
    echo "     $1: data file $((file >> 20)) MiB, map $((map >> 20)) MiB"
    if [ "$map" -ge "$file" ]; then pass "$1: the map holds the data file"
    else fail "$1: map $map bytes, data file $file bytes"; fi
    [ "$BITS" = 32 ] || return 0
    if [ "$map" -le $((1536 << 20)) ]; then pass "$1: the map within 1536 MiB"
    else fail "$1: map $map bytes, more than 1536 MiB"; fi
    if [ "$map" -gt $((256 << 20)) ]; then echo "     $1: the map grew from its first 256 MiB"
    else echo "     $1: the first map of 256 MiB was enough"; fi
}

# ---- the station joins the office, and is certified ----
cz -C "$O" init --office 许昌市科协 --user 张主任 >/dev/null
cz -C "$O" pubkey >"$WORK/office.id"
cz -C "$S" init --station 杨树湾村 --region $VILLAGE --user 孙书记 --office-key "$WORK/office.id" >/dev/null
expect "the station announces itself" 0 cz -C "$S" export --to "$STICK"
expect "the office reads it" 0 cz -C "$O" import "$STICK"
expect "the office enrols the clerk" 0 cz -C "$O" enrol --all-pending --role clerk
expect "the office sends the certificate" 0 cz -C "$O" export --to "$STICK" --for 杨树湾村
expect "the station takes it" 0 cz -C "$S" import "$STICK"

# ---- 5 x H records through load ----
mkdir -p "$CSV"
awk -v H="$H" -v DIR="$CSV" -v VILLAGE=$VILLAGE -f "$(dirname "$0")/station_csv.awk" || fail "generate the CSV files"
equals "one row per household" "$(($(wc -l <"$CSV/households.csv") - 1))" "$H"
timed "load the households" cz -C "$S" load household "$CSV/households.csv" --json
equals "every household stored" "$(json_int stored)" "$H"
timed "load the members" cz -C "$S" load member "$CSV/members.csv" --json
equals "every member stored" "$(json_int stored)" "$((3 * H))"
timed "load the aid" cz -C "$S" load aid "$CSV/aid.csv" --json
equals "every aid record stored" "$(json_int stored)" "$H"
expect "the station's counts" 0 cz -C "$S" status --json
equals "households counted" "$(json_int household)" "$H"
equals "members counted" "$(json_int member)" "$((3 * H))"
equals "aid counted" "$(json_int aid)" "$H"
map_holds "station" "$S"

# ---- verify, find ----
timed "verify every entry" cz -C "$S" verify --json
contains "verify finds no problem" "$OUT" '"ok": true'
equals "every record verified" "$(json_int pending)" 0
LAST=$(printf 'B-%07d' $((H - 1)))
expect "find the last household by number" 0 cz -C "$S" find "$LAST"
contains "it is found" "$OUT" "$LAST"
# the first household's head is 王秀秀 (station_csv.awk), at every size
expect "find by part of a name" 0 cz -C "$S" find 秀秀
contains "names found" "$OUT" "王秀秀"
expect "find by pinyin initials" 0 cz -C "$S" find wxx --json
contains "王秀秀 found by wxx" "$OUT" "王秀秀"

# ---- export, and the office's import ----
timed "export everything for the office" cz -C "$S" export --to "$STICK" --json
EXPORTED=$(json_int entries)
[ "${EXPORTED:-0}" -ge $((5 * H)) ] && pass "the bundle holds every record ($EXPORTED entries)" \
    || fail "the bundle holds $EXPORTED entries, fewer than $((5 * H))"
timed "the office imports it" cz -C "$O" import "$STICK" --json
equals "nothing refused" "$(json_int refused)" 0
equals "nothing pending: the clerk is certified" "$(json_int pending)" 0
[ "$(json_int new)" -ge $((5 * H)) ] && pass "every record new at the office" \
    || fail "only $(json_int new) new at the office"
expect "the office's counts" 0 cz -C "$O" status --json
equals "households at the office" "$(json_int household)" "$H"
equals "members at the office" "$(json_int member)" "$((3 * H))"
equals "aid at the office" "$(json_int aid)" "$H"
expect "the office finds the last household" 0 cz -C "$O" find "$LAST"
contains "found at the office" "$OUT" "$LAST"
map_holds "office" "$O"

echo "note: $((5 * H)) records in $(since "$T0") s"
finish
