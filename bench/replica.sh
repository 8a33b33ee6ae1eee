#!/bin/sh
# A real PostgreSQL streaming replica on this machine, and the read benchmarks against it.
#
#   bench/replica.sh [all|setup|verify|bench|lag|teardown]     (default: all = setup verify bench lag)
#
# setup     a second cluster ($PGVER/$CLUSTER on port $REPLICA_PORT) made by pg_basebackup -R
#           from the primary on $PRIMARY_PORT and started as a hot standby. Idempotent: a
#           standby already streaming is kept; a broken one is dropped and made again.
#           The primary is never restarted or reconfigured beyond one pg_hba line for local
#           replication connections (trust, 127.0.0.1) and a reload; wal_level=replica and
#           max_wal_senders=10 are PostgreSQL's defaults. No replication slot: a standby
#           torn down or left behind can never make the primary keep WAL.
# verify    a row written on the primary is read back on the standby; replay LSNs.
# bench     bench/replica.py on $BENCH_DB (bench/generate.py L --database $BENCH_DB first):
#           gunicorn on the primary alone, then with DATABASE_REPLICA_URL, same reads.
# lag       pg_stat_replication on the primary: write/flush/replay lag and bytes behind.
# teardown  stops and drops the standby cluster and the probe database (the pg_hba line
#           stays: it only allows local replication connections).
#
# Runs as root (or postgres) on a Debian/Ubuntu PostgreSQL (pg_createcluster).
set -eu

PGVER=${PGVER:-15}
CLUSTER=${REPLICA_CLUSTER:-replica}
PRIMARY_PORT=${PRIMARY_PORT:-5432}
REPLICA_PORT=${REPLICA_PORT:-5433}
BENCH_DB=${BENCH_DB:-wulong_bench_l}
PROBE_DB=wulong_replica_probe
BIN=/usr/lib/postgresql/$PGVER/bin
DATA=/var/lib/postgresql/$PGVER/$CLUSTER
ROOT=$(cd "$(dirname "$0")/.." && pwd)
PY=${PY:-$ROOT/.venv/bin/python}
[ -x "$PY" ] || PY=/work/main/.venv/bin/python

primary() { psql -h 127.0.0.1 -p "$PRIMARY_PORT" -U postgres -X -qAt "$@"; }
standby() { psql -h 127.0.0.1 -p "$REPLICA_PORT" -U postgres -X -qAt "$@"; }
as_postgres() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

streaming() {
    [ "$(standby -c 'SELECT pg_is_in_recovery()' 2>/dev/null)" = t ] &&
        [ "$(primary -c "SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'")" -ge 1 ]
}

setup() {
    hba=$(primary -c 'SHOW hba_file')
    if ! grep -Eq '^host[[:space:]]+replication[[:space:]]+all[[:space:]]+127\.0\.0\.1/32' "$hba"; then
        echo "host    replication     all             127.0.0.1/32            trust" >>"$hba"
        primary -c 'SELECT pg_reload_conf()' >/dev/null
        echo "primary: local replication connections allowed ($hba), configuration reloaded"
    fi
    if streaming; then
        echo "standby $PGVER/$CLUSTER on port $REPLICA_PORT is already streaming"
        return
    fi
    if pg_lsclusters -h | awk -v v="$PGVER" -v c="$CLUSTER" '$1 == v && $2 == c { f = 1 } END { exit !f }'; then
        echo "dropping the broken standby $PGVER/$CLUSTER"
        pg_dropcluster --stop "$PGVER" "$CLUSTER"
    fi
    pg_createcluster "$PGVER" "$CLUSTER" -p "$REPLICA_PORT" >/dev/null
    # A hot standby needs these at least as high as on its primary.
    for setting in max_connections max_worker_processes max_wal_senders \
        max_prepared_transactions max_locks_per_transaction; do
        pg_conftool "$PGVER" "$CLUSTER" set "$setting" "$(primary -c "SHOW $setting")"
    done
    pg_conftool "$PGVER" "$CLUSTER" set hot_standby on
    cp "$hba" "/etc/postgresql/$PGVER/$CLUSTER/pg_hba.conf" # the primary's access rules
    find "$DATA" -mindepth 1 -delete
    started=$(date +%s)
    as_postgres "$BIN/pg_basebackup" -h 127.0.0.1 -p "$PRIMARY_PORT" -U postgres -D "$DATA" \
        -X stream -R -c fast
    echo "pg_basebackup: $(du -sh "$DATA" | cut -f1) in $(($(date +%s) - started)) s"
    pg_ctlcluster "$PGVER" "$CLUSTER" start
    for _ in $(seq 300); do streaming && break; sleep 1; done # fsync, then WAL replay
    streaming || { echo "the standby does not stream; see /var/log/postgresql/postgresql-$PGVER-$CLUSTER.log" >&2; exit 1; }
    echo "standby $PGVER/$CLUSTER streaming on port $REPLICA_PORT"
}

verify() {
    [ "$(primary -c "SELECT 1 FROM pg_database WHERE datname = '$PROBE_DB'")" = 1 ] ||
        primary -c "CREATE DATABASE $PROBE_DB" >/dev/null
    primary -d "$PROBE_DB" -c 'SET client_min_messages = warning' \
        -c 'CREATE TABLE IF NOT EXISTS probe (id serial PRIMARY KEY, at timestamptz NOT NULL)'
    last=$(primary -d "$PROBE_DB" -c 'SELECT coalesce(max(id), 0) FROM probe')
    lsn=$(primary -c 'SELECT pg_current_wal_lsn()')
    for _ in $(seq 600); do # the database and table reach the standby first
        [ "$(standby -c "SELECT pg_last_wal_replay_lsn() >= '$lsn'")" = t ] && break
        sleep 0.5
    done
    # The standby watches (every millisecond, in one session) for the row about to be written;
    # both servers share this machine's clock, so "seen - written" is the visibility lag.
    out=$(mktemp)
    standby -d "$PROBE_DB" -c "DO \$\$ DECLARE written timestamptz; BEGIN
        FOR i IN 1..20000 LOOP
            SELECT at INTO written FROM probe WHERE id > $last;
            IF FOUND THEN
                RAISE NOTICE 'seen % ms after the commit', round(extract(epoch FROM clock_timestamp() - written)::numeric * 1000, 1);
                RETURN;
            END IF;
            PERFORM pg_sleep(0.001);
        END LOOP;
        RAISE EXCEPTION 'the row never reached the standby';
    END \$\$" 2>"$out" &
    watcher=$!
    sleep 0.5
    id=$(primary -d "$PROBE_DB" -c 'INSERT INTO probe (at) VALUES (clock_timestamp()) RETURNING id')
    wait "$watcher" || { cat "$out" >&2; exit 1; }
    echo "verify: row $id written on the primary, $(sed -n 's/.*NOTICE: *//p' "$out") on the standby;" \
        "standby replayed $(standby -c 'SELECT pg_last_wal_replay_lsn()')," \
        "read-only: $(standby -c 'SHOW transaction_read_only')"
    rm -f "$out"
}

lag() {
    primary -P footer=off -F ' | ' -c "
        SELECT application_name, state, sync_state,
               coalesce(write_lag::text, '-') AS write_lag,
               coalesce(flush_lag::text, '-') AS flush_lag,
               coalesce(replay_lag::text, '-') AS replay_lag,
               pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn) AS bytes_behind
        FROM pg_stat_replication" |
        sed 's/^/lag: name | state | sync | write_lag | flush_lag | replay_lag | bytes_behind: /'
}

bench() {
    [ "$(primary -c "SELECT 1 FROM pg_database WHERE datname = '$BENCH_DB'")" = 1 ] ||
        { echo "no $BENCH_DB: run bench/generate.py L --database $BENCH_DB first" >&2; exit 1; }
    echo "load before: $(uptime)"
    cd "$ROOT"
    DATABASE_URL=postgres://postgres@127.0.0.1:$PRIMARY_PORT/$BENCH_DB \
        DATABASE_REPLICA_URL=postgres://postgres@127.0.0.1:$REPLICA_PORT/$BENCH_DB \
        "$PY" -m bench.replica
    echo "load after: $(uptime)"
}

teardown() {
    if pg_lsclusters -h | awk -v v="$PGVER" -v c="$CLUSTER" '$1 == v && $2 == c { f = 1 } END { exit !f }'; then
        pg_dropcluster --stop "$PGVER" "$CLUSTER"
        echo "standby $PGVER/$CLUSTER dropped"
    fi
    primary -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $PROBE_DB"
}

case "${1:-all}" in
all) setup && verify && bench && lag ;;
setup | verify | bench | lag | teardown) "$1" ;;
*) sed -n 2,20p "$0" >&2; exit 2 ;;
esac
