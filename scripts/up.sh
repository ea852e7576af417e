#!/usr/bin/env bash
# Brings the whole service up on the embedded default: SQLite in ./var, API on 127.0.0.1:9876, the
# worker, and real amphorae on this host (namespaces as root, plain processes otherwise) in one process
# (`octavia all`). Installs what it needs (the .NET SDK must be present).
# Extra arguments go to `octavia all`, e.g. --config-file /etc/octavia/octavia.conf.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v dotnet >/dev/null; then
  echo "The .NET 10 SDK is required (https://dot.net); install it and run this again." >&2
  exit 1
fi

# Real amphorae need HAProxy (and, for the host-safety guard, nftables); as root on Debian, install them.
if ! command -v haproxy >/dev/null || ! command -v nft >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q haproxy nftables iproute2 >/dev/null
  else
    echo "haproxy and nftables are needed (apt-get install haproxy nftables); continuing without what is missing." >&2
  fi
fi

# Published beside var/bin, then installed into it file by file (scripts/install-files.sh): amphorae left
# running by an earlier run execute the agent from var/bin, and a control plane started again adopts them.
dotnet publish src/Octavia -c Release -o var/publish --nologo -v quiet
bash scripts/install-files.sh var/publish var/bin
# The amphorae's agent, compiled natively (a third of the memory of `octavia amphora-agent`); octavia finds
# it beside itself. Native compilation needs clang and zlib1g-dev; without them amphorae run the managed agent.
if ! command -v clang >/dev/null && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q clang zlib1g-dev >/dev/null || true
fi
if dotnet publish src/Octavia.AmphoraAgent -c Release -o var/native-agent --nologo -v quiet >var/native-agent.log 2>&1; then
  bash scripts/install-files.sh var/native-agent/octavia-amphora-agent var/bin
else
  rm -f var/bin/octavia-amphora-agent
  echo "The native agent did not build (see var/native-agent.log); amphorae run \`octavia amphora-agent\` instead." >&2
fi
args=("$@")
if [[ " ${args[*]-} " != *" --config-file "* ]]; then
  args+=(--config-file etc/octavia.conf)
fi
echo "Octavia API on http://127.0.0.1:9876 (Ctrl-C stops it). Try: openstack --os-auth-type none --os-endpoint http://127.0.0.1:9876 loadbalancer list"
exec dotnet var/bin/octavia.dll all "${args[@]}"
