"""Synthetic amphorae for bench/health: creates load balancers through the API (no-op drivers, so
amphorae are rows), then sends their heartbeats (version 3, zlib + HMAC-SHA256, as an amphora does)
to the health manager at a fixed rate, and finally 100,000 junk datagrams. Prints what it sent."""
import hashlib, hmac, json, os, random, socket, sys, time, urllib.error, urllib.request, zlib

base, target, key, amphorae, rate, seconds, pid = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]), float(sys.argv[6]), int(sys.argv[7])
LISTENERS, MEMBERS = 3, 4
host, port = target.rsplit(":", 1)
dest = (host, int(port))


def call(method, path, body=None):
    req = urllib.request.Request(base + path, method=method, data=json.dumps(body).encode() if body else None,
                                 headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req) as r:
            return json.loads(r.read() or b"{}")
    except urllib.error.HTTPError as e:
        sys.exit(f"{method} {path}: {e.code} {e.read().decode()}")


def rss_mib():
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024


def graph(i):
    return {"loadbalancer": {"name": f"hb{i}", "vip_subnet_id": "8a2b7c1e-4d3f-4a5b-9c6d-7e8f9a0b1c2d", "listeners": [
        {"protocol": "HTTP", "protocol_port": 80 + l, "default_pool": {"name": f"p{l}", "protocol": "HTTP", "lb_algorithm": "ROUND_ROBIN", "members": [
            {"address": f"192.0.2.{10 + m}", "protocol_port": 8000 + l} for m in range(MEMBERS)]}} for l in range(LISTENERS)]}}


lbs = [call("POST", "/v2/lbaas/loadbalancers", graph(i))["loadbalancer"]["id"] for i in range(amphorae)]
deadline = time.time() + 300
layout = []
for lb in lbs:
    while True:
        tree = call("GET", f"/v2/lbaas/loadbalancers/{lb}/status")["statuses"]["loadbalancer"]
        if tree["provisioning_status"] == "ACTIVE":
            break
        assert time.time() < deadline, "load balancers did not become ACTIVE"
        time.sleep(0.05)
    amp = call("GET", f"/v2/octavia/amphorae?loadbalancer_id={lb}")["amphorae"][0]["id"]
    layout.append((amp, [(l["id"], [(p["id"], [m["id"] for m in p["members"]]) for p in l["pools"]]) for l in tree["listeners"]]))

rounds = max(1, int(rate * seconds / len(layout)))
k = key.encode()


def datagram(amp, listeners, seq):
    msg = {"id": amp, "seq": seq, "ver": 3,
           "listeners": {l: {"status": "OPEN", "stats": {"tx": 1000, "rx": 500, "conns": 2, "totconns": 10, "ereq": 0}} for l, _ in listeners},
           "pools": {f"{p}:{l}": {"status": "UP", "members": {m: "UP" for m in ms}} for l, pools in listeners for p, ms in pools}}
    body = zlib.compress(json.dumps(msg).encode(), 9)
    return body + hmac.new(k, body, hashlib.sha256).hexdigest().encode()


packets = [datagram(amp, listeners, r + 1) for r in range(rounds) for amp, listeners in layout]
sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
chunk = 50
start = time.time()
for i in range(0, len(packets), chunk):
    for p in packets[i:i + chunk]:
        sock.sendto(p, dest)
    ahead = start + (i + chunk) / rate - time.time()
    if ahead > 0:
        time.sleep(ahead)
elapsed = time.time() - start
size = sum(len(p) for p in packets) / len(packets)
print(f"sent {len(packets)} heartbeats of {len(layout)} amphorae ({LISTENERS} listeners, {LISTENERS * MEMBERS} members each, "
      f"{size:.0f} bytes) in {elapsed:.1f} s = {len(packets) / elapsed:.0f}/s")
time.sleep(3)

# Junk: forged, truncated, replayed, random. None of it may change anything; memory must stay flat.
rss_before = rss_mib()
rnd = random.Random(7)
junk_start = time.time()
for i in range(100_000):
    kind = i % 4
    if kind == 0:
        p = packets[rnd.randrange(len(packets))]
        p = p[:-64] + hmac.new(b"forged", p[:-64], hashlib.sha256).hexdigest().encode()
    elif kind == 1:
        p = packets[rnd.randrange(len(packets))]
        p = p[:rnd.randrange(len(p))]
    elif kind == 2:
        # A true replay: from the first half of the rounds, older than what every amphora has since sent (a
        # packet of the last rounds may have been lost in the socket buffer, and would rightly be accepted
        # late, moving the last batch into this phase).
        p = packets[rnd.randrange(max(1, len(packets) // 2))]
    else:
        p = os.urandom(rnd.randrange(1, 1400))
    sock.sendto(p, dest)
    if i % 50 == 49:
        ahead = junk_start + (i + 1) / 20_000 - time.time()
        if ahead > 0:
            time.sleep(ahead)
time.sleep(2)
print(f"junk 100000 datagrams: health manager RSS {rss_before:.0f} -> {rss_mib():.0f} MiB")
