#!/usr/bin/env bash
# bench/api: throughput and latency of the v2 API and the worker with no-op drivers, on SQLite.
# Builds a Release octavia, starts `octavia all` on a free loopback port with a fresh state directory,
# measures, prints a table, and stops exactly what it started. Needs wrk (apt-get install wrk).
#   bash bench/api/run.sh [seconds-per-wrk-run]
set -euo pipefail
cd "$(dirname "$0")/../.."
duration=${1:-10}
command -v wrk >/dev/null || { echo "wrk is required: apt-get install wrk" >&2; exit 1; }

out=$(mktemp -d /tmp/octavia-bench.XXXXXX)
pid=""
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
  rm -rf "$out"
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
dotnet "$out/bin/octavia.dll" all --config-file "$out/octavia.conf" > "$out/octavia.log" 2>&1 &
pid=$!
base="http://127.0.0.1:$port"
for _ in $(seq 1 100); do curl -sf "$base/" >/dev/null && break; sleep 0.2; done

python3 bench/api/scenario.py "$base" "$pid" "$duration"
kill "$pid"; wait "$pid" 2>/dev/null || true

# The GET rows again without the response cache: what every request costs when the data keeps changing.
rm -rf "$out/var"
printf '[api_settings]\nresponse_cache_entries = 0\n' >> "$out/octavia.conf"
dotnet "$out/bin/octavia.dll" all --config-file "$out/octavia.conf" > "$out/octavia-uncached.log" 2>&1 &
pid=$!
for _ in $(seq 1 100); do curl -sf "$base/" >/dev/null && break; sleep 0.2; done
python3 bench/api/scenario.py "$base" "$pid" "$duration" uncached
