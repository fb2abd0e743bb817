#!/usr/bin/env bash
# Sync and Conflicts screens: the real binary in tmux 80x24 on the
# demo office and stations, a real folder standing in for the USB stick.
# Export from a station and import at the office through the Sync screen
# (progress, summary, a bundle file on the folder); a conflict made at two
# stations and resolved in the Conflicts screen (then `conflicts` shows
# none and `verify` passes); a tampered bundle and a vanished folder refused
# with the database unchanged.  Every screen captured must fit 80 columns
# (widthcheck.c), in Chinese and English.
. "$(dirname "$0")/lib.bash"
. "$(dirname "$0")/tmux.bash"

"$CUNZHAN" -C "$WORK/demo" demo >/dev/null 2>&1 || fail "demo data"
O=$WORK/demo/office Y=$WORK/demo/yangshuwan N=$WORK/demo/nanzhai
STICK=$WORK/stick
mkdir -p "$STICK"

# Home menu rows: Households, Add, Verify, Sync (open_sync), Conflicts, ...
open_conflicts() { ready; menu_open "Conflicts: choose" "冲突：在不同取值间选定"; }

BOX_O=$(box_of "$O") BOX_Y=$(box_of "$Y")

# ---- English: export at a station, import at the office ----
cz -C "$Y" add household number=YSW-S-01 village=411024104201 head=Sync测试 >/dev/null || fail "a new household to send"
startat "$Y" --lang en
see "en: home lists Sync" "Sync: export and import"
see "en: home lists Conflicts" "Conflicts: choose"
open_sync
see "en: sync screen" "Sync: exchange bundles"
see "en: peers listed with the office" "许昌市科协"
see "en: last sync column" "last sent"
see "en: no stick found, says to type a folder" "none chosen"
keys Down Enter
see "en: export without a folder asks for one" "Choose a USB stick or type a folder first"
choose_folder "$STICK"
see "en: the folder is chosen" "Stick or folder: $STICK"
keys Enter
see "en: export summary" "Files written: 1, entries:"
see "en: export lists the peer" "许昌市科协:"
ls "$STICK"/cunzhan/"$BOX_O"/*/*.czb >/dev/null 2>&1 && pass "en: a bundle file on the folder" || fail "en: no bundle on the folder" "$(find "$STICK")"
keys Escape
see "en: back home" "Sync: export and import"
open_sync
see "en: the last sent time is shown now (China time)" "$(date -u -d '+8 hours' +%Y-%m-%d)"
keys F10
see "en: quits" "EXIT=0"

before=$(cz -C "$O" status --json)
startat "$O" --lang en
open_sync
see "en: office sync screen" "Sync: exchange bundles"
see "en: the office lists its stations" "杨树湾村"
choose_folder "$STICK"
keys Down Enter
see "en: import summary" "Bundles: 1 read, 1 imported, 0 already imported, 0 refused"
see "en: entries accepted" "Entries: "
see "en: conflicts and clock counted" "clock ahead: 0"
keys Enter
see "en: importing again: already imported" "Bundles: 1 read, 0 imported, 1 already imported"
keys F10
see "en: office quits" "EXIT=0"
expect "the household reached the office" 0 cz -C "$O" find YSW-S-01
contains "found at the office" "$OUT" "YSW-S-01"

# ---- a tampered bundle, through the screen: refused, nothing changed ----
T=$WORK/tampered
cz -C "$Y" edit "$(cz -C "$Y" find YSW-S-01 | cut -c1-12)" phone=13900000077 >/dev/null || fail "edit for the tampered bundle"
cz -C "$Y" export --to "$T" >/dev/null || fail "export for tampering"
F=$(ls "$T"/cunzhan/"$BOX_O"/*/*.czb | head -1)
size=$(stat -c %s "$F")
flip_byte "$F" $((size - 20))
before=$(cz -C "$O" status --json)
startat "$O" --lang en
open_sync
choose_folder "$T"
keys Down Enter
see "en: tampered bundle refused" "refused whole; nothing changed"
see "en: ... with the reason" "the bundle is damaged or was altered"
see "en: ... says nothing changed" "nothing changed"
see "en: counted as refused" "1 refused"
keys F10
see "en: quits after the refusal" "EXIT=0"
equals "tampered: the office database is unchanged" "$(cz -C "$O" status --json)" "$before"

# A truncated one.
head -c $((size - 1)) "$F" > "$F.tmp" && mv "$F.tmp" "$F"
startat "$O" --lang en
open_sync
choose_folder "$T"
keys Down Enter
see "en: truncated bundle refused" "truncated"
keys F10
see "en: quits" "EXIT=0"
equals "truncated: unchanged" "$(cz -C "$O" status --json)" "$before"

# A folder that is not there (the stick pulled out) and one with nothing for us.
mkdir -p "$WORK/empty"
startat "$O" --lang en
open_sync
choose_folder "$WORK/gone"
keys Down Enter
see "en: a vanished folder is named" "was the stick pulled out?"
choose_folder "$WORK/empty"
keys Down Enter
see "en: an empty folder: no bundles" "no bundles for this station were found there"
keys F10
see "en: quits" "EXIT=0"
equals "vanished/empty: unchanged" "$(cz -C "$O" status --json)" "$before"

# ---- a conflict, resolved in the Conflicts screen ----
C=$WORK/cstick
H=$(cz -C "$Y" find YSW-S-01 | cut -c1-12)
sync_both "$Y" "$O" "$C"
expect "the station sets the phone" 0 cz -C "$Y" edit "$H" phone=13600000002
expect "the office sets it otherwise" 0 cz -C "$O" edit "$H" phone=13600000003
sync_both "$Y" "$O" "$C"
expect "one conflict at the office" 0 cz -C "$O" conflicts
contains "the conflict is listed" "$OUT" "13600000002"

startat "$O" --lang en
open_conflicts
see "en: conflicts screen" "Conflicts: records whose values disagree"
see "en: the record in conflict" "Sync测试"
see "en: names the field" "Phone"
keys Enter
see "en: resolve screen side by side" "Resolve"
see "en: one value" "13600000002"
see "en: the other value" "13600000003"
see "en: who signed" "@"
# Choose the station's value, whichever column it is in.
row=$(printf '%s\n' "$SCREEN" | grep -m1 '13600000002')
case "$row" in *"(*) 136000000002"*|*"(*) 13600000002"*) ;; *) keys Right ;; esac
keys Left
capture
case "$(printf '%s\n' "$SCREEN" | grep -m1 '1360000000')" in
*"(*) 13600000002"*) ;;
*) keys Right ;;
esac
see "en: the station's value chosen" "(*) 13600000002"
keys F2
see "en: resolved and signed" "Resolved"
see "en: back on the list, now empty" "No conflicts."
keys F10
see "en: quits" "EXIT=0"
expect "no conflicts left" 0 cz -C "$O" conflicts
contains "says none" "$OUT" "no conflicts"
expect "the chosen value stands" 0 cz -C "$O" show "$H" --json
contains "the station's phone" "$OUT" "13600000002"
expect "verify passes after the resolution" 0 cz -C "$O" verify

# A typed value in Chinese, on the station side.
expect "the station sets the phone again" 0 cz -C "$Y" edit "$H" phone=13600000005
expect "the office too" 0 cz -C "$O" edit "$H" phone=13600000006
sync_both "$Y" "$O" "$C"
startat "$Y" --lang zh
see "zh: home lists 同步" "同步：用U盘导出和导入"
open_conflicts
see "zh: conflicts screen" "冲突：同步后取值不一致的记录"
see "zh: field name in Chinese" "联系电话"
keys Enter
see "zh: resolve screen" "解决冲突"
see "zh: both values" "13600000006"
keys Enter
see "zh: pick-list with typing" "输入新的值"
keys Down Down Enter
text "13600000009"
keys Enter
see "zh: the typed value shown" "新输入： 13600000009"
keys F2
see "zh: resolved" "冲突已解决"
see "zh: none left" "没有冲突。"
keys F10
see "zh: quits" "EXIT=0"
expect "zh: no conflicts at the station" 0 cz -C "$Y" conflicts
contains "zh: none" "$OUT" "no conflicts"
expect "zh: the typed value stands" 0 cz -C "$Y" show "$H" --json
contains "zh: typed phone" "$OUT" "13600000009"
expect "zh: verify passes" 0 cz -C "$Y" verify

# A deletion at the office concurrent with an edit here, resolved here as
# a deletion: the record's draft at this station goes with it (draft.h,
# cz_draft_sweep); before that, the deletion contested, it stays.
cz -C "$Y" add household number=YSW-S-02 village=411024104201 head=删改冲突 >/dev/null || fail "a household to delete"
Z=$(cz -C "$Y" show "$(cz -C "$Y" find YSW-S-02 | cut -c1-12)" | awk 'NR == 1 { print $2 }')
sync_both "$Y" "$O" "$C"
expect "the office deletes it" 0 cz -C "$O" delete "$Z"
expect "the station edits it after" 0 cz -C "$Y" edit "$Z" phone=13600000011
sync_both "$Y" "$O" "$C"
ZDRAFT=$Y/drafts/household-$Z.draft
mkdir -p "$Y/drafts"
printf 'cunzhan-draft 1\ntype household\nentity %s\nsaved 1764390000\nfield address 草稿\nend\n' "$Z" >"$ZDRAFT"
startat "$Y" --lang en
open_conflicts
see "deletion conflict: listed" "删改冲突"
[ -e "$ZDRAFT" ]; equals "deletion conflict: the draft stays while it is contested" "$?" 0
keys Enter
see "deletion conflict: both sides" "(deleted)"
keys Right
see "deletion conflict: the deletion chosen" "(*) (deleted)"
keys F2
see "deletion conflict: asks" "Delete this record on every station?"
keys Enter
see "deletion conflict: resolved" "Resolved"
[ -e "$ZDRAFT" ]; equals "deletion conflict: resolved as a deletion, the draft is gone" "$?" 1
keys F10
see "deletion conflict: quits" "EXIT=0"
expect "deletion conflict: the record is deleted" 0 cz -C "$Y" show "$Z"
contains "deletion conflict: shown as deleted" "$OUT" "(deleted)"

# ---- Chinese: export at another station, import at the office ----
Z=$WORK/zstick
mkdir -p "$Z"
cz -C "$N" add household number=NZ-S-01 village="$(cz -C "$N" status --json | sed -n 's/.*"region": "\([0-9]*\)".*/\1/p' | head -1)" head=南寨测试 >/dev/null || fail "a nanzhai household"
startat "$N" --lang zh
open_sync
see "zh: sync screen" "同步：用U盘交换数据包"
see "zh: last sync columns" "上次导出"
choose_folder "$Z"
see "zh: folder chosen" "U盘或文件夹： $Z"
keys Enter
see "zh: export summary" "写入文件 1 个"
keys F10
see "zh: quits" "EXIT=0"
startat "$O" --lang zh
open_sync
choose_folder "$Z"
keys Down Enter
see "zh: import summary" "数据包：读取 1 个，导入 1 个"
see "zh: conflicts and clock" "时钟超前：0 条"
keys F10
see "zh: office quits" "EXIT=0"
expect "nanzhai's household reached the office" 0 cz -C "$O" find NZ-S-01
contains "found" "$OUT" "NZ-S-01"

# A tampered bundle in Chinese.
cz -C "$N" edit "$(cz -C "$N" find NZ-S-01 | cut -c1-12)" phone=13900000088 >/dev/null
cz -C "$N" export --to "$Z" >/dev/null
F=$(ls -t "$Z"/cunzhan/"$BOX_O"/*/*.czb | head -1)
flip_byte "$F" 50
before=$(cz -C "$O" status --json)
startat "$O" --lang zh
open_sync
choose_folder "$Z"
keys Down Enter
see "zh: tampered header refused in Chinese" "签名验证失败"
see "zh: nothing changed" "没有任何改变"
keys F10
see "zh: quits" "EXIT=0"
equals "zh tampered: unchanged" "$(cz -C "$O" status --json)" "$before"

# ---- USB sticks found by themselves (a fake mount table and sysfs) ----
mkdir -p "$WORK/sys/block/sda/sda1" "$WORK/sys/block/sdb/sdb1" "$WORK/sys/block/sdc" "$WORK/usb one" "$WORK/usb2"
echo 0 > "$WORK/sys/block/sda/removable"; echo 1 > "$WORK/sys/block/sdb/removable"; echo 1 > "$WORK/sys/block/sdc/removable"
printf '/dev/sda1 / ext4 rw 0 0\n/dev/sdb1 %s vfat rw 0 0\n/dev/sdc %s vfat rw 0 0\n' \
    "${WORK// /\\040}/usb\\040one" "$WORK/usb2" > "$WORK/two"
printf '/dev/sda1 / ext4 rw 0 0\n/dev/sdc %s vfat rw 0 0\n' "$WORK/usb2" > "$WORK/one"
MOUNTS=$WORK/two startat "$Y" --lang en
open_sync
see "en: the first stick listed" "USB stick $WORK/usb one  (sdb1)"
see "en: the second stick listed" "USB stick $WORK/usb2  (sdc)"
see "en: none chosen with two" "none chosen"
keys C-a Down Enter
see "en: the second stick chosen" "Stick or folder: $WORK/usb2"
keys Down Down Enter
see "en: exported to the stick" "Files written: 1"
see "en: the file named within the stick" "-> cunzhan/$BOX_O/"
keys F10
see "en: quits" "EXIT=0"
ls "$WORK/usb2"/cunzhan/"$BOX_O"/*/*.czb >/dev/null 2>&1 && pass "the bundle is on the chosen stick" || fail "no bundle on usb2"
ls "$WORK/usb one"/cunzhan >/dev/null 2>&1 && fail "the other stick was written" || pass "the other stick untouched"
# One stick: chosen by itself; then pulled out before Import.
MOUNTS=$WORK/one startat "$O" --lang zh
open_sync
see "zh: the only stick chosen by itself" "U盘或文件夹： $WORK/usb2"
before=$(cz -C "$O" status --json)
mv "$WORK/usb2" "$WORK/usb2-out"
keys Down Enter
see "zh: a stick pulled out is named" "U盘被拔出了吗"
mv "$WORK/usb2-out" "$WORK/usb2"
keys Enter
see "zh: plugged back in, it imports" "数据包：读取 1 个，导入 1 个"
keys F10
see "zh: quits" "EXIT=0"

# ---- a stick plugged in but not mounted (no desktop to mount it) ----
# A USB stick saying removable=0, known as one by its USB port in sysfs;
# udisksctl here is a stand-in that mounts it in the fake table.
rm -rf "$WORK/sys/block/sdb" "$WORK/sys/block/sdc"
USBDEV="devices/pci0000:00/0000:00:14.0/usb1/1-1/1-1:1.0/host6/target6:0:0/6:0:0:0/block/sdd"
mkdir -p "$WORK/sys/$USBDEV/sdd1" "$WORK/udev" "$WORK/usb3" "$WORK/bin"
echo 0 > "$WORK/sys/$USBDEV/removable"; echo 8:48 > "$WORK/sys/$USBDEV/dev"
echo 8:49 > "$WORK/sys/$USBDEV/sdd1/dev"; echo 7812500 > "$WORK/sys/$USBDEV/sdd1/size"
ln -s "../$USBDEV" "$WORK/sys/block/sdd"
printf 'E:ID_BUS=usb\nE:ID_FS_TYPE=vfat\nE:ID_FS_LABEL=KINGSTON\n' > "$WORK/udev/b8:49"
{
    printf '#!/bin/sh\n[ "$1 $2 $3" = "mount -b /dev/sdd1" ] || exit 9\n'
    printf "printf '/dev/sdd1 %%s vfat rw 0 0\\\\n' '%s' >> \"\$CUNZHAN_MOUNTS\"\n" "$WORK/usb3"
    printf 'echo "Mounted /dev/sdd1 at %s"\n' "$WORK/usb3"
} > "$WORK/bin/udisksctl"
chmod +x "$WORK/bin/udisksctl"
printf '/dev/sda1 / ext4 rw 0 0\n' > "$WORK/nostick"
MOUNTS=$WORK/nostick ENVARGS="PATH=$WORK/bin:$PATH" startat "$Y" --lang en
open_sync
see "en: a stick not mounted listed" "USB stick /dev/sdd1 4.0 GB KINGSTON: not mounted, Enter mounts it"
see "en: none chosen yet" "none chosen"
keys C-a Enter
see "en: mounted" "Mounted /dev/sdd1 at $WORK/usb3"
see "en: and chosen" "Stick or folder: $WORK/usb3"
see "en: listed mounted" "USB stick $WORK/usb3  (sdd1)"
keys Enter
see "en: exported to it" "Files written: 1"
keys F10
see "en: quits" "EXIT=0"
ls "$WORK/usb3"/cunzhan/"$BOX_O"/*/*.czb >/dev/null 2>&1 && pass "the bundle is on the mounted stick" || fail "no bundle on usb3"
# No udisksctl: the line to run as root, in Chinese.
printf '/dev/sda1 / ext4 rw 0 0\n' > "$WORK/nostick"
MOUNTS=$WORK/nostick ENVARGS="PATH=/nonexistent" startat "$Y" --lang zh
open_sync
see "zh: a stick not mounted listed" "未挂载，回车即挂载"
keys C-a Enter
see "zh: udisksctl missing said" "没有安装 udisksctl"
see "zh: the line to run as root" "或以 root 身份运行"
see "zh: the mount line" "/dev/sdd1 /mnt/usb"
keys F10
see "zh: quits" "EXIT=0"
# The command line on a terminal asks, then mounts it and exports.
printf '/dev/sda1 / ext4 rw 0 0\n' > "$WORK/nostick"
MOUNTS=$WORK/nostick ENVARGS="PATH=$WORK/bin:$PATH" startat "$Y" --lang en export --full
see "cli: asks to mount" "mount it now (udisksctl)? [Y/n]"
keys y Enter
see "cli: mounted and used" "mounted; using the USB stick at $WORK/usb3 (sdd1)"
see "cli: exported" "EXIT=0"
rm -f "$WORK/sys/block/sdd"      # unplugged: the screens below see no stick

# ---- deleted on one side, edited on the other ----
sync_both "$Y" "$O" "$C"
expect "the station deletes the household" 0 cz -C "$Y" delete "$H"
expect "the office edits it meanwhile" 0 cz -C "$O" edit "$H" phone=13600000010
sync_both "$Y" "$O" "$C"
startat "$O" --lang en
open_conflicts
see "en: delete/edit conflict listed" "deleted/edited"
keys Enter
see "en: deleted or kept" "Deleted or kept"
see "en: the deletion side" "(deleted)"
see "en: the kept side" "(kept, edited)"
capture
case "$(printf '%s\n' "$SCREEN" | grep -m1 'kept, edited')" in
*"(*) (kept, edited)"*) ;;
*) keys Right; keys Left ;;
esac
capture
case "$(printf '%s\n' "$SCREEN" | grep -m1 'kept, edited')" in
*"(*) (kept, edited)"*) ;;
*) keys Right ;;
esac
see "en: keep chosen" "(*) (kept, edited)"
keys F2
see "en: kept and signed" "Resolved"
keys F10
see "en: quits" "EXIT=0"
expect "kept: no conflicts left" 0 cz -C "$O" conflicts
contains "kept: none" "$OUT" "no conflicts"
expect "kept: the record stands with the edit" 0 cz -C "$O" show "$H" --json
contains "kept: not deleted" "$OUT" '"deleted": false'
contains "kept: the office's phone" "$OUT" "13600000010"
expect "kept: verify passes" 0 cz -C "$O" verify

# ---- a summary longer than the screen: totals first, PgUp for the rest ----
# Fourteen bundles from one sender: each written on its own stick (on one
# stick a newer bundle supersedes the older ones), gathered on one.
for i in $(seq 1 14); do
    cz -C "$Y" export --full --to "$WORK/mb$i" >/dev/null
    mkdir -p "$WORK/manyb" && cp -r "$WORK/mb$i/." "$WORK/manyb/"
done
startat "$O" --lang en
open_sync
choose_folder "$WORK/manyb"
keys Down Enter
see "en: a long summary shows its totals" "Bundles: 14 read"
# (Twelve rows of it show below the menu: 19 lines, the last page from 8.)
see "en: ... and says how far it goes" "8-19/19"
lacks "en: ... the first lines scrolled away" "$SCREEN" "Import results:"
keys PPage
see "en: PgUp shows the first lines" "Import results:"
gone "en: ... and the totals scroll away" "Bundles: 14 read"
keys NPage
see "en: PgDn comes back to the totals" "Bundles: 14 read"
keys F10
see "en: quits" "EXIT=0"

# ---- a small init'ed pair with many records: the progress bar shows ----
BO=$WORK/bo BV=$WORK/bv BS=$WORK/bstick
mkdir -p "$BS"
cz -C "$BO" init --office 市办 --user 张主任 >/dev/null
cz -C "$BO" pubkey > "$WORK/bo.id"
cz -C "$BV" init --station 大村 --region 411081106201 --user 李书记 --office-key "$WORK/bo.id" >/dev/null
# ---- a failed export is not "last sent"; home and Sync screen agree ----
# The stick's cunzhan folder is a plain file: the export fails (as root too).
BAD=$WORK/badstick
mkdir -p "$BAD" && : > "$BAD/cunzhan"
startat "$BV" --lang en
ready
see "fresh: home says never synced" "Last sync: never"
open_sync
see "fresh: sync screen lists the office" "市办"
contains "fresh: never sent, never received" "$(printf '%s\n' "$SCREEN" | grep -m1 '市办')" "never"
choose_folder "$BAD"
see "fresh: the broken folder chosen" "Stick or folder: $BAD"
keys Enter
see "fresh: the export fails" "some exports failed"
keys Escape
see "fresh: after a failed export, home still says never" "Last sync: never"
open_sync
see "fresh: sync screen again" "Exchanges with:"
row=$(printf '%s\n' "$SCREEN" | grep -m1 '市办')
equals "fresh: a failed export is not last sent" "$(printf '%s\n' "$row" | grep -o never | wc -l)" 2
keys F10
see "fresh: quits" "EXIT=0"
expect "fresh: an export that works" 0 cz -C "$BV" export --to "$WORK/bvok"
startat "$BV" --lang en
ready
see "fresh: home names the export" "bundle for 市办"
home_when=$(printf '%s\n' "$SCREEN" | sed -n 's/.*Last sync: \([0-9-]* [0-9:]*\), bundle for.*/\1/p')
open_sync
see "fresh: sync screen after the export" "Exchanges with:"
row=$(printf '%s\n' "$SCREEN" | grep -m1 '市办')
contains "fresh: the sync screen's last sent is home's last sync" "$row" "${home_when:-no time on home}"
equals "fresh: ... and received is still never" "$(printf '%s\n' "$row" | grep -o never | wc -l)" 1
keys F10
see "fresh: quits" "EXIT=0"

{ echo "number,village,head"; for i in $(seq 1 20000); do echo "B-$i,411081106201,户主$i"; done; } > "$WORK/many.csv"
expect "20000 households loaded" 0 cz -C "$BV" load household "$WORK/many.csv"
expect "exported for the office" 0 cz -C "$BV" export --to "$BS"
startat "$BO" --lang en
open_sync
choose_folder "$BS"
keys Down Enter
see "en: the progress bar during a long import" "Import 1/1 [#" 20
see "en: ... then the summary" "Entries: 20002 accepted, 0 already had, 0 refused" 60
see "en: pending keys on their own line" "20000 of them from keys not yet certified"
keys F10
see "en: quits" "EXIT=0"

equals "every screen fitted 80 columns" "$WIDE" 0
finish
