#!/usr/bin/env bash
# A throw-away PostgreSQL cluster for the tests: `start DIR` prints its URL, `stop DIR` ends it.
#
#   url=$(.ci/postgres.sh start /tmp/briefbot-pg)   # initdb + start on a free port
#   BRIEFBOT_TEST_DATABASE_URL=$url .venv/bin/python -m pytest tests/storage
#   .ci/postgres.sh stop /tmp/briefbot-pg            # stop and delete the folder
#
# PostgreSQL refuses to run as root, so as root the server runs as the `postgres` user.
# Installs Debian's `postgresql` package when no server binaries are found.
set -euo pipefail

action=${1:-}
dir=${2:-}
if [[ -z $action || -z $dir ]]; then
    echo "usage: $0 start|stop DIR" >&2
    exit 2
fi

bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
as_owner() {
    if [[ $(id -u) == 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case $action in
start)
    if [[ -z $bindir ]]; then
        apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
        bindir=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
    fi
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    mkdir -p "$dir"
    if [[ $(id -u) == 0 ]]; then chown postgres "$dir"; fi
    as_owner "$bindir/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --no-sync >&2
    as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
        -o "-k $dir -p $port -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200" \
        start >&2
    echo "$port" >"$dir/port"
    echo "postgresql://postgres@127.0.0.1:$port/postgres"
    ;;
stop)
    if [[ -d $dir/data && -n $bindir ]]; then
        as_owner "$bindir/pg_ctl" -D "$dir/data" -m fast -w stop >&2 || true
    fi
    rm -rf "$dir"
    ;;
*)
    echo "usage: $0 start|stop DIR" >&2
    exit 2
    ;;
esac
