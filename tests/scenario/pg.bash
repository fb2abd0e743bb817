# pg.bash — a throwaway PostgreSQL cluster of the test's own, for the
# mirror's scenarios.  Source it after lib.bash and call pg_start: it
# makes a cluster in a temporary folder (initdb refuses root, so as root
# it runs as the unprivileged user nobody), listening on its own socket
# in that folder and on 127.0.0.1 at a free port, and stops it when the
# script ends.  Then:
#   PGURL   a connection string for the superuser cz (socket, trust)
#   PGHOST_DIR, PGPORT_NUM  where it listens
#   pg_db NAME      a new empty database; echoes its connection string
#   pgq URL SQL     runs SQL, unaligned rows, no headers
#   pg_replica NAME a streaming read replica of the cluster (as
#                   src/MIRROR.md sets one up); echoes the connection
#                   string of its database NAME
#   pg_caught_up PRIMARY REPLICA  waits until the replica has replayed
#                   everything the primary committed
# Nothing here reads the PG* variables of the person running the tests.
unset PGHOST PGPORT PGUSER PGDATABASE PGPASSWORD PGSERVICE PGSSLMODE

pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1; }

pg_stop() {
    [ -n "${PGHOST_DIR:-}" ] || return 0
    [ -d "$PGHOST_DIR/replica" ] && $PG_AS "$PG_BIN/pg_ctl" -D "$PGHOST_DIR/replica" -m immediate stop >/dev/null 2>&1
    $PG_AS "$PG_BIN/pg_ctl" -D "$PGHOST_DIR/data" -m immediate stop >/dev/null 2>&1
    rm -rf "$PGHOST_DIR"
    PGHOST_DIR=
}

pg_start() {
    PG_BIN=$(pg_bin)
    if [ -z "$PG_BIN" ] || [ ! -x "$PG_BIN/initdb" ]; then
        echo "no PostgreSQL server here: scripts/setup installs postgresql" >&2
        return 1
    fi
    # Outside $WORK: nobody may not enter a folder only root can.
    PGHOST_DIR=$(mktemp -d /tmp/cz-pg.XXXXXX)
    chmod 755 "$PGHOST_DIR"
    PG_AS=
    if [ "$(id -u)" = 0 ]; then PG_AS="runuser -u nobody --"; chown nobody "$PGHOST_DIR"; fi
    trap 'pg_stop; rm -rf "$WORK"' EXIT
    $PG_AS "$PG_BIN/initdb" -D "$PGHOST_DIR/data" -U cz -A trust --auth-host=scram-sha-256 -E UTF8 \
        --locale=C.UTF-8 >"$PGHOST_DIR/initdb.log" 2>&1 || { cat "$PGHOST_DIR/initdb.log" >&2; return 1; }
    # A port nothing else holds: try a few at random (a failed bind fails the start).
    local tries=0
    while [ $tries -lt 20 ]; do
        PGPORT_NUM=$((20000 + RANDOM % 40000))
        if $PG_AS "$PG_BIN/pg_ctl" -D "$PGHOST_DIR/data" -l "$PGHOST_DIR/log" -w -t 60 \
            -o "-p $PGPORT_NUM -k $PGHOST_DIR -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null 2>&1; then
            PGURL="host=$PGHOST_DIR port=$PGPORT_NUM user=cz dbname=postgres"
            return 0
        fi
        tries=$((tries + 1))
    done
    cat "$PGHOST_DIR/log" >&2
    return 1
}

pgq() { psql -X -q -v ON_ERROR_STOP=1 -At "$1" -c "$2"; }

pg_db() {
    pgq "$PGURL" "CREATE DATABASE \"$1\"" >/dev/null || return 1
    echo "host=$PGHOST_DIR port=$PGPORT_NUM user=cz dbname=$1"
}

pg_replica() {
    local dir=$PGHOST_DIR/replica tries=0
    $PG_AS "$PG_BIN/pg_basebackup" -h "$PGHOST_DIR" -p "$PGPORT_NUM" -U cz -D "$dir" -R -X stream \
        >"$PGHOST_DIR/basebackup.log" 2>&1 || { cat "$PGHOST_DIR/basebackup.log" >&2; return 1; }
    while [ $tries -lt 20 ]; do
        REPLICA_PORT=$((20000 + RANDOM % 40000))
        if $PG_AS "$PG_BIN/pg_ctl" -D "$dir" -l "$PGHOST_DIR/replica.log" -w -t 60 \
            -o "-p $REPLICA_PORT -k $PGHOST_DIR -c listen_addresses=''" start >/dev/null 2>&1; then
            echo "host=$PGHOST_DIR port=$REPLICA_PORT user=cz dbname=$1"
            return 0
        fi
        tries=$((tries + 1))
    done
    cat "$PGHOST_DIR/replica.log" >&2
    return 1
}

pg_caught_up() {
    local lsn tries=0
    lsn=$(pgq "$1" "SELECT pg_current_wal_lsn()") || return 1
    while [ $tries -lt 600 ]; do
        [ "$(pgq "$2" "SELECT pg_last_wal_replay_lsn() >= '$lsn'")" = t ] && return 0
        sleep 0.05
        tries=$((tries + 1))
    done
    return 1
}
