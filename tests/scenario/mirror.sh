#!/usr/bin/env bash
# The PostgreSQL mirror (src/MIRROR.md) against a real server of the
# test's own (pg.bash): the demo office mirrored, its first run loading
# bare tables and building the schema's keys at its end; a streaming read
# replica reading the same; README's one line and the documents' sample
# queries as written; `report --json` equal to
# the report's SQL views, the registry and village sections by hand for
# one village and year, after a death, two income records of one year and
# a paper exit; a version 1 mirror upgraded in place; counts per type
# equal to `list`; a second run
# copies nothing; runs killed (kill -9) in the entries and in the records
# pass, and a first run killed in each of its passes and key builds, then
# run again, end identical to one clean run (also with the ranges lost
# while keys were owed); an edit, a
# conflict and its resolution, a held edit, a pending author and a
# revocation as the station judges them; hostile text round-trips byte
# for byte; every raw entry verifies with libsodium alone (entrysig.c);
# an unreachable server, a refused password, a newer schema and another
# station's mirror are refused by name in both languages, the station's
# database untouched; `make bench`'s mirror row, small.
source "$(dirname "$0")/lib.bash"
source "$(dirname "$0")/pg.bash"
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)

# A build without the mirror (make MIRROR=no; the 32-bit build) says so,
# exit 1, and reaches no server: the rest is for builds that mirror.
if ! grep -q "libpq" "$CUNZHAN"; then
    "$CUNZHAN" -C "$WORK/none" --lang en mirror "host=127.0.0.1 port=1 dbname=x" >"$WORK/out" 2>&1
    rc=$?
    equals "a build without the mirror: exit 1" "$rc" 1
    contains "a build without the mirror says so" "$(cat "$WORK/out")" "built without the PostgreSQL mirror"
    finish
    exit
fi

if ! pg_start; then fail "a PostgreSQL cluster starts"; finish; exit 1; fi
pass "a throwaway PostgreSQL cluster runs"

D=$WORK/demo
O=$D/office
S=$D/yangshuwan
VILLAGE=411024104201
cz -C "$D" demo >/dev/null 2>&1 || fail "demo"
M=$(pg_db main)

# dump URL: every row the mirror wrote, in a fixed order (what a clean run
# and a killed-then-resumed run must agree on).
dump() {
    pgq "$1" "COPY (SELECT * FROM cunzhan.entry ORDER BY id) TO STDOUT"
    pgq "$1" "COPY (SELECT * FROM cunzhan.record ORDER BY entity) TO STDOUT"
    pgq "$1" "COPY (SELECT * FROM cunzhan.mirrored ORDER BY origin, lo) TO STDOUT"
    pgq "$1" "COPY (SELECT station, name, office_root, records_owed, keys_owed FROM cunzhan.source) TO STDOUT"
}
# same_report DIR URL NAME: `report --json` equals cunzhan.report_json.
same_report() {
    local a b
    a=$(cz -C "$1" report --json | jq -S .)
    b=$(pgq "$2" "SELECT report FROM cunzhan.report_json" | jq -S .)
    if [ -n "$a" ] && [ "$a" = "$b" ]; then pass "$3"; else fail "$3" "$(diff <(echo "$a") <(echo "$b") | head -30)"; fi
}
# js KEY: a number from the last run's --json summary.
js() { printf '%s' "$OUT" | jq -r ".$1"; }
# hexof TEXT: its bytes in hex.
hexof() { printf '%s' "$1" | od -An -tx1 | tr -d ' \n'; }

# ---- the demo office, mirrored ----
DB_BEFORE=$(md5sum "$O/db/data.mdb")
expect "the office mirrors" 0 cz -C "$O" mirror "$M" --json
equals "schema created" "$(js schema_created)" true
equals "schema version 3" "$(pgq "$M" "SELECT max(version) FROM cunzhan.schema_version")" 3
# A first run loads the tables bare and builds their keys at its end:
# the same keys and indexes as the schema's own text names.
equals "a first run builds the keys" "$(js keys_built)" true
equals "and owes none after" "$(pgq "$M" "SELECT keys_owed FROM cunzhan.source")" f
KEYS="entry_entity CREATE INDEX entry_entity ON cunzhan.entry USING btree (entity)
entry_origin_seq CREATE INDEX entry_origin_seq ON cunzhan.entry USING btree (origin, seq)
entry_pkey CREATE UNIQUE INDEX entry_pkey ON cunzhan.entry USING btree (id, region)
record_pkey CREATE UNIQUE INDEX record_pkey ON cunzhan.record USING btree (entity, region)
record_type CREATE INDEX record_type ON cunzhan.record USING btree (type, region)"
# indexes URL: the keys and indexes of the two large tables.
indexes() {
    pgq "$1" "SELECT indexname || ' ' || indexdef FROM pg_indexes
              WHERE schemaname = 'cunzhan' AND tablename IN ('entry', 'record') ORDER BY indexname"
}
equals "the keys and indexes, as the schema names them" "$(indexes "$M")" "$KEYS"
equals "both primary keys" "$(pgq "$M" "SELECT string_agg(conname, ' ' ORDER BY conname) FROM pg_constraint
    WHERE contype = 'p' AND conrelid IN ('cunzhan.entry'::regclass, 'cunzhan.record'::regclass)")" "entry_pkey record_pkey"
equals "every entry copied" "$(js entries_copied)" "$(entries "$O")"
equals "entries in the table" "$(pgq "$M" "SELECT count(*) FROM cunzhan.entry")" "$(entries "$O")"
equals "the station's database only read" "$(md5sum "$O/db/data.mdb")" "$DB_BEFORE"
same_report "$O" "$M" "every report figure equals the SQL views'"

# What MIRROR.md's Citus plan rests on: region in both large tables'
# primary keys (above), and nothing that ties the schema to one server.
equals "no sequences, triggers or foreign keys in schema cunzhan" "$(pgq "$M" "SELECT
    (SELECT count(*) FROM pg_class WHERE relnamespace = 'cunzhan'::regnamespace AND relkind = 'S') || ' ' ||
    (SELECT count(*) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid WHERE c.relnamespace = 'cunzhan'::regnamespace)
    || ' ' || (SELECT count(*) FROM pg_constraint WHERE contype = 'f' AND connamespace = 'cunzhan'::regnamespace)")" "0 0 0"

# ---- a read replica, set up as MIRROR.md says (pg_basebackup -R) ----
RM=$(pg_replica main) && pass "a streaming replica runs" || fail "a streaming replica starts"
pg_caught_up "$M" "$RM" || fail "the replica catches up"
equals "the replica is read-only" "$(pgq "$RM" "SELECT pg_is_in_recovery()")" t
same_report "$O" "$RM" "the replica reads every report figure"

# ---- README's one line, and the documents' sample queries ----
LINE=$(sed -n '/The one line to run after each import/,/^```$/p' "$ROOT/README.md" | grep '^cunzhan ')
read -r _ opt dir cmd url <<<"$LINE"
[ "$opt $dir $cmd" = "-C office mirror" ] && [ "${url#postgresql://}" != "$url" ] \
    && pass "README's one line: cunzhan -C office mirror postgresql://..." || fail "README's one line is not there: $LINE"
expect "that line, with this server's URI" 0 cz -C "$O" mirror "postgresql://cz@/main?host=$PGHOST_DIR&port=$PGPORT_NUM" --json
equals "copies 0 the second time" "$(js entries_copied) $(js records_written)" "0 0"
# doc_sql FILE: each ```text block of FILE that is a SELECT, NUL-ended.
doc_sql() {
    awk '/^```/ { if (inb && q ~ /^SELECT/) printf "%s%c", q, 0; inb = ($0 == "```text"); q = ""; next }
         inb { q = q (q == "" ? "" : "\n") $0 }' "$1"
}
NQ=0
while IFS= read -r -d '' q; do
    NQ=$((NQ + 1))
    if out=$(pgq "$M" "$q" 2>&1); then pass "sample query runs: ${q%%$'\n'*}"; else fail "sample query fails: $q" "$out"; fi
done < <(doc_sql "$ROOT/README.md"; doc_sql "$ROOT/src/MIRROR.md")
equals "README's one and MIRROR.md's two sample queries" "$NQ" 3
equals "README's query gives the villages' rows" \
    "$(pgq "$M" "$(doc_sql "$ROOT/README.md" | tr -d '\0')" | wc -l)" "$(pgq "$M" "SELECT count(*) FROM cunzhan.report_by_village")"

TYPES=$(cz fields --json | jq -r '.[].type')
[ "$(echo "$TYPES" | wc -l)" -ge 18 ] && pass "every record type ($(echo $TYPES | wc -w))" || fail "record types from fields"
for t in $TYPES; do
    equals "$t: the typed view counts what list does" \
        "$(pgq "$M" "SELECT count(*) FROM cunzhan.\"$t\"")" "$(cz -C "$O" list "$t" --json | jq length)"
done
equals "money in yuan as numeric" "$(pgq "$M" "SELECT pg_typeof(value) FROM cunzhan.aid LIMIT 1")" numeric
equals "dates as date" "$(pgq "$M" "SELECT pg_typeof(date) FROM cunzhan.aid LIMIT 1")" date
equals "years as integer" "$(pgq "$M" "SELECT pg_typeof(identified) FROM cunzhan.household LIMIT 1")" integer
equals "sets as text[]" "$(pgq "$M" "SELECT pg_typeof(causes) FROM cunzhan.household LIMIT 1")" "text[]"
equals "aid in yuan sums to the report's fen" \
    "$(pgq "$M" "SELECT (sum(value) * 100)::bigint FROM cunzhan.aid WHERE _counted")" \
    "$(cz -C "$O" report --json | jq '[.aid[].value_fen] | add')"
equals "references join" "$(pgq "$M" "SELECT count(*) FROM cunzhan.member m JOIN cunzhan.household h ON m.household = h._id")" \
    "$(cz -C "$O" list member --json | jq length)"

# ---- the registry and village figures, by hand for 新村 (V2) ----
# The demo's three households of V2, poor, 8 people on 31 December 2018;
# their income records of 2018 sum to 30 300 yuan net; the village's
# 2018 form counts 2180 rural registered people: 8 / 2180 = 0.37 %.
V2=411081112205
row() { pgq "$M" "SELECT concat_ws(' ', $1) FROM cunzhan.$2"; }
equals "income of V2 in 2018: households, people, net, per person" \
    "$(row "households, people, net_fen, net_per_person_fen" "report_income WHERE village = '$V2' AND year = 2018")" \
    "3 8 3030000 378750"
equals "net per person rounded half up (116 400 yuan over 39 people)" \
    "$(row "net_per_person_fen" "report_income WHERE village = '$VILLAGE' AND year = 2017")" 298462
equals "incidence of V2: 8 of 2180, 37 basis points" \
    "$(row "year, not_out_of_poverty, rural_population, incidence_bp" "report_incidence_village WHERE village = '$V2'")" \
    "2018 8 2180 37"
equals "and of its township" \
    "$(row "not_out_of_poverty, rural_population, incidence_bp" "report_incidence_township WHERE township = '${V2:0:9}'")" \
    "8 2180 37"
equals "measures by category: industry's two" "$(row "amount_fen, records" "report_measures WHERE category = 'industry'")" \
    "295000 2"
equals "monitors: the removed one is registered" \
    "$(row "households, registered" "report_monitors WHERE kind = 'unstable' AND status = 'removed'")" "1 1"

# A death today: one person fewer in the household and in the village's
# incidence, none fewer on 31 December 2018.
H2=$(pgq "$M" "SELECT encode(_id, 'hex') FROM cunzhan.household WHERE _region = '$V2' ORDER BY _id LIMIT 1")
P2=$(pgq "$M" "SELECT encode(_id, 'hex') FROM cunzhan.member WHERE household = decode('$H2', 'hex') ORDER BY _id LIMIT 1")
PEOPLE=$(row "people" "report_household WHERE entity = decode('$H2', 'hex')")
expect "a death at the office" 0 cz -C "$O" add member_change household="$H2" member="$P2" kind=death date="$(date +%F)"
expect "mirrored after the death" 0 cz -C "$O" mirror "$M" --json
equals "the change and its household written" "$(js records_written)" 2
equals "one person fewer today" "$(row "people" "report_household WHERE entity = decode('$H2', 'hex')")" $((PEOPLE - 1))
equals "one fewer not out of poverty in V2" "$(row "not_out_of_poverty" "report_incidence_village WHERE village = '$V2'")" 7
equals "as many on 31 December 2018" "$(row "people" "report_income WHERE village = '$V2' AND year = 2018")" 8
same_report "$O" "$M" "the report agrees after a death"

# Two income records of one household and year, written apart at the
# village and at the office: the later one is summed, not both.
HV=$(cz -C "$S" list household --json | jq -r '.[1].id')
cz -C "$S" add income household="$HV" year=2019 wages=2000 >/dev/null || fail "income at the village"
OLDINC=$(cz -C "$S" list income --json | jq -r ".[] | select(.fields.household == \"$HV\" and .fields.year == 2019) | .id")
expect "a later income record at the office" 0 cz -C "$O" add income household="$HV" year=2019 wages=1000.50
cz -C "$S" export --to "$WORK/stick" >/dev/null && cz -C "$O" import "$WORK/stick" >/dev/null
equals "the office holds both" "$(cz -C "$O" list income --json | jq "[.[] | select(.fields.household == \"$HV\" and .fields.year == 2019)] | length")" 2
expect "mirrored with two for one year" 0 cz -C "$O" mirror "$M" --json
equals "the earlier one not summed" \
    "$(pgq "$M" "SELECT derived->>'in_report' FROM cunzhan.record WHERE entity = decode('$OLDINC', 'hex')")" false
equals "one household, the later one's wages" \
    "$(row "households, wages_fen" "report_income WHERE village = '$VILLAGE' AND year = 2019")" "1 100050"
same_report "$O" "$M" "the report agrees with two income records of one year"

# An exit from the paper file: its own status, not among exits by year.
expect "a paper exit at the office" 0 cz -C "$O" add exit_record household="$H2" year=2019 date=2019-06-30 reference=ZJ-2019-7
expect "mirrored after the paper exit" 0 cz -C "$O" mirror "$M" --json
equals "exited on paper in SQL" "$(pgq "$M" "SELECT _status FROM cunzhan.household WHERE _id = decode('$H2', 'hex')")" \
    exited_paper
equals "V2's incidence leaves it out" "$(row "not_out_of_poverty" "report_incidence_village WHERE village = '$V2'")" \
    $((7 - (PEOPLE - 1)))
same_report "$O" "$M" "the report agrees after a paper exit"

# A version 1 mirror (no derived column, its own views) upgraded in place
# by this build: every row written again, the report whole.
pgq "$M" "SET client_min_messages = warning; ALTER TABLE cunzhan.record DROP COLUMN derived CASCADE;
          ALTER TABLE cunzhan.source DROP COLUMN keys_owed;
          UPDATE cunzhan.source SET views = NULL; UPDATE cunzhan.schema_version SET version = 1" >/dev/null
expect "a version 1 mirror upgraded" 0 cz -C "$O" mirror "$M" --json
equals "to version 3" "$(pgq "$M" "SELECT max(version) FROM cunzhan.schema_version")" 3
equals "not created" "$(js schema_created)" false
equals "its keys kept, none built" "$(js keys_built) $(indexes "$M" | wc -l)" "false 5"
equals "and none owed" "$(pgq "$M" "SELECT keys_owed FROM cunzhan.source")" f
equals "every record written again" "$(js records_written)" "$(js records_station)"
same_report "$O" "$M" "the report agrees after the upgrade"

cc -o "$WORK/entrysig" "$HERE/entrysig.c" -lsodium || fail "build entrysig"
OUT=$(pgq "$M" "SELECT encode(id, 'hex') || ' ' || encode(raw, 'hex') FROM cunzhan.entry" | "$WORK/entrysig")
equals "every raw entry verifies with libsodium alone" "$OUT" "$(entries "$O") verified"
pgq "$M" "SELECT encode(id, 'hex') || ' ' || encode(set_byte(raw, length(raw) - 1, get_byte(raw, length(raw) - 1) # 1), 'hex')
          FROM cunzhan.entry LIMIT 1" | "$WORK/entrysig" >/dev/null 2>&1
equals "a changed byte does not verify" "$?" 1

expect "a second run" 0 cz -C "$O" mirror "$M" --json
equals "copies 0 entries" "$(js entries_copied)" 0
equals "writes 0 records" "$(js records_written)" 0
BEFORE=$(dump "$M")
expect "CUNZHAN_MIRROR stands for the argument" 0 env CUNZHAN_MIRROR="$M" "$CUNZHAN" -C "$O" mirror --json
equals "nothing to copy" "$(js entries_copied)" 0
equals "nothing changed on the server" "$(dump "$M")" "$BEFORE"

# ---- an edit, a conflict, its resolution ----
# A household of 杨树湾村, which the village station holds too.
H=$(cz -C "$S" list household --json | jq -r '.[0].id')
expect "an edit at the office" 0 cz -C "$O" edit "$H" phone=13911112222
expect "mirrored again" 0 cz -C "$O" mirror "$M" --json
equals "the edit's entry copied" "$(js entries_copied)" 1
equals "one record rewritten" "$(js records_written)" 1
equals "the edit shows" "$(pgq "$M" "SELECT phone FROM cunzhan.household WHERE _id = decode('$H', 'hex')")" 13911112222
pg_caught_up "$M" "$RM" || fail "the replica catches up"
equals "and on the replica" "$(pgq "$RM" "SELECT phone FROM cunzhan.household WHERE _id = decode('$H', 'hex')")" 13911112222

cz -C "$O" export --to "$WORK/stick" --for 杨树湾村 >/dev/null && cz -C "$S" import "$WORK/stick" >/dev/null
cz -C "$S" edit "$H" address=村东头 >/dev/null || fail "village edit"
cz -C "$O" edit "$H" address=村西头 >/dev/null || fail "office edit"
cz -C "$S" export --to "$WORK/stick" >/dev/null && cz -C "$O" import "$WORK/stick" >/dev/null
equals "a conflict at the office" "$(cz -C "$O" conflicts --json | jq length)" 1
expect "mirrored with the conflict" 0 cz -C "$O" mirror "$M" --json
equals "in conflict in SQL" "$(pgq "$M" "SELECT _in_conflict FROM cunzhan.household WHERE _id = decode('$H', 'hex')")" t
equals "as many in conflict as \`conflicts\` lists" "$(pgq "$M" "SELECT count(*) FROM cunzhan.record WHERE in_conflict")" \
    "$(cz -C "$O" conflicts --json | jq length)"
expect "resolved at the office" 0 cz -C "$O" resolve "$H" address=村中间
expect "mirrored after resolving" 0 cz -C "$O" mirror "$M" --json
equals "no conflict in SQL" "$(pgq "$M" "SELECT _in_conflict FROM cunzhan.household WHERE _id = decode('$H', 'hex')")" f
equals "the resolved value" "$(pgq "$M" "SELECT address FROM cunzhan.household WHERE _id = decode('$H', 'hex')")" 村中间
# Concurrent edits of different fields merge cleanly: two heads, no conflict.
cz -C "$O" export --to "$WORK/stick" --for 杨树湾村 >/dev/null && cz -C "$S" import "$WORK/stick" >/dev/null
cz -C "$S" edit "$H" notes=村里记的 >/dev/null || fail "village edit of notes"
cz -C "$O" edit "$H" phone=13955556666 >/dev/null || fail "office edit of phone"
cz -C "$S" export --to "$WORK/stick" >/dev/null && cz -C "$O" import "$WORK/stick" >/dev/null
expect "mirrored with a clean merge" 0 cz -C "$O" mirror "$M" --json
equals "two heads, merged, not in conflict" \
    "$(pgq "$M" "SELECT heads || ' ' || in_conflict FROM cunzhan.record WHERE entity = decode('$H', 'hex')")" "2 false"
equals "both edits in the current view" \
    "$(pgq "$M" "SELECT notes || ' ' || phone FROM cunzhan.household WHERE _id = decode('$H', 'hex')")" "村里记的 13955556666"
equals "version as the station shows it" \
    "$(pgq "$M" "SELECT encode(_version, 'hex') FROM cunzhan.household WHERE _id = decode('$H', 'hex')")" \
    "$(cz -C "$O" show "$H" --json | jq -r .version)"

# ---- hostile text, byte for byte ----
V=$'引号"单\'反\\斜\\N \\x00 \\\\. $$ --; DROP TABLE cunzhan.entry; {"a":1} 😀 \u200f\u200d ＡＢＣ'
NOTES="$V"$'\n第二行\t制表\r回车'
expect "a household with hostile text" 0 cz -C "$O" add household number=HOSTILE-1 village=$VILLAGE head="$V" notes="$NOTES"
HH=$OUT
cz -C "$O" mirror "$M" >/dev/null || fail "mirror hostile"
equals "a hostile line round-trips" \
    "$(pgq "$M" "SELECT encode(convert_to(head, 'UTF8'), 'hex') FROM cunzhan.household WHERE _id = decode('$HH', 'hex')")" "$(hexof "$V")"
# A CR is stored as a line break (the station's text rule): the truth is
# what the station shows.
equals "hostile text with line breaks and tabs round-trips" \
    "$(pgq "$M" "SELECT encode(convert_to(notes, 'UTF8'), 'hex') FROM cunzhan.household WHERE _id = decode('$HH', 'hex')")" \
    "$(cz -C "$O" show "$HH" --json | jq -j .fields.notes | od -An -tx1 | tr -d ' \n')"
equals "the tab and the line break are there" "$(pgq "$M" "SELECT notes ~ E'\\n第二行\\t制表\\n回车' FROM cunzhan.household
    WHERE _id = decode('$HH', 'hex')")" t
equals "the entry table survived" "$(pgq "$M" "SELECT count(*) > 0 FROM cunzhan.entry")" t

# ---- a pending author and a held edit ----
CUNZHAN_NEW_PASSPHRASE=newperson1 cz -C "$S" user add 新人 --role clerk >/dev/null 2>&1 || fail "user add"
HS=$(cz -C "$S" list household --json | jq -r '.[1].id')
PHONE=$(pgq "$M" "SELECT coalesce(phone, '') FROM cunzhan.household WHERE _id = decode('$HS', 'hex')")
NEWH=$(CUNZHAN_PASSPHRASE=newperson1 cz -C "$S" --user 新人 add household number=NEW-1 village=$VILLAGE head=新户主)
# Several records, so that some sort after the pending key's own
# announcement (which counts): the judgement is each entry's own.
for i in 2 3 4 5 6 7; do
    CUNZHAN_PASSPHRASE=newperson1 cz -C "$S" --user 新人 add household number=NEW-$i village=$VILLAGE head=新户主$i >/dev/null
done
CUNZHAN_PASSPHRASE=newperson1 cz -C "$S" --user 新人 edit "$HS" phone=13900000000 >/dev/null || fail "pending edit"
cz -C "$S" export --to "$WORK/stick" >/dev/null
expect "the office holds the edit" 0 cz -C "$O" import "$WORK/stick" --json
contains "held" "$OUT" '"held": 1'
expect "mirrored with a held edit" 0 cz -C "$O" mirror "$M" --json
equals "the held entry is mirrored as an entry" "$(pgq "$M" "SELECT count(*) FROM cunzhan.entry WHERE entity = decode('$HS', 'hex')
    AND origin = (SELECT origin FROM cunzhan.entry WHERE entity = decode('$NEWH', 'hex'))")" 1
equals "but not as the record's current view" \
    "$(pgq "$M" "SELECT coalesce(phone, '') FROM cunzhan.household WHERE _id = decode('$HS', 'hex')")" "$PHONE"
equals "a pending author's record is marked pending" \
    "$(pgq "$M" "SELECT _trust || ' ' || _counted FROM cunzhan.household WHERE _id = decode('$NEWH', 'hex')")" "pending false"
equals "every household of the pending author is pending" \
    "$(pgq "$M" "SELECT count(*) FROM cunzhan.household WHERE _signed_by = (SELECT _signed_by FROM cunzhan.household
       WHERE _id = decode('$NEWH', 'hex')) AND NOT _counted")" 7
equals "while its own key announcement counts" \
    "$(pgq "$M" "SELECT bool_and(_counted) FROM cunzhan.\"key\" WHERE _signed_by = (SELECT _signed_by FROM cunzhan.household
       WHERE _id = decode('$NEWH', 'hex'))")" t
equals "and left out of the report's views" \
    "$(pgq "$M" "SELECT count(*) FROM cunzhan.report_household WHERE entity = decode('$NEWH', 'hex')")" 0
same_report "$O" "$M" "the report still agrees with a pending author"

# ---- a trust event rewrites the records it changes ----
KEY=$(cz -C "$S" status --json | jq -r '.users[] | select(.name=="李会计") | .key')
N=$(pgq "$M" "SELECT count(*) FROM cunzhan.record WHERE origin = decode('$KEY', 'hex') AND counted")
[ "$N" -gt 0 ] && pass "the clerk's records count ($N)" || fail "the clerk wrote no counted record"
expect "the office revokes the clerk" 0 cz -C "$O" revoke "${KEY:0:16}" --after-seq 0
expect "mirrored after the revocation" 0 cz -C "$O" mirror "$M" --json
equals "the revocation copied" "$(js entries_copied)" 1
equals "the clerk's records rewritten, and the revocation's own" "$(js records_written)" "$((N + 1))"
equals "none of them counts now" \
    "$(pgq "$M" "SELECT count(*) FROM cunzhan.record WHERE origin = decode('$KEY', 'hex') AND counted")" 0
same_report "$O" "$M" "the report agrees after the revocation"

# ---- killed half-way (kill -9), then run again ----
# The killed mirror holds the office as it is now; then 1500 households
# more arrive, and a slow server (a trigger sleeping after each batch, in
# schema public, out of the mirror's sight) gives the kills time to land
# half-way, whatever the load on this machine.
K=$(pg_db killed)
C=$(pg_db clean)
cz -C "$O" mirror "$K" >/dev/null || fail "mirror before the load"
pgq "$K" "CREATE FUNCTION public.slow() RETURNS trigger LANGUAGE plpgsql AS \$\$
          BEGIN PERFORM pg_sleep(0.05); RETURN NULL; END \$\$;
          CREATE TRIGGER slow AFTER INSERT ON cunzhan.entry FOR EACH STATEMENT EXECUTE FUNCTION public.slow();
          CREATE TRIGGER slow AFTER INSERT ON cunzhan.record FOR EACH STATEMENT EXECUTE FUNCTION public.slow()" >/dev/null
BASE=$(pgq "$K" "SELECT count(*) FROM cunzhan.entry")
household_csv K 1500 $VILLAGE >"$WORK/k.csv"
expect "the office loads 1500 households" 0 cz -C "$O" load household "$WORK/k.csv"
TOTAL=$(entries "$O")
# kill_when URL SQL [BATCH]: runs the mirror in small batches (10) and
# kills it (-9) once SQL says more than 300 rows are new.
kill_when() {
    "$CUNZHAN" -C "$O" mirror "$1" --batch "${3:-10}" >/dev/null 2>&1 &
    local pid=$! tries=0 got=0
    while [ $tries -lt 1200 ] && kill -0 $pid 2>/dev/null; do
        got=$(pgq "$1" "$2" 2>/dev/null || echo 0)
        [ "${got:-0}" -gt 300 ] && break
        sleep 0.05
        tries=$((tries + 1))
    done
    kill -9 $pid 2>/dev/null
    wait $pid 2>/dev/null
}
kill_when "$K" "SELECT count(*) - $BASE FROM cunzhan.entry"
GOT=$(pgq "$K" "SELECT count(*) FROM cunzhan.entry")
[ "$GOT" -gt 0 ] && [ "$GOT" -lt "$TOTAL" ] && pass "killed while copying entries ($GOT of $TOTAL)" \
    || fail "not killed half-way through the entries ($GOT of $TOTAL)"
equals "records still owed" "$(pgq "$K" "SELECT records_owed FROM cunzhan.source")" t
# The entries run on; killed again while writing records.
RBASE=$(pgq "$K" "SELECT count(*) FROM cunzhan.record")
kill_when "$K" "SELECT count(*) - $RBASE FROM cunzhan.record"
GOT=$(pgq "$K" "SELECT count(*) - $RBASE FROM cunzhan.record")
[ "$GOT" -gt 0 ] && [ "$GOT" -lt 1500 ] && pass "killed while writing records ($GOT of 1500 new)" \
    || fail "not killed half-way through the records ($GOT of 1500 new)"
equals "entries all there by then" "$(pgq "$K" "SELECT count(*) FROM cunzhan.entry")" "$TOTAL"
pgq "$K" "DROP TRIGGER slow ON cunzhan.entry; DROP TRIGGER slow ON cunzhan.record" >/dev/null
expect "the killed mirror resumes" 0 cz -C "$O" mirror "$K" --json
expect "one clean run" 0 cz -C "$O" mirror "$C" --json
equals "clean: every entry" "$(js entries_copied)" "$TOTAL"
if [ "$(dump "$K" | sed 's/[^\t]*$//' | md5sum)" = "$(dump "$C" | sed 's/[^\t]*$//' | md5sum)" ] &&
   [ "$(dump "$K" | md5sum)" = "$(dump "$C" | md5sum)" ]; then
    pass "killed and resumed ends identical to one clean run"
else
    fail "killed and resumed differs from a clean run" "$(diff <(dump "$K") <(dump "$C") | head -10)"
fi
expect "and a further run copies 0" 0 cz -C "$O" mirror "$K" --json
equals "0 entries" "$(js entries_copied)" 0
equals "0 records" "$(js records_written)" 0
same_report "$O" "$K" "the report agrees at 1500 more households"

# ---- a first run killed (kill -9) while loading and while indexing ----
# A first run copies into tables without keys and builds them at its
# end: the entries' on a second connection while the records pass runs,
# the records' last.  Killed while copying entries, while writing
# records, while building the entries' keys, after its last batch just
# as the records' build begins, and while building that; then run again:
# the same as one clean run (C), keys and all.  The server is
# slowed in schema public, out of the mirror's sight: each table gets the
# slow trigger as the mirror creates it (an event trigger), and each
# statement of the key build sleeps public.slow_keys seconds first.
# slow_server URL: those slow spots on an empty database.
slow_server() {
    pgq "$1" "CREATE FUNCTION public.slow() RETURNS trigger LANGUAGE plpgsql AS \$\$
              BEGIN PERFORM pg_sleep(0.05); RETURN NULL; END \$\$;
              CREATE FUNCTION public.slow_tables() RETURNS event_trigger LANGUAGE plpgsql AS \$\$
              DECLARE c record; BEGIN
                FOR c IN SELECT object_identity FROM pg_event_trigger_ddl_commands()
                         WHERE object_identity IN ('cunzhan.entry', 'cunzhan.record') LOOP
                  EXECUTE format('CREATE TRIGGER slow AFTER INSERT ON %s FOR EACH STATEMENT
                                  EXECUTE FUNCTION public.slow()', c.object_identity);
                END LOOP; END \$\$;
              CREATE EVENT TRIGGER slow_tables ON ddl_command_end WHEN TAG IN ('CREATE TABLE')
                  EXECUTE FUNCTION public.slow_tables();
              CREATE TABLE public.slow_keys (secs float8); INSERT INTO public.slow_keys VALUES (0);
              CREATE FUNCTION public.slow_key() RETURNS event_trigger LANGUAGE plpgsql AS \$\$
              BEGIN PERFORM pg_sleep((SELECT secs FROM public.slow_keys)); END \$\$;
              CREATE EVENT TRIGGER slow_key ON ddl_command_start WHEN TAG IN ('ALTER TABLE', 'CREATE INDEX')
                  EXECUTE FUNCTION public.slow_key()" >/dev/null
}
# unslow URL: back to a plain server.
unslow() {
    pgq "$1" "DROP EVENT TRIGGER slow_tables; DROP EVENT TRIGGER slow_key;
              DROP TRIGGER IF EXISTS slow ON cunzhan.entry; DROP TRIGGER IF EXISTS slow ON cunzhan.record" >/dev/null
}
# settled URL: waits until the server has let go of every connection of
# a killed mirror (each runs its statement out, then finds no one there).
settled() {
    local tries=0
    while [ $tries -lt 600 ] && [ "$(pgq "$1" "SELECT count(*) FROM pg_stat_activity
                                         WHERE application_name = 'cunzhan mirror'")" -gt 0 ]; do
        sleep 0.05
        tries=$((tries + 1))
    done
}
# kill_at URL TEXT: runs the mirror and kills it (-9) once the server is
# running a statement of it with TEXT in it; then waits until it settled.
kill_at() {
    "$CUNZHAN" -C "$O" mirror "$1" >/dev/null 2>&1 &
    local pid=$! tries=0
    while [ $tries -lt 1200 ] && kill -0 $pid 2>/dev/null; do
        [ "$(pgq "$1" "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'cunzhan mirror'
                       AND state = 'active' AND query LIKE '%$2%'")" -gt 0 ] && break
        sleep 0.05
        tries=$((tries + 1))
    done
    kill -9 $pid 2>/dev/null
    wait $pid 2>/dev/null
    settled "$1"
}
# owed URL: whether keys are owed, and how many keys and indexes there are.
owed() { echo "$(pgq "$1" "SELECT keys_owed FROM cunzhan.source") $(indexes "$1" | grep -c .)"; }
CE=$(pgq "$C" "SELECT count(*) FROM cunzhan.entry")
CR=$(pgq "$C" "SELECT count(*) FROM cunzhan.record")
B=$(pg_db bulk)
slow_server "$B"
kill_when "$B" "SELECT count(*) FROM cunzhan.entry" 50
GOT=$(pgq "$B" "SELECT count(*) FROM cunzhan.entry")
[ "$GOT" -gt 0 ] && [ "$GOT" -lt "$CE" ] && pass "a first run killed while copying entries ($GOT of $CE)" \
    || fail "a first run not killed half-way through the entries ($GOT of $CE)"
equals "keys owed, none there" "$(owed "$B")" "t 0"
pgq "$B" "UPDATE public.slow_keys SET secs = 1.5" >/dev/null
kill_when "$B" "SELECT count(*) FROM cunzhan.record" 50
settled "$B"
GOT=$(pgq "$B" "SELECT count(*) FROM cunzhan.record")
[ "$GOT" -gt 0 ] && [ "$GOT" -lt "$CR" ] && pass "killed again while writing records ($GOT of $CR)" \
    || fail "not killed half-way through the records ($GOT of $CR)"
equals "every entry there, once" "$(pgq "$B" "SELECT count(*) || ' ' || count(DISTINCT id) FROM cunzhan.entry")" "$CE $CE"
equals "keys still owed, none there" "$(owed "$B")" "t 0"
kill_at "$B" "ALTER TABLE cunzhan.entry ADD CONSTRAINT entry_pkey"
equals "killed while building the entries' keys: none kept, still owed" "$(owed "$B")" "t 0"
kill_at "$B" "ALTER TABLE cunzhan.record ADD CONSTRAINT record_pkey"
equals "killed after the last batch: every record there" "$(pgq "$B" "SELECT count(*) FROM cunzhan.record")" "$CR"
equals "and the records pass done" "$(pgq "$B" "SELECT records_owed FROM cunzhan.source")" f
equals "the entries' keys kept, the records' still owed" "$(owed "$B")" "t 3"
kill_at "$B" "CREATE INDEX record_type"
equals "killed while building the last index: none of the records' kept" "$(owed "$B")" "t 3"
pgq "$B" "UPDATE public.slow_keys SET secs = 0" >/dev/null
unslow "$B"
expect "the killed first run resumes" 0 cz -C "$O" mirror "$B" --json
equals "copying nothing twice" "$(js entries_copied) $(js records_written)" "0 0"
equals "and builds the keys" "$(js keys_built)" true
if [ "$(dump "$B" | md5sum)" = "$(dump "$C" | md5sum)" ]; then
    pass "a first run killed five times ends identical to one clean run"
else
    fail "a killed first run differs from a clean run" "$(diff <(dump "$B") <(dump "$C") | head -10)"
fi
equals "with the same keys and indexes" "$(indexes "$B")" "$KEYS"
expect "a further run" 0 cz -C "$O" mirror "$B" --json
equals "copies 0 and builds nothing" "$(js entries_copied) $(js records_written) $(js keys_built)" "0 0 false"

# Ranges lost (deleted by hand) while the keys are owed: the next run
# copies every entry again, nothing refuses them, and the key's build
# keeps one of each.
B2=$(pg_db bulk2)
slow_server "$B2"
pgq "$B2" "UPDATE public.slow_keys SET secs = 1.5" >/dev/null
kill_at "$B2" "ALTER TABLE cunzhan.entry ADD CONSTRAINT entry_pkey"
equals "a first run killed before its keys" "$(owed "$B2")" "t 0"
unslow "$B2"
pgq "$B2" "DELETE FROM cunzhan.mirrored" >/dev/null
expect "a run whose ranges were lost while keys were owed" 0 cz -C "$O" mirror "$B2" --json
equals "counts no entry as new" "$(js entries_copied)" 0
equals "and builds the keys" "$(js keys_built)" true
equals "ends identical to one clean run" "$(dump "$B2" | md5sum)" "$(dump "$C" | md5sum)"

# ---- holes: a log position below one already mirrored arrives later ----
R=$(pgq "$M" "SELECT count(*) FROM cunzhan.mirrored")
[ "$R" -gt 0 ] && pass "ranges per origin ($R)" || fail "no ranges kept"

# ---- ranges lost: entries already there are kept, not copied twice ----
BEFORE=$(dump "$K")
pgq "$K" "DELETE FROM cunzhan.mirrored" >/dev/null
expect "a run whose ranges were lost" 0 cz -C "$O" mirror "$K" --json
equals "finds every entry there already" "$(js entries_copied)" 0
equals "and ends as it was" "$(dump "$K")" "$BEFORE"

# ---- a forked log, then the office's fork choice ----
# (As tests/scenario/forkpick.sh: a station folder copied and written to
# on both copies.)
FO=$WORK/fo FA=$WORK/fa FB=$WORK/fb FV=411081106201
cz -C "$FO" init --office 许昌市科协 --user 张主任 >/dev/null
places "$FO" $FV
cz -C "$FO" pubkey >"$WORK/fo.id"
cz -C "$FA" init --station 杨树湾村 --region $FV --user 李书记 --office-key "$WORK/fo.id" >/dev/null
cz -C "$FA" export --to "$WORK/f0" >/dev/null && cz -C "$FO" import "$WORK/f0" >/dev/null
cz -C "$FO" enrol --all-pending --role clerk --region $FV >/dev/null
cz -C "$FO" export --to "$WORK/f1" >/dev/null && cz -C "$FA" import "$WORK/f1" >/dev/null
FKEY=$(cz -C "$FO" enrol --json | jq -r '.[] | select(.name=="李书记" and .kind=="person") | .key')
cp -a "$FA" "$FB"
cz -C "$FB" export --to "$WORK/fskip" >/dev/null
FHA=$(cz -C "$FA" add household number=YSW-A village=$FV head=王秀英)
cz -C "$FB" add household number=YSW-B village=$FV head=赵大明 >/dev/null
FVA=$(cz -C "$FA" show "$FHA" --json | jq -r .version)
FSEQ=$(cz -C "$FA" show "$FHA" --json | jq -r .seq)
cz -C "$FA" export --to "$WORK/fsa" >/dev/null && cz -C "$FB" export --to "$WORK/fsb" >/dev/null
cz -C "$FO" import "$WORK/fsa" >/dev/null
cz -C "$FO" import "$WORK/fsb" >/dev/null
F=$(pg_db forked)
expect "a forked office mirrors" 0 cz -C "$FO" mirror "$F" --json
equals "both entries at the forked position are there" \
    "$(pgq "$F" "SELECT count(*) FROM cunzhan.entry WHERE origin = decode('$FKEY', 'hex') AND seq = $FSEQ")" 2
equals "the copy's household is evidence, not a record" "$(pgq "$F" "SELECT count(*) FROM cunzhan.household WHERE head = '赵大明'")" 0
equals "the original's is quarantined" \
    "$(pgq "$F" "SELECT _trust || ' ' || _counted FROM cunzhan.household WHERE _id = decode('$FHA', 'hex')")" "quarantine false"
same_report "$FO" "$F" "the report agrees with a fork unsettled"
expect "the office accepts the original's branch" 0 cz -C "$FO" fork accept "${FKEY:0:16}" "$FSEQ" "${FVA:0:16}"
expect "mirrored after the fork choice" 0 cz -C "$FO" mirror "$F" --json
equals "the fork choice's entry copied" "$(js entries_copied)" 1
equals "the original's household counts again" \
    "$(pgq "$F" "SELECT _trust || ' ' || _counted FROM cunzhan.household WHERE _id = decode('$FHA', 'hex')")" "certified true"
same_report "$FO" "$F" "the report agrees after the fork choice"
OUT=$(pgq "$F" "SELECT encode(id, 'hex') || ' ' || encode(raw, 'hex') FROM cunzhan.entry" | "$WORK/entrysig")
equals "the forked office's entries verify" "$OUT" "$(entries "$FO") verified"

# ---- on a terminal, a progress bar ----
cz -C "$O" edit "$H" phone=13922223333 >/dev/null
OUT=$(script -qec "$CUNZHAN -C $O mirror '$M' --batch 100" /dev/null </dev/null)
contains "a bar for the entries" "$OUT" "mirror: entries"
contains "and for the records, on the same bar" "$OUT" "mirror: records"
contains "then the summary" "$OUT" "Mirrored into"
expect "--batch 0 is a usage error" 2 cz -C "$O" mirror "$M" --batch 0

# ---- refused by name, in both languages, the station untouched ----
DB_BEFORE=$(md5sum "$O/db/data.mdb")
expect "an unreachable server" 1 cz -C "$O" mirror "host=127.0.0.1 port=1 dbname=x user=cz connect_timeout=3"
contains "says unreachable" "$ERR" "cannot reach the PostgreSQL server"
contains "says the station was not changed" "$ERR" "only read"
expect "unreachable, in Chinese" 1 cz -C "$O" --lang zh mirror "host=127.0.0.1 port=1 dbname=x user=cz connect_timeout=3"
contains "无法连接" "$ERR" "无法连接镜像的 PostgreSQL 服务器"
pgq "$PGURL" "CREATE ROLE clerk LOGIN PASSWORD 'right'; GRANT ALL ON DATABASE main TO clerk" >/dev/null
expect "a wrong password" 1 cz -C "$O" mirror "host=127.0.0.1 port=$PGPORT_NUM dbname=main user=clerk password=wrong"
contains "says the password was refused" "$ERR" "refused the mirror's user name or password"
lacks "never prints the password" "$ERR" "wrong"
expect "a wrong password, in Chinese" 1 cz -C "$O" --lang zh mirror "postgresql://clerk:wrong@127.0.0.1:$PGPORT_NUM/main"
contains "拒绝了用户名或口令" "$ERR" "拒绝了镜像的用户名或口令"
BEFORE=$(dump "$M")
pgq "$M" "INSERT INTO cunzhan.schema_version (version, written_by) VALUES (4, 'a later cunzhan')" >/dev/null
cz -C "$O" edit "$H" phone=13933334444 >/dev/null
DB_BEFORE=$(md5sum "$O/db/data.mdb")
expect "a newer schema" 1 cz -C "$O" mirror "$M"
contains "says newer" "$ERR" "made by a newer cunzhan"
expect "a newer schema, in Chinese" 1 cz -C "$O" --lang zh mirror "$M"
contains "更新版本" "$ERR" "由更新版本的村站建立"
equals "the newer mirror left untouched" "$(dump "$M")" "$BEFORE"
pgq "$M" "DELETE FROM cunzhan.schema_version WHERE version = 4" >/dev/null
expect "another station into the same mirror" 1 cz -C "$S" mirror "$M"
contains "says another station's" "$ERR" "another station's records"
equals "the station's database untouched by refusals" "$(md5sum "$O/db/data.mdb")" "$DB_BEFORE"
expect "no server named" 2 env -u CUNZHAN_MIRROR "$CUNZHAN" -C "$O" mirror
contains "says how to name one" "$ERR" "CUNZHAN_MIRROR"

# ---- `make bench`'s mirror row (tests/bench/mirrorbench.sh), small ----
OUT=$(MIRRORBENCH_N=300 bash "$ROOT/tests/bench/mirrorbench.sh" 2>&1)
contains "mirrorbench times the mirror against bare COPY" "$OUT" "| mirror 300 records"
contains "and its second run copies nothing" "$OUT" '{"entries_copied":0,"records_written":0}'
lacks "and no statement of it fails" "$OUT" "ERROR"

finish
