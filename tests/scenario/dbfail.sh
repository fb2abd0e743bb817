#!/usr/bin/env bash
# When the database or a disk fails, every command says what happened, where
# and what to do, exits 1 (never a signal), and once the fault is cleared
# nothing was lost (verify passes, the counts are back).  The cases, as
# village stations meet them: a truncated data.mdb, a damaged meta page, a
# full stick, a write-protected stick, a full disk under the data folder,
# and a data folder this user may not open.  Stick and disk cases mount a
# small tmpfs (root only); where that is not possible they print a 'skip'
# line.  A full LMDB map is tested in tests/unit/test_dbfail.c.
. "$(dirname "$0")/lib.bash"
O=$WORK/office A=$WORK/yangshuwan V=411081106201
MOUNTS=()
cleanup() {
    for m in "${MOUNTS[@]}"; do umount "$m" 2>/dev/null; done
    rm -rf "$WORK"
}
trap cleanup EXIT
# no_signal NAME: the last command (expect) ended by exit, not by a signal.
no_signal() {
    local code=$1
    if [ "$code" -ge 128 ]; then fail "$2: killed by signal $((code - 128))"; else pass "$2: no signal"; fi
}
try_mount() {   # try_mount DIR SIZE
    mkdir -p "$1"
    if mount -t tmpfs -o "size=$2" tmpfs "$1" 2>/dev/null; then MOUNTS+=("$1"); return 0; fi
    return 1
}

cz -C "$O" init --office 许昌市科协 --user 张主任 >/dev/null
cz -C "$O" pubkey > "$WORK/office.id"
cz -C "$A" init --station 杨树湾村 --region $V --user 李书记 --office-key "$WORK/office.id" >/dev/null
household_csv YSW 30 "$V" > "$WORK/h.csv"
expect "a station with records" 0 cz -C "$A" load household "$WORK/h.csv"
before=$(entries "$A")
cp -a "$A/db" "$WORK/db.good"

# ---- a truncated data.mdb ----
size=$(stat -c %s "$A/db/data.mdb")
truncate -s $((size / 2)) "$A/db/data.mdb"
for cmd in "status" "verify" "list household" "find 户主" "report" "conflicts" "export --to $WORK/stick" \
           "backup --to $WORK/stick" "import $WORK/stick" "add household number=YSW-99 village=$V head=王五"; do
    # shellcheck disable=SC2086
    OUT=$(cz -C "$A" $cmd 2>"$WORK/stderr"); code=$?
    ERR=$(cat "$WORK/stderr")
    equals "truncated: $cmd exits 1" "$code" 1
    [ "$code" -ge 128 ] && fail "truncated: $cmd killed by signal $((code - 128))"
    contains "truncated: $cmd names the damage" "$ERR" "the database is damaged (truncated"
    contains "truncated: $cmd names the folder" "$ERR" "$A/db"
    contains "truncated: $cmd says what to do" "$ERR" "restore FILE"
done
expect "truncated: verify in Chinese" 1 cz --lang zh -C "$A" verify
contains "truncated: Chinese names the damage" "$ERR" "数据库已损坏（被截断"
contains "truncated: Chinese names the folder" "$ERR" "$A/db"
expect "truncated: init refuses" 1 cz -C "$A" init --station X --region $V --user y --office-key "$WORK/office.id"
contains "truncated: init names the damage" "$ERR" "the database is damaged (truncated"
lacks "truncated: init does not say a station lives here" "$ERR" "already lives here"
equals "truncated: the damaged file was left as it was" "$(stat -c %s "$A/db/data.mdb")" $((size / 2))
# The screens' front, on a pipe, prints status.
OUT=$(cz -C "$A" </dev/null 2>"$WORK/stderr"); code=$?; ERR=$(cat "$WORK/stderr")
no_signal "$code" "truncated: the front"
contains "truncated: the front names the damage" "$ERR" "damaged (truncated"
rm -rf "$A/db" && cp -a "$WORK/db.good" "$A/db"
expect "truncated, restored: verify passes" 0 cz -C "$A" verify
equals "truncated, restored: nothing lost" "$(entries "$A")" "$before"

# ---- a damaged meta page ----
dd if=/dev/zero of="$A/db/data.mdb" bs=4096 count=1 conv=notrunc 2>/dev/null
expect "meta: status fails" 1 cz -C "$A" status
st_err=$ERR
contains "meta: status names the meta pages" "$ERR" "the database is damaged (its header, the meta pages"
contains "meta: status names the folder" "$ERR" "$A/db"
lacks "meta: status does not say no station" "$ERR" "no station here"
expect "meta: init fails" 1 cz -C "$A" init --station X --region $V --user y --office-key "$WORK/office.id"
equals "meta: status and init say the same" "$ERR" "$st_err"
lacks "meta: init does not say a station lives here" "$ERR" "already lives here"
expect "meta: init in Chinese" 1 cz --lang zh -C "$A" init --station X --region $V --user y --office-key "$WORK/office.id"
contains "meta: Chinese names the meta pages" "$ERR" "元数据页无效"
OUT=$(cz -C "$A" verify 2>"$WORK/stderr"); code=$?
no_signal "$code" "meta: verify"
rm -rf "$A/db" && cp -a "$WORK/db.good" "$A/db"
expect "meta, restored: verify passes" 0 cz -C "$A" verify
equals "meta, restored: nothing lost" "$(entries "$A")" "$before"

# ---- data.mdb gone (an init cut short leaves that too) ----
rm -f "$A/db/data.mdb"
expect "no data file: status fails" 1 cz -C "$A" status
st_err=$ERR
contains "no data file: status says no station is in the database" "$ERR" "a database is here but it holds no station"
contains "no data file: names the folder" "$ERR" "$A/db"
expect "no data file: init fails" 1 cz -C "$A" init --station X --region $V --user y --office-key "$WORK/office.id"
equals "no data file: status and init say the same" "$ERR" "$st_err"
[ -e "$A/db/data.mdb" ] && fail "no data file: an empty one was made" || pass "no data file: none was made"
rm -rf "$A/db" && cp -a "$WORK/db.good" "$A/db"
expect "no data file, restored: verify passes" 0 cz -C "$A" verify

# The office enrols the station, so it has something to export.
cz -C "$A" export --to "$WORK/s0" >/dev/null
cz -C "$O" import "$WORK/s0" >/dev/null
cz -C "$O" enrol --all-pending --role clerk >/dev/null

# ---- a full stick ----
FULL=$WORK/full
if try_mount "$FULL" 64k; then
    # Whatever else the stick holds fills it to the last byte.
    dd if=/dev/urandom of="$FULL/photos.bin" bs=4k 2>/dev/null
    expect "full stick: export fails" 1 cz -C "$O" export --to "$FULL" --full
    contains "full stick: names the cause" "$ERR" "the USB stick (or the folder given) is full"
    contains "full stick: names the stick" "$ERR" "$FULL"
    contains "full stick: says what to do" "$ERR" "delete old bundles or backups"
    expect "full stick: export in Chinese" 1 cz --lang zh -C "$O" export --to "$FULL" --full
    contains "full stick: Chinese names the cause" "$ERR" "U盘（或指定的文件夹）已满"
    contains "full stick: Chinese names the stick" "$ERR" "$FULL"
    expect "full stick: backup fails" 1 cz -C "$A" backup --to "$FULL"
    contains "full stick: backup names the cause" "$ERR" "is full"
    contains "full stick: backup names the stick" "$ERR" "$FULL"
    equals "full stick: nothing half-written" "$(find "$FULL" -type f | wc -l)" 1
    rm -f "$FULL/photos.bin"
    expect "full stick, room made: export completes" 0 cz -C "$O" export --to "$FULL" --full
    expect "full stick, room made: the station imports it" 0 cz -C "$A" import "$FULL"
    expect "full stick: the office verifies" 0 cz -C "$O" verify
else
    echo "skip full stick: cannot mount a tmpfs here (needs root)"
fi

# ---- a write-protected stick ----
RO=$WORK/ro
if try_mount "$RO" 1m && mount -o remount,ro "$RO" 2>/dev/null; then
    expect "write-protected: export fails" 1 cz -C "$A" export --to "$RO"
    contains "write-protected: names the cause" "$ERR" "write-protected (read-only)"
    contains "write-protected: names the stick" "$ERR" "$RO"
    contains "write-protected: says what to do" "$ERR" "lock switch"
    expect "write-protected: backup fails" 1 cz --lang zh -C "$A" backup --to "$RO"
    contains "write-protected: Chinese names the cause" "$ERR" "写保护（只读）"
    contains "write-protected: Chinese names the stick" "$ERR" "$RO"
    mount -o remount,rw "$RO"
    expect "write-protected, unlocked: export completes" 0 cz -C "$A" export --to "$RO"
    expect "write-protected: the station verifies" 0 cz -C "$A" verify
else
    echo "skip write-protected stick: cannot mount a read-only tmpfs here (needs root)"
fi

# ---- a full disk under the data folder ----
DISK=$WORK/disk
if try_mount "$DISK" 160k; then
    D=$DISK/station
    expect "full disk: a station fits" 0 cz -C "$D" init --station 南寨村 --region $V --user 赵书记 --office-key "$WORK/office.id"
    d_before=$(entries "$D")
    household_csv NZ 400 "$V" > "$WORK/big.csv"
    expect "full disk: load fails" 1 cz -C "$D" load household "$WORK/big.csv"
    contains "full disk: names the cause" "$ERR" "the disk is full"
    contains "full disk: names the data folder" "$ERR" "$D/db"
    contains "full disk: says what to do" "$ERR" "free some space"
    expect "full disk: verify still passes" 0 cz -C "$D" verify
    equals "full disk: all rows or none" "$(entries "$D")" "$d_before"
    expect "full disk: in Chinese" 1 cz --lang zh -C "$D" load household "$WORK/big.csv"
    contains "full disk: Chinese names the cause" "$ERR" "磁盘已满"
    mount -o remount,size=16m "$DISK"
    expect "full disk, room made: load completes" 0 cz -C "$D" load household "$WORK/big.csv"
    expect "full disk, room made: verify passes" 0 cz -C "$D" verify
    equals "full disk, room made: every row" "$(cz -C "$D" list household --json | grep -c '"number"')" 400
else
    echo "skip full disk: cannot mount a tmpfs here (needs root)"
fi

# ---- a data folder this user may not open ----
before=$(entries "$A")
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
    # Made by root (say, `sudo cunzhan init`), run by the clerk's own login.
    chmod 711 "$WORK"
    as_other() { setpriv --reuid=65534 --regid=65534 --clear-groups -- "$@"; }
    expect "permission: status fails" 1 as_other "$CUNZHAN" -C "$A" status
    contains "permission: names the cause" "$ERR" "permission denied"
    contains "permission: names the data folder" "$ERR" "$A/db"
    contains "permission: says what to do" "$ERR" "run cunzhan as the user who owns it"
    lacks "permission: not 'no station'" "$ERR" "no station here"
    expect "permission: init does not take it for a new folder" 1 as_other "$CUNZHAN" -C "$A" init --station X --region $V --user y --office-key "$WORK/office.id"
    lacks "permission: init does not say a station lives here" "$ERR" "already lives here"
    chmod 755 "$A"
    expect "permission, db folder closed: status fails" 1 as_other "$CUNZHAN" --lang zh -C "$A" status
    contains "permission: Chinese names the cause" "$ERR" "权限不足"
    chmod 700 "$A" "$WORK"
    expect "permission: its owner still verifies" 0 cz -C "$A" verify
    equals "permission: nothing lost" "$(entries "$A")" "$before"
elif [ "$(id -u)" != 0 ]; then
    chmod 000 "$A/db"
    expect "permission: status fails" 1 cz -C "$A" status
    contains "permission: names the cause" "$ERR" "permission denied"
    contains "permission: names the data folder" "$ERR" "$A/db"
    chmod 700 "$A/db"
    expect "permission: verify passes again" 0 cz -C "$A" verify
else
    echo "skip permission: no setpriv to run as another user"
fi
finish
