#!/usr/bin/env bash
# The core scenario: an office and a village station set up; a
# household with a Chinese name added, edited, shown with both versions and
# found by part of its name; full-width input normalised; a bad ID number
# refused with nothing stored; a good one gives the birth date; verify passes,
# and a flipped byte in the LMDB file makes it fail.
. "$(dirname "$0")/lib.bash"
O=$WORK/office
S=$WORK/yangshuwan

expect "init office" 0 cz -C "$O" init --office 许昌市科协 --user 张主任
contains "office fingerprint shown" "$OUT" "fingerprint"
expect "office pubkey" 0 cz -C "$O" pubkey
printf '%s\n' "$OUT" > "$WORK/office.id"
contains "pubkey names the office" "$OUT" "kind office"
expect "init again refused" 1 cz -C "$O" init --office X --user Y
expect "init station" 0 cz -C "$S" init --station 杨树湾村 --region 411081106201 --user 李书记 --office-key "$WORK/office.id"
expect "init station with a bad office key" 1 cz -C "$WORK/bad" init --station X --region 4110 --user Y --office-key /etc/hostname
expect "init without a region is a usage error" 2 cz -C "$WORK/bad2" init --station X --user Y --office-key "$WORK/office.id"

expect "status" 0 cz -C "$S" status
contains "status names the station" "$OUT" "杨树湾村"

# Full-width household number, as an input method types it.
expect "add household" 0 cz -C "$S" add household number=ＹＳＷ－００２ village=411081106201 \
    head=王秀英 phone=13800000000 causes=因病,缺技术 primary_cause=illness identified=2014 \
    notes=独特的备注文字用于篡改测试
H=$OUT
equals "add prints a 32-hex id" "${#H}" 32
expect "show household json" 0 cz -C "$S" show "$H" --json
contains "number normalised to ASCII" "$OUT" '"number": "YSW-002"'
contains "head kept in Chinese" "$OUT" '"head": "王秀英"'
contains "causes stored by key" "$OUT" '"illness"'

expect "edit household" 0 cz -C "$S" edit "${H:0:8}" phone=13900000000
V2=$OUT
expect "show history" 0 cz -C "$S" show "$H" --history
contains "history shows the change" "$OUT" "13800000000 -> 13900000000"
contains "history has version 2" "$OUT" "2. "
expect "show history json" 0 cz -C "$S" show "$H" --history --json
equals "two versions" "$(printf '%s' "$OUT" | grep -c '"seq"')" 3   # the record's own + 2 versions
contains "current version is the edit" "$OUT" "\"version\": \"$V2\""

expect "find by part of the name" 0 cz -C "$S" find 秀英
contains "found" "$OUT" "${H:0:12}"
expect "find by surname" 0 cz -C "$S" find 王
contains "found by one character" "$OUT" "${H:0:12}"
expect "find by household number (full-width typed)" 0 cz -C "$S" find ｙｓｗ－００２
expect "find by household number" 0 cz -C "$S" find YSW-002
contains "found by number" "$OUT" "${H:0:12}"
expect "find nothing" 0 cz -C "$S" find 不存在的人
equals "no results" "$OUT" ""

expect "duplicate household number refused" 1 cz -C "$S" add household number=YSW-002 village=411081106201 head=某人
contains "names the field" "$ERR" "number"

# ID numbers: 11010519491231002X is valid (check char X); change one digit.
expect "bad check digit refused" 1 cz -C "$S" add member household="$H" name=王小明 id_number=110105194912310021
contains "message names the field" "$ERR" "id_number"
contains "message says the fix" "$ERR" "re-read"
expect "nothing stored" 0 cz -C "$S" list member --json
equals "no members" "$OUT" "[]"
expect "refusal in Chinese" 1 cz -C "$S" --lang zh add member household="$H" name=王小明 id_number=110105194912310021
contains "Chinese message" "$ERR" "身份证号"

expect "valid id number" 0 cz -C "$S" add member household="$H" name=王小明 id_number=11010519491231002x relation=child
M=$OUT
expect "show member" 0 cz -C "$S" show "$M" --json
contains "birth date derived" "$OUT" '"born": "1949-12-31"'
contains "sex derived" "$OUT" '"sex": "F"'
contains "check char canonical" "$OUT" '"id_number": "11010519491231002X"'
contains "member inherits the village" "$OUT" '"region": "411081106201"'
expect "find by ID number" 0 cz -C "$S" find 11010519491231002X
contains "found member" "$OUT" "${M:0:12}"
expect "reference to the wrong type refused" 1 cz -C "$S" add member household="$M" name=甲
contains "says wrong type" "$ERR" "wrong type"
expect "contradicting sex refused" 1 cz -C "$S" edit "$M" sex=M
expect "list members of the household" 0 cz -C "$S" list member household="$H"
contains "listed" "$OUT" "王小明"
expect "list with filter by label" 0 cz -C "$S" list household status=未脱贫
contains "filter by Chinese label" "$OUT" "YSW-002"
expect "second household" 0 cz -C "$S" add household number=YSW-003 village=411081106201 head=赵四
expect "outside the station's region refused" 1 cz -C "$S" add household number=NZ-001 village=411081106202 head=钱五
expect "bad date refused" 1 cz -C "$S" add training topic=养鸡 village=411081106201 date=2015-02-29
contains "date hint" "$ERR" "YYYY-MM-DD"
expect "unknown field" 1 cz -C "$S" add household number=YSW-010 village=411081106201 head=周七 colour=red
contains "names the unknown field" "$ERR" "colour"

before=$(cz -C "$S" status --json | grep '"entries"')
CUNZHAN_PASSPHRASE=wrong expect "wrong passphrase" 1 cz -C "$S" add household number=YSW-004 village=411081106201 head=吴八
contains "says wrong passphrase" "$ERR" "wrong passphrase"
after=$(cz -C "$S" status --json | grep '"entries"')
equals "nothing written on a wrong passphrase" "$after" "$before"

expect "delete" 0 cz -C "$S" delete "$M"
expect "deleted member not found" 0 cz -C "$S" find 王小明
equals "deleted not listed" "$OUT" ""
expect "fields lists types" 0 cz -C "$S" fields household
contains "fields shows labels" "$OUT" "户主姓名"
expect "usage error exits 2" 2 cz -C "$S" frobnicate
expect "unknown type exits 2" 2 cz -C "$S" --lang en add frobnicate head=x
contains "unknown type named" "$ERR" "frobnicate: no such record type"
expect "list of an unknown type exits 2" 2 cz -C "$S" --lang en list frobnicate
contains "list: unknown type named" "$ERR" "frobnicate: no such record type"
expect "an argument without = exits 2" 2 cz -C "$S" --lang en add household head
contains "the argument without = named" "$ERR" "head: expected FIELD=VALUE"
expect "an argument with no field exits 2" 2 cz -C "$S" --lang en edit "$M" =x
contains "the argument with no field named" "$ERR" "=x: expected FIELD=VALUE"

expect "verify passes" 0 cz -C "$S" verify
expect "verify office" 0 cz -C "$O" verify
expect "verify json" 0 cz -C "$S" verify --json
contains "verify json ok" "$OUT" '"ok": true'

# Tamper: flip one byte of the stored notes text in the LMDB file.  Old page
# copies may hold the text too, so try each occurrence until verify notices.
DB=$S/db/data.mdb
offsets=$(grep -obaF "篡改测试" "$DB" | cut -d: -f1)
[ -n "$offsets" ] || fail "notes text found in the database file"
caught=0
for off in $offsets; do
    cp "$DB" "$WORK/backup.mdb"
    orig=$(dd if="$DB" bs=1 skip="$off" count=1 2>/dev/null | od -An -tu1 | tr -d ' ')
    printf "\\$(printf '%03o' $(( (orig ^ 1) )))" | dd of="$DB" bs=1 seek="$off" conv=notrunc 2>/dev/null
    if ! cz -C "$S" verify >"$WORK/verify.out" 2>&1; then
        caught=1
        break
    fi
    cp "$WORK/backup.mdb" "$DB"
done
equals "verify exits 1 after a flipped byte" "$caught" 1
contains "verify names the bad entry" "$(cat "$WORK/verify.out")" "BAD"

finish
