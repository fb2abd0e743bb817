#!/usr/bin/env bash
# Backup and restore (backup.h): a station backed up to a stick and rebuilt
# in a fresh folder gives the same `verify` and the same counts; restore
# takes any one of its people's passphrases and refuses a wrong one, a
# damaged file and a folder that already holds a station; the restored
# station starts a new log epoch (each person's next login makes a new key
# that names the old one, pending until the office enrols it) and keeps
# writing and exporting.  Also: USB sticks found from the mount table.
. "$(dirname "$0")/lib.bash"
O=$WORK/office A=$WORK/yangshuwan R=$WORK/restored STICK=$WORK/stick
# status --json without the file size (a fresh LMDB file is laid out anew).
counts_of() { cz -C "$1" status --json | jq -S 'del(.db_bytes)'; }

cz -C "$O" init --office 许昌市科协 --user 张主任 >/dev/null
cz -C "$O" pubkey > "$WORK/office.id"
cz -C "$A" init --station 杨树湾村 --region 411081106201 --user 李书记 --office-key "$WORK/office.id" >/dev/null
CUNZHAN_NEW_PASSPHRASE=kuaiji-pass cz -C "$A" user add 王会计 --role clerk >/dev/null
H1=$(cz -C "$A" add household number=YSW-001 village=411081106201 head=王秀英 phone=13800000001)
cz -C "$A" export --to "$STICK" >/dev/null
cz -C "$O" import "$STICK" >/dev/null
cz -C "$O" enrol --all-pending --role supervisor >/dev/null
cz -C "$O" export --to "$STICK" >/dev/null
cz -C "$A" import "$STICK" >/dev/null
cz -C "$A" add household number=YSW-002 village=411081106201 head=赵大明 >/dev/null
cz -C "$A" edit "$H1" phone=13800000002 >/dev/null

expect "backup to the stick" 0 cz -C "$A" backup --to "$STICK" --json
BK=$(printf '%s' "$OUT" | jq -r .file)
contains "under cunzhan/backup/<box>" "$BK" "/cunzhan/backup/$(box_of "$A")/"
contains "holds every entry" "$OUT" "\"entries\": $(cz -C "$A" status --json | jq .entries)"
contains "both people's keys" "$OUT" '"people": 2'
found=0; grep -q -e 王秀英 -e 李书记 -e 王会计 -e YSW-001 "$BK" && found=1
equals "no names or numbers in clear in the backup" "$found" 0
ls "$STICK"/cunzhan/backup/*/.*tmp* >/dev/null 2>&1 && tmpleft=1 || tmpleft=0
equals "no temp file left beside it" "$tmpleft" 0
expect "import leaves the backup alone" 0 cz -C "$A" import "$STICK"
lacks "backup not taken for a bundle" "$OUT" ".czbak"

# ---- restore ----
expect "restore with a wrong passphrase" 1 env CUNZHAN_PASSPHRASE=wrong "$CUNZHAN" -C "$R" restore "$BK"
contains "says the passphrase opens nothing" "$ERR" "opens none of the keys"
[ -e "$R/db" ] && left=1 || left=0
equals "nothing left behind" "$left" 0
cp "$BK" "$WORK/flip.czbak"
size=$(stat -c %s "$BK")
flip_byte "$WORK/flip.czbak" $((size - 30))
expect "a damaged backup is refused" 1 cz -C "$WORK/r2" restore "$WORK/flip.czbak"
contains "says damaged" "$ERR" "damaged"
[ -e "$WORK/r2/db" ] && left=1 || left=0
equals "damaged: nothing left behind" "$left" 0
expect "restore over a station is refused" 1 cz -C "$A" restore "$BK"
contains "names the fix" "$ERR" "new, empty folder"

expect "restore with the clerk's passphrase" 0 env CUNZHAN_PASSPHRASE=kuaiji-pass "$CUNZHAN" -C "$R" restore "$BK"
contains "names the station" "$OUT" "杨树湾村"
contains "says new keys follow" "$OUT" "new signing key"
# The key before anyone logged in here (status does not log in; show
# does, and that first login makes the new key).
OLDKEY=$(cz -C "$R" status --json | jq -r '.users[] | select(.name=="李书记") | .key')
equals "same verify" "$(cz -C "$R" verify --json)" "$(cz -C "$A" verify --json)"
equals "same counts" "$(counts_of "$R")" "$(counts_of "$A")"
expect "restored verify passes" 0 cz -C "$R" verify
expect "same record" 0 cz -C "$R" show "$H1" --json
contains "the edit is there" "$OUT" "13800000002"
equals "same conflicts (none)" "$(cz -C "$R" conflicts --json)" "[]"

# ---- a new log epoch ----
expect "the restored station writes on" 0 cz -C "$R" add household number=YSW-003 village=411081106201 head=钱小红
H3=$OUT
NEWKEY=$(cz -C "$R" status --json | jq -r '.users[] | select(.name=="李书记") | .key')
[ -n "$NEWKEY" ] && [ "$NEWKEY" != "$OLDKEY" ] && rekeyed=1 || rekeyed=0
equals "first login made a new key" "$rekeyed" 1
equals "new key pending" "$(cz -C "$R" status --json | jq -r '.users[] | select(.name=="李书记") | .state')" pending
expect "the old passphrase opens the new key" 0 cz -C "$R" edit "$H3" phone=13800000003
equals "no second new key" "$(cz -C "$R" status --json | jq -r '.users[] | select(.name=="李书记") | .key')" "$NEWKEY"
expect "the clerk still has the old key until logging in" 0 cz -C "$R" status --json
equals "clerk untouched" "$(printf '%s' "$OUT" | jq -r '.users[] | select(.name=="王会计") | .key')" \
       "$(cz -C "$A" status --json | jq -r '.users[] | select(.name=="王会计") | .key')"
expect "restored station verifies" 0 cz -C "$R" verify
expect "the new key edits a record the old key wrote" 0 cz -C "$R" edit "$H1" notes=恢复后核实

expect "restored station exports (full: no acknowledgements kept)" 0 cz -C "$R" export --to "$STICK" --json
expect "office imports the restored station's bundle" 0 cz -C "$O" import "$STICK" --json
contains "the new key's household and edit pending" "$OUT" '"pending": 2'
contains "its edit of a certified record held until enrolment" "$OUT" '"held": 1'
lacks "not shown at the office yet" "$(cz -C "$O" show "$H1")" "恢复后核实"
expect "office sees the key announcement" 0 cz -C "$O" list key --json
contains "names the old key" "$OUT" "$OLDKEY"
expect "office enrols the new key" 0 cz -C "$O" enrol --all-pending --role supervisor
contains "the region declared" "$OUT" "411081106201"
cz -C "$O" export --to "$STICK" >/dev/null
expect "restored station takes the certificate" 0 cz -C "$R" import "$STICK"
equals "new key certified" "$(cz -C "$R" status --json | jq -r '.users[] | select(.name=="李书记") | .state')" certified
cz -C "$R" export --to "$STICK" >/dev/null
expect "the office's next import lets the held edit in" 0 cz -C "$O" import "$STICK" --json
contains "released" "$OUT" '"released": 1'
contains "the edit at the office" "$(cz -C "$O" show "$H1")" "恢复后核实"
expect "office has the new household" 0 cz -C "$O" find 钱小红
contains "found" "$OUT" "钱小红"
expect "office verifies" 0 cz -C "$O" verify

# ---- the office's backup restores too (root key kept, people rekeyed) ----
expect "office backup" 0 cz -C "$O" backup --to "$STICK" --json
OBK=$(printf '%s' "$OUT" | jq -r .file)
expect "office restore" 0 cz -C "$WORK/office2" restore "$OBK"
equals "office: same verify" "$(cz -C "$WORK/office2" verify --json)" "$(cz -C "$O" verify --json)"
equals "office: same counts" "$(counts_of "$WORK/office2")" "$(counts_of "$O")"
expect "restored office writes" 0 cz -C "$WORK/office2" edit "$H1" notes=已核实
equals "restored office's new key certified at once" \
       "$(cz -C "$WORK/office2" status --json | jq -r '.users[0].state')" certified
# The lost office PC (here the original) signs a root entry after the backup;
# the restored office signs its own.  A station holding both sees no fork.
CUNZHAN_NEW_PASSPHRASE=kekeyuan-pass cz -C "$O" user add 刘科员 --role office >/dev/null
cz -C "$O" export --to "$WORK/s2" --for 杨树湾村 >/dev/null
cz -C "$WORK/office2" export --to "$WORK/s3" --for 杨树湾村 >/dev/null
expect "station takes the old office PC's bundle" 0 cz -C "$A" import "$WORK/s2"
expect "and the restored office's" 0 cz -C "$A" import "$WORK/s3"
lacks "no fork" "$OUT" "FORK"
expect "station verifies with both root epochs" 0 cz -C "$A" verify --json
equals "no forks at the station" "$(cz -C "$A" status --json | jq .forks)" 0

# ---- USB sticks from the mount table ----
FAKE=$WORK/fake; mkdir -p "$FAKE/sys/block/sda/sda1" "$FAKE/sys/block/sdb/sdb1" "$FAKE/sys/block/sdc" "$WORK/usb one" "$WORK/usb2"
echo 0 > "$FAKE/sys/block/sda/removable"; echo 1 > "$FAKE/sys/block/sdb/removable"; echo 1 > "$FAKE/sys/block/sdc/removable"
printf '/dev/sda1 / ext4 rw 0 0\nproc /proc proc rw 0 0\n' > "$FAKE/none"
printf '/dev/sda1 / ext4 rw 0 0\n/dev/sdb1 %s vfat rw 0 0\n' "${WORK// /\\040}/usb\\040one" > "$FAKE/one"
{ cat "$FAKE/one"; printf '/dev/sdc %s vfat rw 0 0\n' "$WORK/usb2"; } > "$FAKE/two"
export CUNZHAN_SYSFS_ROOT=$FAKE/sys CUNZHAN_UDEV_DATA=$FAKE/udev
mkdir -p "$FAKE/nosticks/block/sda/sda1"; echo 0 > "$FAKE/nosticks/block/sda/removable"
expect "export with no stick: usage" 2 env CUNZHAN_SYSFS_ROOT="$FAKE/nosticks" CUNZHAN_MOUNTS="$FAKE/none" "$CUNZHAN" -C "$A" export
contains "says plug one in" "$ERR" "no USB stick is plugged in"
expect "export to the only stick" 0 env CUNZHAN_MOUNTS="$FAKE/one" "$CUNZHAN" -C "$A" export
contains "names the stick" "$ERR" "usb one"
ls "$WORK/usb one"/cunzhan/*/*/*.czb >/dev/null 2>&1 && onstick=1 || onstick=0
equals "the bundle is on it" "$onstick" 1
expect "import from the only stick" 0 env CUNZHAN_MOUNTS="$FAKE/one" "$CUNZHAN" -C "$O" import
contains "imported" "$OUT" "new"
expect "backup to the only stick" 0 env CUNZHAN_MOUNTS="$FAKE/one" "$CUNZHAN" -C "$A" backup
contains "backup there" "$OUT" "usb one/cunzhan/backup/"
expect "two sticks: usage" 2 env CUNZHAN_MOUNTS="$FAKE/two" "$CUNZHAN" -C "$A" export
contains "lists the first" "$ERR" "usb one"
contains "lists the second" "$ERR" "usb2"
expect "import with two sticks: usage" 2 env CUNZHAN_MOUNTS="$FAKE/two" "$CUNZHAN" -C "$O" import
# A stick that says removable=0 (many SanDisk and Kingston ones): found by
# the USB port its sysfs folder runs through; mountinfo, escaped spaces.
USBDEV="devices/pci0000:00/0000:00:14.0/usb1/1-1/1-1:1.0/host6/target6:0:0/6:0:0:0/block/sdd"
mkdir -p "$FAKE/sys/$USBDEV/sdd1" "$WORK/usb three"
echo 0 > "$FAKE/sys/$USBDEV/removable"; echo 8:48 > "$FAKE/sys/$USBDEV/dev"; echo 8:49 > "$FAKE/sys/$USBDEV/sdd1/dev"
echo 7812500 > "$FAKE/sys/$USBDEV/sdd1/size"
ln -s "../$USBDEV" "$FAKE/sys/block/sdd"
mkdir -p "$FAKE/udev"; printf 'E:ID_BUS=usb\nE:ID_FS_TYPE=vfat\nE:ID_FS_LABEL=KINGSTON\n' > "$FAKE/udev/b8:49"
printf '22 1 8:1 / / rw shared:1 - ext4 /dev/sda1 rw\n40 22 8:49 / %s rw,nosuid shared:5 - vfat /dev/sdd1 rw\n' \
    "${WORK// /\\040}/usb\\040three" > "$FAKE/mountinfo"
expect "a removable=0 USB stick is found" 0 env CUNZHAN_MOUNTS="$FAKE/mountinfo" "$CUNZHAN" -C "$A" export
contains "names it" "$ERR" "usb three (sdd1)"
ls "$WORK/usb three"/cunzhan/*/*/*.czb >/dev/null 2>&1 && onstick=1 || onstick=0
equals "the bundle is on it" "$onstick" 1
# Plugged in, none mounted: listed with how to mount them, no udisksctl on PATH.
rm -rf "$FAKE/sys/block/sdb" "$FAKE/sys/block/sdc"
expect "a stick not mounted: usage" 2 env PATH=/nonexistent CUNZHAN_MOUNTS="$FAKE/none" "$CUNZHAN" -C "$A" export
contains "says it is not mounted" "$ERR" "plugged in but not mounted"
contains "describes it" "$ERR" "/dev/sdd1  4.0 GB  vfat  KINGSTON"
contains "the mount line" "$ERR" "mkdir -p /mnt/usb && "
contains "the mount line mounts it" "$ERR" "/dev/sdd1 /mnt/usb"
expect "in Chinese" 2 env PATH=/nonexistent CUNZHAN_MOUNTS="$FAKE/none" "$CUNZHAN" -C "$A" --lang zh backup
contains "zh: not mounted" "$ERR" "插着U盘，但没有挂载"
contains "zh: as root" "$ERR" "以 root 身份运行"
# With udisksctl but no terminal to ask on: the command to run.
mkdir -p "$FAKE/bin"; printf '#!/bin/sh\nexit 1\n' > "$FAKE/bin/udisksctl"; chmod +x "$FAKE/bin/udisksctl"
expect "udisksctl named" 2 env PATH="$FAKE/bin" CUNZHAN_MOUNTS="$FAKE/none" "$CUNZHAN" -C "$O" import </dev/null
contains "the udisksctl line" "$ERR" "udisksctl mount -b /dev/sdd1"
# The disk inside the PC is not a stick, whatever its mount point says.
printf '22 1 8:1 / /media/usb rw - ext4 /dev/sda1 rw\n' > "$FAKE/satamnt"
expect "a SATA disk is not taken" 2 env PATH=/nonexistent CUNZHAN_MOUNTS="$FAKE/satamnt" "$CUNZHAN" -C "$A" export
lacks "not listed" "$ERR" "/media/usb"
unset CUNZHAN_SYSFS_ROOT CUNZHAN_UDEV_DATA

finish
