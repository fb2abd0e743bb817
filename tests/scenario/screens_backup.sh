#!/usr/bin/env bash
# Backup and Restore on the Sync screen: the real binary in tmux 80x24 on
# the demo station, a fake USB stick (a mount table and sysfs as files,
# as stickfind.h reads them) over a real folder.  The screen's backup is
# the file `cunzhan restore` takes; a restore on screen after a record was
# added brings the station back (the record gone, the database before kept
# aside) after a confirm naming what is replaced; a wrong passphrase and a
# cancel change nothing; a write-protected or full stick is named, with no
# file left.  In Chinese and English; every capture fits 80 columns.
. "$(dirname "$0")/lib.bash"
. "$(dirname "$0")/tmux.bash"

MOUNTED=()
try_mount() {   # try_mount DIR SIZE
    mkdir -p "$1"
    if mount -t tmpfs -o "size=$2" tmpfs "$1" 2>/dev/null; then MOUNTED+=("$1"); return 0; fi
    return 1
}
trap '$TM kill-server 2>/dev/null; for m in "${MOUNTED[@]}"; do umount "$m" 2>/dev/null; done; rm -rf "$WORK"' EXIT
cc -o "$WORK/boxcheck" "$(dirname "$0")/boxcheck.c" || fail "build boxcheck"
# box_whole NAME: the dialog on screen has its four corners and both
# borders on every row, drawn over the station list's Chinese names.
box_whole() {
    capture
    if printf '%s\n' "$SCREEN" | "$WORK/boxcheck" 80 >"$WORK/boxerr"; then pass "$1"
    else fail "$1" "$(cat "$WORK/boxerr")
$SCREEN"; fi
}

"$CUNZHAN" -C "$WORK/demo" demo >/dev/null 2>&1 || fail "demo data"
Y=$WORK/demo/yangshuwan
BOX_Y=$(box_of "$Y")
USB=$WORK/usb
mkdir -p "$WORK/sys/block/sdb/sdb1" "$USB"
echo 1 > "$WORK/sys/block/sdb/removable"
printf '/dev/sda1 / ext4 rw 0 0\n/dev/sdb1 %s vfat rw 0 0\n' "$USB" > "$WORK/one"
households() { cz -C "$1" list household | sort; }

# ---- English: a backup on the stick found, then restored by the command line ----
MOUNTS=$WORK/one startat "$Y" --lang en
open_sync
see "en: the stick is chosen by itself" "Stick or folder: $USB"
see "en: the menu offers Backup" "Backup: this whole station to the stick"
see "en: the menu offers Restore" "Restore: this station from a backup"
see "en: the footer names the backup key" "Backup"
keys C-k
see "en: backup written" "Backup written:" 30
see "en: says where" "$USB/cunzhan/backup/$BOX_Y/"
see "en: says how big" "bytes ("
see "en: read back" "read back and compared"
keys F1
see "en: help lists the backup action" "this station to the stick"
see "en: help lists the restore action" "this station from a backup"
keys Escape F10
see "en: quits" "EXIT=0"
set -- "$USB"/cunzhan/backup/"$BOX_Y"/*.czbak
equals "en: one backup file on the stick" "$#" 1
BAK=$1
equals "en: no temp file left" "$(find "$USB" -name '.*' -type f | wc -l)" 0
expect "the screen's backup restores with the command line" 0 cz -C "$WORK/r1" restore "$BAK"
expect "... and verifies" 0 cz -C "$WORK/r1" verify
equals "... with the same households" "$(households "$WORK/r1")" "$(households "$Y")"

# ---- Chinese: the menu row; a stick pulled out first ----
MOUNTS=$WORK/one startat "$Y" --lang zh
open_sync
see "zh: the menu offers 备份" "备份：把本站全部数据写到U盘"
mv "$USB" "$WORK/usb-out"
keys Down Down Enter
see "zh: a stick pulled out is named" "U盘被拔出了吗"
mv "$WORK/usb-out" "$USB"
keys Enter
see "zh: plugged back in, the row writes the backup" "备份已写入" 30
see "zh: says where in Chinese" "已读回核对"
keys F10
see "zh: quits" "EXIT=0"
set -- "$USB"/cunzhan/backup/"$BOX_Y"/*.czbak
equals "zh: two backups on the stick now" "$#" 2
expect "zh: the second one restores too" 0 cz -C "$WORK/r2" restore "$2"

# ---- Chinese: a record added, then the station restored on screen ----
before=$(households "$Y")
expect "a household added after the backup" 0 cz -C "$Y" add household number=YSW-B-01 village=411024104201 head=备份后新增
MOUNTS=$WORK/one startat "$Y" --lang zh
open_sync
see "zh: the menu offers 恢复" "恢复：用U盘上的备份恢复本站"
keys C-t
see "zh: the backups listed with their station" "杨树湾村"
see "zh: ... and their date" "$(basename "$BAK" | sed 's/^\(....\)\(..\)\(..\)-\(..\)\(..\)\(..\).*/\1-\2-\3 \4:\5:\6/')"
keys Enter
see "zh: asks a passphrase" "备份中任一用户的口令"
box_whole "zh: the passphrase box is whole"
text "wrong-passphrase"
keys Enter
see "zh: a wrong passphrase is named" "该口令打不开备份中的任何密钥" 30
see "zh: ... nothing changed" "没有任何改变"
ls -d "$Y"/restore-* >/dev/null 2>&1 && fail "zh: the rebuilt copy was left" "$(ls -a "$Y")" || pass "zh: no rebuilt copy left after a wrong passphrase"
keys C-t
see "zh: the list again" "恢复哪一份备份"
keys Enter
see "zh: passphrase again" "备份中任一用户的口令"
text "$CUNZHAN_PASSPHRASE"
keys Enter
see "zh: the confirm names what is replaced" "这将用" 30
see "zh: ... this station's database" "替换本站（杨树湾村）的数据库"
n_now=$(households "$Y" | wc -l) n_then=$(printf '%s\n' "$before" | wc -l)
see "zh: ... the households now" "现在：$n_now 户"
see "zh: ... the households in the backup" "备份：$n_then 户"
see "zh: ... what is kept aside" "现在的数据库另存于文件夹"
see "zh: ... and where" "$Y/before-restore-"
box_whole "zh: the confirm box is whole"
keys Escape
see "zh: cancelled, nothing changed" "已取消：没有任何改变"
ls -d "$Y"/restore-* >/dev/null 2>&1 && fail "zh: the rebuilt copy was left after a cancel" "$(ls -a "$Y")" || pass "zh: no rebuilt copy left after a cancel"
equals "zh: cancelled: the new household is still there" "$(households "$Y" | wc -l)" "$n_now"
keys C-t
see "zh: the list once more" "恢复哪一份备份"
keys Enter
see "zh: passphrase once more" "备份中任一用户的口令"
text "$CUNZHAN_PASSPHRASE"
keys Enter
see "zh: the confirm again" "这将用" 30
keys Enter
see "zh: restored" "已从" 30
see "zh: says where the database before is" "恢复前的数据库另存于"
keys F10
see "zh: quits" "EXIT=0"
equals "zh: the station is back as at the backup" "$(households "$Y")" "$before"
expect "zh: find after the restore" 0 cz -C "$Y" find YSW-B-01
lacks "zh: the added household is gone" "$OUT" "YSW-B-01"
expect "zh: the restored station verifies" 0 cz -C "$Y" verify
set -- "$Y"/before-restore-*
[ -d "$1/db" ] && pass "zh: the database before is kept aside" || fail "zh: nothing kept aside" "$(ls -a "$Y")"
ls -d "$Y"/restore-* >/dev/null 2>&1 && fail "zh: the rebuilt folder was left" "$(ls -a "$Y")" || pass "zh: no folder left but the one kept aside"
expect "zh: the kept database opens with -C" 0 cz -C "$1" find YSW-B-01
contains "zh: ... and still holds the added household" "$OUT" "YSW-B-01"
expect "zh: the restored station signs again (a new key)" 0 cz -C "$Y" add household number=YSW-B-02 village=411024104201 head=恢复后新增

# ---- English: the confirm, and another station's backup refused ----
N=$WORK/demo/nanzhai
expect "another station's backup on the stick" 0 cz -C "$N" backup --to "$USB"
MOUNTS=$WORK/one startat "$Y" --lang en
open_sync
keys C-t
see "en: the other station listed as such" "another station (key"
keys End Enter
see "en: another station's backup refused" "That is another station's backup"
keys C-t
see "en: the list" "Restore which backup?"
keys Home Enter
see "en: passphrase" "Passphrase of one of the backup's people"
box_whole "en: the passphrase box is whole"
text "$CUNZHAN_PASSPHRASE"
keys Enter
see "en: the confirm in English" "This replaces this station's database (杨树湾村)" 30
see "en: ... now" "Now: "
see "en: ... the backup" "The backup: "
see "en: ... kept aside" "The database now is kept aside, in the folder:"
see "en: ... and where" "$Y/before-restore-"
keys Escape
see "en: cancelled" "Cancelled: nothing was changed."
keys F10
see "en: quits" "EXIT=0"

# ---- a folder typed: a backup written there; a damaged one refused ----
TY=$WORK/typed
mkdir -p "$TY"
before=$(households "$Y")
: > "$WORK/none"
MOUNTS=$WORK/none startat "$Y" --lang en
open_sync
see "en: the stick listed, not mounted" "not mounted, Enter mounts it"
keys C-a Down Enter     # the row after the stick's: type a folder
text "$TY"
keys Enter
see "en: the typed folder chosen" "Stick or folder: $TY"
keys C-k
see "en: backup to the typed folder" "Backup written:" 30
see "en: ... says the path there" "$TY/cunzhan/backup/$BOX_Y/"
set -- "$TY"/cunzhan/backup/"$BOX_Y"/*.czbak
size=$(stat -c %s "$1")
flip_byte "$1" $((size - 40))
keys C-t
see "en: the damaged one listed" "Restore which backup?"
keys Enter
see "en: passphrase for the damaged one" "Passphrase of one of the backup's people"
text "$CUNZHAN_PASSPHRASE"
keys Enter
see "en: a damaged backup refused" "Not restored (see below); this station is unchanged" 30
see "en: ... names the file" "$(basename "$1")"
see "en: ... nothing changed" "Nothing was changed."
keys F10
see "en: quits" "EXIT=0"
equals "en: damaged: the station unchanged" "$(households "$Y")" "$before"
ls -d "$Y"/restore-* >/dev/null 2>&1 && fail "en: damaged: a rebuilt folder was left" "$(ls -a "$Y")" || pass "en: damaged: nothing left beside the station"

# ---- a write-protected stick, a full one ----
RO=$WORK/ro
if try_mount "$RO" 1m && mount -o remount,ro "$RO" 2>/dev/null; then
    printf '/dev/sdb1 %s vfat ro 0 0\n' "$RO" > "$WORK/rotab"
    for lang in en zh; do
        MOUNTS=$WORK/rotab startat "$Y" --lang $lang
        open_sync
        keys C-k
        if [ $lang = en ]; then
            see "en: write-protected stick named" "write-protected (read-only)" 30
            see "en: ... with the place" "not written: $RO"
            see "en: ... this station unchanged" "this station is unchanged"
        else
            see "zh: write-protected stick named" "写保护（只读）" 30
            see "zh: ... with the place" "未写入: $RO"
        fi
        keys F10
        see "$lang: quits" "EXIT=0"
    done
    equals "write-protected: no file" "$(find "$RO" -type f | wc -l)" 0
else
    echo "skip write-protected stick: cannot mount a read-only tmpfs here (needs root)"
fi
FULL=$WORK/full
if try_mount "$FULL" 64k; then
    dd if=/dev/urandom of="$FULL/photos.bin" bs=4k 2>/dev/null
    printf '/dev/sdb1 %s vfat rw 0 0\n' "$FULL" > "$WORK/fulltab"
    MOUNTS=$WORK/fulltab startat "$Y" --lang zh
    open_sync
    keys C-k
    see "zh: full stick named" "U盘（或指定的文件夹）已满" 30
    keys F10
    see "zh: quits" "EXIT=0"
    equals "full: nothing half-written" "$(find "$FULL" -type f | wc -l)" 1
else
    echo "skip full stick: cannot mount a tmpfs here (needs root)"
fi

equals "every screen fitted 80 columns" "$WIDE" 0
finish
