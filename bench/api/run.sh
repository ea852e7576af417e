#!/usr/bin/env bash
# bench/api: throughput and latency of the v2 API and the worker with no-op drivers, on SQLite.
# Builds a Release octavia, starts `octavia all` on a free loopback port with a fresh state directory,
# measures, prints a table, and stops exactly what it started. Needs wrk (apt-get install wrk); the
# keystone phase needs Debian's python3-keystone, uwsgi and uwsgi-plugin-python3 (as tests/Octavia.Api.Tests).
#   bash bench/api/run.sh [seconds-per-wrk-run] [phases]
# phases: any of full, uncached, keystone (default: all three), e.g. `bash bench/api/run.sh 3 keystone`.
set -euo pipefail
cd "$(dirname "$0")/../.."
duration=${1:-10}
phases=${2:-full uncached keystone}
command -v wrk >/dev/null || { echo "wrk is required: apt-get install wrk" >&2; exit 1; }
has_phase() { [[ " $phases " == *" $1 "* ]]; }

out=$(mktemp -d /tmp/octavia-bench.XXXXXX)
pid=""
keystone_pid=""
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
  [ -n "$keystone_pid" ] && kill -KILL "$keystone_pid" 2>/dev/null && wait "$keystone_pid" 2>/dev/null || true
  [ -n "${KEEP_LOGS:-}" ] && cp "$out"/*.log /tmp/ 2>/dev/null; rm -rf "$out"
}
trap cleanup EXIT

dotnet publish src/Octavia -c Release -o "$out/bin" --nologo -v quiet >/dev/null
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat > "$out/octavia.conf" <<CONF
[DEFAULT]
state_path = $out/var
[network_api]
bind_host = 127.0.0.1
bind_port = 0
[api_settings]
bind_host = 127.0.0.1
bind_port = $port
[controller_worker]
# The API and the job engine alone: amphorae are rows (bench/dataplane measures real ones).
compute_driver = compute_noop_driver
network_driver = network_noop_driver
amphora_driver = amphora_noop_driver
CONF
base="http://127.0.0.1:$port"

# Starts `octavia all` with the config file $1 (fresh state), logging to $2; waits until the API answers.
start_octavia() {
  rm -rf "$out/var"
  dotnet "$out/bin/octavia.dll" all --config-file "$1" > "$2" 2>&1 &
  pid=$!
  for _ in $(seq 1 100); do curl -sf "$base/" >/dev/null && break; sleep 0.2; done
}

stop_octavia() {
  kill "$pid"; wait "$pid" 2>/dev/null || true
  pid=""
}

if has_phase full; then
  start_octavia "$out/octavia.conf" "$out/octavia.log"
  python3 bench/api/scenario.py "$base" "$pid" "$duration"
  stop_octavia
fi

if has_phase uncached; then
  # The GET rows again without the response cache: what every request costs when the data keeps changing.
  { cat "$out/octavia.conf"; printf '[api_settings]\nresponse_cache_entries = 0\n'; } > "$out/octavia-uncached.conf"
  start_octavia "$out/octavia-uncached.conf" "$out/octavia-uncached.log"
  python3 bench/api/scenario.py "$base" "$pid" "$duration" uncached
  stop_octavia
fi

if has_phase keystone; then
  # GET one load balancer with a cached token (auth_strategy = keystone) against noauth, back to back. A real
  # Keystone, set up as tests/Octavia.Api.Tests/Infrastructure/KeystoneServer.cs does: SQLite (WAL), Fernet keys,
  # bootstrap, then one uwsgi process (no master) serving keystone-wsgi-public; the API's service user is the admin.
  ks="$out/keystone"
  mkdir -p "$ks/fernet-keys" "$ks/credential-keys"
  ks_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  ks_url="http://127.0.0.1:$ks_port/v3"
  export OS_BENCH_ADMIN_PASSWORD="bench-admin-$(head -c 6 /dev/urandom | od -An -tx1 | tr -d ' \n')"
  cat > "$ks/keystone.conf" <<KSCONF
[DEFAULT]
log_dir = $ks
[database]
connection = sqlite:///$ks/keystone.db
[fernet_tokens]
key_repository = $ks/fernet-keys
[credential]
key_repository = $ks/credential-keys
[cache]
enabled = true
backend = dogpile.cache.memory
[identity]
password_hash_rounds = 4
KSCONF
  manage() { env -u PYTHONPATH -u PYTHONHOME PATH="/usr/bin:/bin:$PATH" /usr/bin/keystone-manage --config-file "$ks/keystone.conf" "$@" >> "$ks/manage.log" 2>&1; }
  manage db_sync
  /usr/bin/python3 -c 'import sqlite3, sys; sqlite3.connect(sys.argv[1]).execute("PRAGMA journal_mode=WAL")' "$ks/keystone.db"
  manage fernet_setup --keystone-user root --keystone-group root
  manage credential_setup --keystone-user root --keystone-group root
  manage bootstrap --bootstrap-password "$OS_BENCH_ADMIN_PASSWORD" --bootstrap-region-id RegionOne \
    --bootstrap-admin-url "$ks_url" --bootstrap-internal-url "$ks_url" --bootstrap-public-url "$ks_url"
  env -u PYTHONPATH -u PYTHONHOME PATH="/usr/bin:/bin:$PATH" /usr/bin/uwsgi --plugin python3 --http-socket "127.0.0.1:$ks_port" \
    --wsgi-file /usr/bin/keystone-wsgi-public --processes 1 --threads 1 --add-header "Connection: close" \
    --env "OS_KEYSTONE_CONFIG_FILES=$ks/keystone.conf" --logto "$ks/uwsgi.log" &
  keystone_pid=$!
  for _ in $(seq 1 300); do curl -sf "$ks_url" >/dev/null && break; sleep 0.2; done
  curl -sf "$ks_url" >/dev/null || { echo "Keystone did not start:" >&2; cat "$ks/uwsgi.log" >&2; exit 1; }

  start_octavia "$out/octavia.conf" "$out/octavia-noauth.log"
  python3 bench/api/scenario.py "$base" "$pid" "$duration" noauth-one "$out/noauth-rates.json"
  stop_octavia

  { cat "$out/octavia.conf"; cat <<KCONF; } > "$out/octavia-keystone.conf"
[api_settings]
auth_strategy = keystone
[keystone_authtoken]
www_authenticate_uri = $ks_url
auth_url = $ks_url
auth_type = password
username = admin
password = $OS_BENCH_ADMIN_PASSWORD
user_domain_name = Default
project_name = admin
project_domain_name = Default
KCONF
  start_octavia "$out/octavia-keystone.conf" "$out/octavia-keystone.log"
  python3 bench/api/scenario.py "$base" "$pid" "$duration" keystone "$ks_url" "$out/noauth-rates.json"
  stop_octavia
  kill -KILL "$keystone_pid"; wait "$keystone_pid" 2>/dev/null || true
  keystone_pid=""
fi
