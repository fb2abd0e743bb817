#!/usr/bin/env bash
# mirrorbench — `cunzhan mirror` of an office holding N households
# (MIRRORBENCH_N, default 1,000,000, loaded through the real `load` in
# files of 20,000 rows) into a throwaway PostgreSQL cluster
# (tests/scenario/pg.bash), against COPY of the same bytes (every row the
# mirror wrote, entries and records, exported with \copy) into bare
# tables with no key or index, on the same cluster in the same run.
# Goal: at most 2x.  Also, for what the mirror's first run does (bare
# tables, keys built at the end, src/MIRROR.md), the same keys built on
# the bare tables after the COPY.  Prints one markdown row for
# tests/bench/README.md.
source "$(dirname "$0")/../scenario/lib.bash"
source "$(dirname "$0")/../scenario/pg.bash"
N=${MIRRORBENCH_N:-1000000}
FILE_ROWS=20000
export CUNZHAN_PASSPHRASE=bench-pass-1

pg_start || { echo "mirrorbench: no PostgreSQL cluster" >&2; exit 1; }
O=$WORK/office
cz -C "$O" init --office 市办 --user 管理员 >/dev/null || exit 1
places "$O" 4110 411024 411024104 411024104201 || exit 1
t0=$(date +%s.%N)
for ((start = 1; start <= N; start += FILE_ROWS)); do
    end=$((start + FILE_ROWS - 1))
    [ $end -gt "$N" ] && end=$N
    { echo "number,village,head,identified,causes"
      for ((i = start; i <= end; i++)); do echo "B-$i,411024104201,户主$i,2016,\"illness,funds\""; done
    } >"$WORK/h.csv"
    cz -C "$O" load household "$WORK/h.csv" >/dev/null 2>"$WORK/load.err" || { echo "mirrorbench: load failed" >&2; exit 1; }
done
t1=$(date +%s.%N)
URL=$(pg_db bench)
BARE=$(pg_db bare)
cz -C "$O" mirror "$URL" --json >"$WORK/summary.json" || exit 1
t2=$(date +%s.%N)
psql -X -q "$URL" -c "\\copy cunzhan.entry TO '$WORK/entry.copy'" -c "\\copy cunzhan.record TO '$WORK/record.copy'"
TABLES="CREATE TABLE e (id bytea, origin bytea, seq numeric, type text, region text, entity bytea, hlc numeric,
    wall bigint, tombstone boolean, parents bytea, raw bytea);
    CREATE TABLE r (entity bytea, type text, region text, version bytea, origin bytea, seq numeric, wall bigint,
    heads integer, in_conflict boolean, deleted boolean, trust text, counted boolean, status text,
    exited_year integer, fields jsonb, digest bytea, derived jsonb)"
KEYS="ALTER TABLE e ADD PRIMARY KEY (id, region); CREATE INDEX ON e (origin, seq); CREATE INDEX ON e (entity);
    ALTER TABLE r ADD PRIMARY KEY (entity, region); CREATE INDEX ON r (type, region)"
pgq "$BARE" "$TABLES" >/dev/null
t3=$(date +%s.%N)
# A COPY that fails (a column the bare table lacks) would time nothing.
psql -X -q -v ON_ERROR_STOP=1 "$BARE" -c "\\copy e FROM '$WORK/entry.copy'" -c "\\copy r FROM '$WORK/record.copy'" ||
    { echo "mirrorbench: COPY into the bare tables failed" >&2; exit 1; }
t4=$(date +%s.%N)
pgq "$BARE" "$KEYS" >/dev/null
b1=$(date +%s.%N)
# The same with the mirror's keys and indexes (mirror_schema.c): what
# keeping them costs, apart from the mirror's own work.
KEYED=$(pg_db keyed)
pgq "$KEYED" "$TABLES; $KEYS" >/dev/null
k0=$(date +%s.%N)
psql -X -q -v ON_ERROR_STOP=1 "$KEYED" -c "\\copy e FROM '$WORK/entry.copy'" -c "\\copy r FROM '$WORK/record.copy'" ||
    { echo "mirrorbench: COPY into the keyed tables failed" >&2; exit 1; }
k1=$(date +%s.%N)
t5=$(date +%s.%N)
cz -C "$O" mirror "$URL" --json >"$WORK/again.json" || exit 1
t6=$(date +%s.%N)

calc() { awk "BEGIN { print $1 }"; }
mirror=$(calc "$t2 - $t1")
bound=$(calc "$t4 - $t3")
keyed=$(calc "$k1 - $k0")
built=$(calc "$b1 - $t4")
again=$(calc "$t6 - $t5")
bytes=$(($(stat -c %s "$WORK/entry.copy") + $(stat -c %s "$WORK/record.copy")))
printf 'load %d households: %.1f s; summary: %s\n' "$N" "$(calc "$t1 - $t0")" "$(jq -c . "$WORK/summary.json")"
printf 'second run (nothing new): %.2f s; %s\n' "$again" "$(jq -c '{entries_copied, records_written}' "$WORK/again.json")"
printf 'bare COPY %.1f s, then the same keys built on those tables %.1f s (%.1f s in all)\n' "$bound" "$built" \
    "$(calc "$bound + $built")"
printf '| mirror %d records (%d MB of COPY rows) | <= 2x COPY into bare tables | %.1f s (%.2fx; COPY %.1f s; into keyed tables %.1f s, %.2fx) |\n' \
    "$N" "$((bytes / 1000000))" "$mirror" "$(calc "$mirror / $bound")" "$bound" "$keyed" "$(calc "$mirror / $keyed")"
