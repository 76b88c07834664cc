# A throwaway PostgreSQL server on 127.0.0.1 for the tests, sourced by .ci/run.
#
# start_postgres installs Debian's postgresql package where it is missing, makes a cluster in a
# temporary folder, starts it on a free port and exports PROLOTRACK_TEST_POSTGRES (the URL of a
# superuser the tests use to make a database per test); stop_postgres stops it and removes the
# folder. initdb refuses to run as root, so as root the server runs as the "postgres" user.

_pg_bin() {
    ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1
}

_as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; elif sudo -n true 2>/dev/null; then sudo -n "$@"; else return 1; fi
}

start_postgres() {
    if [ -z "$(_pg_bin)" ]; then
        _as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql >/dev/null 2>&1 ||
            { _as_root apt-get update -q >/dev/null 2>&1 &&
              _as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql >/dev/null 2>&1; } ||
            { echo "PostgreSQL could not be installed"; return 1; }
    fi
    local bin run port
    bin="$(_pg_bin)"
    PG_FOLDER="$(mktemp -d)"
    run=()
    if [ "$(id -u)" -eq 0 ]; then
        chown postgres "$PG_FOLDER"
        run=(runuser -u postgres --)
    fi
    cd "$PG_FOLDER"  # a folder the server's user may enter (the clone's may be the owner's alone)
    port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
    "${run[@]}" "$bin/initdb" -D "$PG_FOLDER/data" -U postgres -A trust -E UTF8 --locale C >/dev/null
    # fsync off: a throwaway cluster that no crash needs to survive
    "${run[@]}" "$bin/pg_ctl" -D "$PG_FOLDER/data" -l "$PG_FOLDER/log" -w -o \
        "-c listen_addresses=127.0.0.1 -p $port -k $PG_FOLDER -c fsync=off -c max_connections=200" \
        start >/dev/null
    PG_RUN=("${run[@]}")
    PG_CTL="$bin/pg_ctl"
    cd - >/dev/null
    export PROLOTRACK_TEST_POSTGRES="postgresql://postgres@127.0.0.1:$port/postgres"
}

stop_postgres() {
    if [ -n "${PG_FOLDER:-}" ]; then
        "${PG_RUN[@]}" "$PG_CTL" -D "$PG_FOLDER/data" -m fast -w stop >/dev/null 2>&1 || true
        rm -rf "$PG_FOLDER"
        PG_FOLDER=""
    fi
}
