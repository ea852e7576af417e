#!/usr/bin/env bash
# bench/health: heartbeats processed per second by one health manager, on SQLite and on PostgreSQL.
# Builds a Release octavia, starts `octavia all` (no-op drivers: amphorae are rows) with a fresh state,
# creates load balancers through the API, and lets bench/health/sender.py send their heartbeats at a
# fixed rate over loopback UDP; the health manager's own summary line gives what it processed per second.
# Failover times with real amphorae are measured by tests/Octavia.EndToEnd (HealthManagerTests).
#   bash bench/health/run.sh [amphorae] [rate/s] [seconds]
set -euo pipefail
cd "$(dirname "$0")/../.."
amphorae=${1:-500}; rate=${2:-30000}; seconds=${3:-8}
out=$(mktemp -d /tmp/octavia-bench-health.XXXXXX)
pid=""; pg_dir=""; pg_bin=""
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
  if [ -n "$pg_dir" ]; then su postgres -s /bin/sh -c "$pg_bin/pg_ctl -D '$pg_dir/data' -m fast stop" >/dev/null 2>&1 || true; rm -rf "$pg_dir"; fi
  rm -rf "$out"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket,sys; s=socket.socket(socket.AF_INET, getattr(socket, sys.argv[1])); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' "$1"; }

dotnet publish src/Octavia -c Release -o "$out/bin" --nologo -v quiet >/dev/null

run() { # $1 = label, $2 = [database] connection or empty
  local port hb key=bench-heartbeat-key
  port=$(free_port SOCK_STREAM); hb=$(free_port SOCK_DGRAM)
  rm -rf "$out/var"
  cat > "$out/octavia.conf" <<CONF
[DEFAULT]
state_path = $out/var
[database]
connection = $2
[network_api]
bind_host = 127.0.0.1
bind_port = 0
[api_settings]
bind_host = 127.0.0.1
bind_port = $port
[controller_worker]
compute_driver = compute_noop_driver
network_driver = network_noop_driver
amphora_driver = amphora_noop_driver
[health_manager]
bind_ip = 127.0.0.1
bind_port = $hb
heartbeat_key = $key
heartbeat_interval = 10
sock_rlimit = 8388608
CONF
  dotnet "$out/bin/octavia.dll" all --config-file "$out/octavia.conf" > "$out/octavia-$1.log" 2>&1 &
  pid=$!
  for _ in $(seq 1 150); do curl -sf "http://127.0.0.1:$port/" >/dev/null && break; sleep 0.2; done
  local sent
  sent=$(python3 bench/health/sender.py "http://127.0.0.1:$port" "127.0.0.1:$hb" "$key" "$amphorae" "$rate" "$seconds" "$pid")
  kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null || true; pid=""
  local summary
  summary=$(grep 'Heartbeats:' "$out/octavia-$1.log" | tail -n 1 | sed 's/.*Heartbeats: //')
  printf '| %-10s | %s |\n|            | %s |\n' "$1" "$sent" "$summary"
  grep -E 'Unhandled|OutOfMemory|fail:' "$out/octavia-$1.log" | head -n 3 || true
}

echo "| database   | result |"
echo "|------------|--------|"
run sqlite ""
if [ -z "${OCTAVIA_BENCH_POSTGRES:-}" ]; then
  pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  pg_dir=$(mktemp -d /tmp/octavia-pg.XXXXXX); chown postgres "$pg_dir"
  pg_port=$(free_port SOCK_STREAM)
  su postgres -s /bin/sh -c "$pg_bin/initdb -D '$pg_dir/data' -U octavia --auth=trust >/dev/null"
  su postgres -s /bin/sh -c "$pg_bin/pg_ctl -D '$pg_dir/data' -l '$pg_dir/log' -w -o \"-c listen_addresses=127.0.0.1 -p $pg_port -k '$pg_dir'\" start" >/dev/null
  OCTAVIA_BENCH_POSTGRES="postgresql://octavia@127.0.0.1:$pg_port/postgres"
fi
run postgresql "$OCTAVIA_BENCH_POSTGRES"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
