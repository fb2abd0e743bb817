#!/bin/sh
# dbtables.sh DB-FOLDER RECORDS: where a station's database bytes go, per
# table (mdb_stat -a -e -f, package lmdb-utils): pages x page size, bytes
# per record.  mdb_stat counts a DUPSORT table's own tree but not the
# duplicate lists grown into trees of their own (the index's long ones):
# those are what is left of the pages used once the tables and the free
# pages are counted.  Free pages are the old copies the last write
# transactions left (LMDB copies each page it changes), used again by the
# next ones.  E.g. after BENCH_KEEP=1 BENCH_SIZES=100000 make bench:
#   sh tests/bench/dbtables.sh $TMPDIR/cunzhan-bench-*/station-100000/db 100000
db=${1:?usage: dbtables.sh DB-FOLDER RECORDS}
n=${2:?usage: dbtables.sh DB-FOLDER RECORDS}
mdb_stat -a -e -f "$db" | awk -v n="$n" '
/Page size:/ { psize = $NF }
/Number of pages used/ { used = $NF }
/Free pages:/ { free = $NF }
/^Freelist Status/ { name = "(the list of free pages)" }
/^Status of / { name = $3 }
/Branch pages|Leaf pages|Overflow pages/ { p[name] += $NF }
function row(what, pages) { printf "%-30s %9d pages %8.1f MB %8.1f B/record\n", what, pages, pages * psize / 1e6, pages * psize / n }
END {
    for (k in p) if (p[k]) { row(k, p[k]); sum += p[k] }
    row("(index duplicate trees)", used - sum - free)
    row("(free pages)", free)
    row("file (pages used)", used)
}'
