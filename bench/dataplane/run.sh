#!/usr/bin/env bash
# bench/dataplane: real amphorae (netns compute, local network, REST agent, HAProxy) on this host.
# Builds a Release octavia, starts `octavia all` with a fresh state directory on a free loopback port,
# measures, prints a table, then removes everything it made (`octavia network clean`). Needs root and wrk.
#   [AGENT=managed] bash bench/dataplane/run.sh [seconds-per-wrk-run] [log]
# "log" sets [haproxy_amphora] connection_logging = true (a log line per connection; off by default for
# local amphorae, which have no syslog to read it).
set -euo pipefail
cd "$(dirname "$0")/../.."
duration=${1:-10}
logging=""
[ "${2:-}" = log ] && logging=true
command -v wrk >/dev/null || { echo "wrk is required: apt-get install wrk" >&2; exit 1; }
[ "$(id -u)" = 0 ] || { echo "bench/dataplane needs root (network namespaces)" >&2; exit 1; }

out=$(mktemp -d /tmp/octavia-bench-dp.XXXXXX)
pid=""
cleanup() {
  status=$?
  if [ "$status" != 0 ] && [ -f "$out/octavia.log" ]; then
    echo "--- last lines of the octavia log ---" >&2
    grep -E "warn|fail|rror" "$out/octavia.log" | tail -5 | cut -c1-700 >&2
  fi
  [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
  if [ -f "$out/octavia.conf" ]; then dotnet "$out/bin/octavia.dll" network clean --delete-load-balancers --config-file "$out/octavia.conf" >"$out/clean.log" 2>&1 || cat "$out/clean.log" >&2; fi
  rm -rf "$out"
}
trap cleanup EXIT

dotnet publish src/Octavia -c Release -o "$out/bin" --nologo -v quiet >/dev/null
# Amphorae run the native agent, found beside octavia (as scripts/up.sh sets it up); AGENT=managed keeps
# `octavia amphora-agent` for a comparison.
if [ "${AGENT:-native}" = native ]; then
  dotnet publish src/Octavia.AmphoraAgent -c Release -o "$out/agent" --nologo -v quiet >/dev/null
  cp "$out/agent/octavia-amphora-agent" "$out/bin/"
fi
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
compute_driver = compute_netns_driver
network_driver = network_local_driver
amphora_driver = amphora_haproxy_rest_driver
CONF
[ -n "$logging" ] && printf '[haproxy_amphora]\nconnection_logging = %s\n' "$logging" >> "$out/octavia.conf"
octavia() { dotnet "$out/bin/octavia.dll" "$@" --config-file "$out/octavia.conf"; }
dotnet "$out/bin/octavia.dll" all --config-file "$out/octavia.conf" > "$out/octavia.log" 2>&1 &
pid=$!
base="http://127.0.0.1:$port"
for _ in $(seq 1 150); do curl -sf "$base/" >/dev/null && break; sleep 0.2; done

# Backends: two on private-subnet for the scenario, a third for the member change, one on public-subnet
# that the host can also reach directly (the VIP/direct ratio compares the same server both ways).
for a in 192.0.2.10 192.0.2.11 192.0.2.12; do octavia server start --subnet private-subnet --address $a >/dev/null; done
octavia server start --subnet public-subnet --address 203.0.113.250 >/dev/null
subnets=$(octavia network list)
public=$(awk '$3=="public-subnet"{print $4}' <<<"$subnets")
private=$(awk '$3=="private-subnet"{print $4}' <<<"$subnets")

python3 bench/dataplane/scenario.py "$base" "$public" "$private" "$duration" "$out"
