#!/usr/bin/env bash
# Runs every test. Starts a private PostgreSQL (from Debian's packages) on loopback for the tests that
# need one, unless OCTAVIA_TEST_POSTGRES already names a server, and stops exactly what it started.
set -euo pipefail
cd "$(dirname "$0")/.."

pg_dir=""
cleanup() {
  if [ -n "$pg_dir" ]; then
    su postgres -s /bin/sh -c "$pg_bin/pg_ctl -D '$pg_dir/data' -m fast stop" >/dev/null 2>&1 || true
    rm -rf "$pg_dir"
  fi
}
trap cleanup EXIT

if [ -z "${OCTAVIA_TEST_POSTGRES:-}" ]; then
  pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  if [ -z "$pg_bin" ]; then
    echo "PostgreSQL is not installed (apt-get install postgresql), or set OCTAVIA_TEST_POSTGRES." >&2
    exit 1
  fi
  pg_dir=$(mktemp -d /tmp/octavia-pg.XXXXXX)
  chown postgres "$pg_dir"
  port=$(( 20000 + RANDOM % 20000 ))
  su postgres -s /bin/sh -c "$pg_bin/initdb -D '$pg_dir/data' -U octavia --auth=trust >/dev/null"
  su postgres -s /bin/sh -c "$pg_bin/pg_ctl -D '$pg_dir/data' -l '$pg_dir/log' -w \
    -o \"-c listen_addresses=127.0.0.1 -p $port -k '$pg_dir' -c fsync=off -c synchronous_commit=off -c max_connections=300\" start" >/dev/null
  export OCTAVIA_TEST_POSTGRES="postgresql://octavia@127.0.0.1:$port/postgres"
fi

# Amphorae run the natively compiled agent, as scripts/up.sh sets them up (publishing needs clang and zlib1g-dev).
if [ -z "${OCTAVIA__LOCAL_COMPUTE__NATIVE_AGENT:-}" ]; then
  dotnet publish src/Octavia.AmphoraAgent -c Release -o var/native-agent --nologo -v quiet
  export OCTAVIA__LOCAL_COMPUTE__NATIVE_AGENT="$PWD/var/native-agent/octavia-amphora-agent"
fi

dotnet test --solution Octavia.slnx --max-parallel-test-modules 1 "$@"
