# A throwaway PostgreSQL server on 127.0.0.1 for the tests, sourced by .ci/run.
#
# start_postgres installs Debian's postgresql package where it is missing, makes a cluster in a
# temporary folder, starts it on a free port and exports PROLOTRACK_TEST_POSTGRES (the URL of a
# superuser the tests use to make a database per test); and three more with wal_level=logical
# for the registry's tests (two clinics and a registry), in PROLOTRACK_TEST_REGISTRY (their URLs,
# separated by spaces). stop_postgres stops them all and removes their folders. initdb refuses
# to run as root, so as root the servers run as the "postgres" user.

_pg_bin() {
    ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1
}

_as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; elif sudo -n true 2>/dev/null; then sudo -n "$@"; else return 1; fi
}

_start_cluster() {
    # _start_cluster EXTRA-SETTINGS: a cluster in a folder of its own, started on a free port;
    # prints its port. Its folder is added to PG_FOLDERS.
    local bin run port folder
    bin="$(_pg_bin)"
    folder="$(mktemp -d)"
    run=()
    if [ "$(id -u)" -eq 0 ]; then
        chown postgres "$folder"
        run=(runuser -u postgres --)
    fi
    (
        cd "$folder"  # a folder the server's user may enter (the clone's may be the owner's alone)
        port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
        "${run[@]}" "$bin/initdb" -D "$folder/data" -U postgres -A trust -E UTF8 --locale C >/dev/null
        # fsync off: a throwaway cluster that no crash needs to survive
        "${run[@]}" "$bin/pg_ctl" -D "$folder/data" -l "$folder/log" -w -o \
            "-c listen_addresses=127.0.0.1 -p $port -k $folder -c fsync=off $1" start >/dev/null
        echo "$port $folder"
    )
}

start_postgres() {
    if [ -z "$(_pg_bin)" ]; then
        _as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql >/dev/null 2>&1 ||
            { _as_root apt-get update -q >/dev/null 2>&1 &&
              _as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql >/dev/null 2>&1; } ||
            { echo "PostgreSQL could not be installed"; return 1; }
    fi
    PG_RUN=()
    [ "$(id -u)" -eq 0 ] && PG_RUN=(runuser -u postgres --)
    PG_CTL="$(_pg_bin)/pg_ctl"
    PG_FOLDERS=()
    local started port folder urls=()
    started="$(_start_cluster "-c max_connections=200")"
    port="${started%% *}"; PG_FOLDERS+=("${started#* }")
    export PROLOTRACK_TEST_POSTGRES="postgresql://postgres@127.0.0.1:$port/postgres"
    # A registry of clinics: two clinics and a registry, each its own server, on PostgreSQL's
    # logical replication.
    for _ in 1 2 3; do
        started="$(_start_cluster "-c wal_level=logical -c max_connections=50 -c max_worker_processes=16 -c max_logical_replication_workers=8")"
        port="${started%% *}"; PG_FOLDERS+=("${started#* }")
        urls+=("postgresql://postgres@127.0.0.1:$port/postgres")
    done
    export PROLOTRACK_TEST_REGISTRY="${urls[*]}"
}

stop_postgres() {
    local folder
    for folder in "${PG_FOLDERS[@]:-}"; do
        [ -n "$folder" ] || continue
        "${PG_RUN[@]}" "$PG_CTL" -D "$folder/data" -m fast -w stop >/dev/null 2>&1 || true
        rm -rf "$folder"
    done
    PG_FOLDERS=()
}
