#!/usr/bin/env bash
# The Sync screen's export onto a full stick (a 64 KiB tmpfs filled to the
# last byte) names the cause, the stick and the fix, over as many rows as
# it takes, in English and Chinese; once room is made the same export
# completes.  Root only (it mounts a tmpfs); otherwise a 'skip' line.
. "$(dirname "$0")/lib.bash"
. "$(dirname "$0")/tmux.bash"
O=$WORK/office A=$WORK/yangshuwan V=411081106201 FULL=$WORK/full
trap '$TM kill-server 2>/dev/null; umount "$FULL" 2>/dev/null; rm -rf "$WORK"' EXIT

mkdir -p "$FULL"
if ! mount -t tmpfs -o size=64k tmpfs "$FULL" 2>/dev/null; then
    echo "skip full stick on the Sync screen: cannot mount a tmpfs here (needs root)"
    finish
    exit
fi
cz -C "$O" init --office 许昌市科协 --user 张主任 >/dev/null
cz -C "$O" pubkey > "$WORK/office.id"
cz -C "$A" init --station 杨树湾村 --region $V --user 李书记 --office-key "$WORK/office.id" >/dev/null
dd if=/dev/urandom of="$FULL/photos.bin" bs=4k 2>/dev/null

startat "$A" --lang en
open_sync
see "en: sync screen" "Sync: exchange bundles"
choose_folder "$FULL"
see "en: the full stick is chosen" "Stick or folder: $FULL"
keys Enter
see "en: the export failed" "some exports failed"
see "en: names the stick" "许昌市科协: $FULL"
see "en: names the cause" "the USB stick (or the folder given) is full"
see "en: the fix is not cut off" "or use another stick; nothing half-written"
keys F10
see "en: quits" "EXIT=0"

startat "$A" --lang zh
open_sync
choose_folder "$FULL"
keys Enter
see "zh: names the cause" "U盘（或指定的文件夹）已满"
see "zh: the fix is not cut off" "没有留下写了一半的文件"
keys F10
see "zh: quits" "EXIT=0"
equals "nothing half-written on the stick" "$(find "$FULL" -type f | wc -l)" 1

rm -f "$FULL/photos.bin"
startat "$A" --lang en
open_sync
choose_folder "$FULL"
keys Enter
see "room made: the export completes" "Files written: 1, entries:"
keys F10
see "room made: quits" "EXIT=0"
expect "room made: the station verifies" 0 cz -C "$A" verify
expect "room made: the office imports the bundle" 0 cz -C "$O" import "$FULL"
equals "every screen fitted 80 columns" "$WIDE" 0
finish
