"""bench/dataplane measurements; run by run.sh against a live `octavia all` with real amphorae."""
import json
import os
import re
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request

base, public, private, duration, out = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]


def api(method, path, body=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(base + path, data=data, method=method, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req) as r:
        text = r.read()
        return json.loads(text) if text else None


def wait_active(lb_id, timeout=60):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        status = api("GET", f"/v2/lbaas/loadbalancers/{lb_id}")["loadbalancer"]["provisioning_status"]
        if status == "ACTIVE":
            return
        if status == "ERROR":
            raise SystemExit(f"load balancer {lb_id} went to ERROR")
        time.sleep(0.005)
    raise SystemExit(f"load balancer {lb_id} not ACTIVE after {timeout}s")


def wait_gone(lb_id):
    while True:
        try:
            api("GET", f"/v2/lbaas/loadbalancers/{lb_id}")
        except urllib.error.HTTPError as e:
            if e.code == 404:
                return
        time.sleep(0.05)


def get(url, timeout=1.0):
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers={"Connection": "close"}), timeout=timeout) as r:
            return r.read().decode().strip()
    except (urllib.error.URLError, OSError):
        return None


def wrk(url):
    res = subprocess.run(["wrk", "-t2", "-c32", f"-d{duration}s", url], capture_output=True, text=True, check=True).stdout
    return float(re.search(r"Requests/sec:\s+([\d.]+)", res).group(1))


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        return int(next(l for l in f if l.startswith("VmRSS")).split()[1])


def private_kib(pid):
    with open(f"/proc/{pid}/smaps_rollup") as f:
        return sum(int(l.split()[1]) for l in f if l.startswith(("Private_Clean", "Private_Dirty")))


rows = []

# 1. POST -> ACTIVE of an empty load balancer, cold (a new amphora each time).
times = []
for _ in range(5):
    t0 = time.monotonic()
    lb = api("POST", "/v2/lbaas/loadbalancers", {"loadbalancer": {"vip_subnet_id": public}})["loadbalancer"]
    wait_active(lb["id"])
    times.append(time.monotonic() - t0)
    api("DELETE", f"/v2/lbaas/loadbalancers/{lb['id']}")
    wait_gone(lb["id"])
rows.append(("POST -> ACTIVE, cold amphora, median of 5", f"{statistics.median(times) * 1000:.0f} ms", "< 1 s"))

# 2. Seed scenario 2, call by call as the CLI with --wait does, to the first request served.
t0 = time.monotonic()
lb = api("POST", "/v2/lbaas/loadbalancers", {"loadbalancer": {"name": "lb1", "vip_subnet_id": public}})["loadbalancer"]
wait_active(lb["id"])
listener = api("POST", "/v2/lbaas/listeners", {"listener": {"name": "listener1", "protocol": "HTTP", "protocol_port": 80, "loadbalancer_id": lb["id"]}})["listener"]
wait_active(lb["id"])
pool = api("POST", "/v2/lbaas/pools", {"pool": {"name": "pool1", "protocol": "HTTP", "lb_algorithm": "ROUND_ROBIN", "listener_id": listener["id"]}})["pool"]
wait_active(lb["id"])
api("POST", "/v2/lbaas/healthmonitors", {"healthmonitor": {"pool_id": pool["id"], "type": "HTTP", "delay": 5, "max_retries": 4, "timeout": 10, "url_path": "/healthcheck"}})
wait_active(lb["id"])
for address in ("192.0.2.10", "192.0.2.11"):
    api("POST", f"/v2/lbaas/pools/{pool['id']}/members", {"member": {"address": address, "protocol_port": 80, "subnet_id": private}})
    wait_active(lb["id"])
url = f"http://{lb['vip_address']}/"
while get(url, 0.5) is None:
    time.sleep(0.005)
rows.append(("seed scenario 2: first POST -> first request served", f"{(time.monotonic() - t0) * 1000:.0f} ms", "< 3 s"))

# 3. Member change -> traffic: a third member; time from POST and from ACTIVE to its first answer.
t0 = time.monotonic()
api("POST", f"/v2/lbaas/pools/{pool['id']}/members", {"member": {"address": "192.0.2.12", "protocol_port": 80, "subnet_id": private}})
wait_active(lb["id"])
t_active = time.monotonic()
while get(url) != "192.0.2.12:80":
    pass
t_seen = time.monotonic()
rows.append(("member added: ACTIVE -> first request served by it", f"{(t_seen - t_active) * 1000:.0f} ms", "< 500 ms"))
rows.append(("member added: POST -> first request served by it", f"{(t_seen - t0) * 1000:.0f} ms", ""))

# 4. Requests/s through the VIP vs straight to the same backend (on public-subnet, reachable from the host).
listener2 = api("POST", "/v2/lbaas/listeners", {"listener": {"protocol": "HTTP", "protocol_port": 8080, "loadbalancer_id": lb["id"]}})["listener"]
wait_active(lb["id"])
pool2 = api("POST", "/v2/lbaas/pools", {"pool": {"protocol": "HTTP", "lb_algorithm": "ROUND_ROBIN", "listener_id": listener2["id"]}})["pool"]
wait_active(lb["id"])
api("POST", f"/v2/lbaas/pools/{pool2['id']}/members", {"member": {"address": "203.0.113.250", "protocol_port": 80, "subnet_id": public}})
wait_active(lb["id"])
vip8080 = f"http://{lb['vip_address']}:8080/"
while get(vip8080) != "203.0.113.250:80":
    time.sleep(0.01)
direct = wrk("http://203.0.113.250/")
through = wrk(vip8080)

# For scale: a plain HAProxy (no logging, no state file, defaults) in the same amphora, same backend.
amphora = api("GET", f"/v2/octavia/amphorae?loadbalancer_id={lb['id']}")["amphorae"][0]
ns = "octavia-amp-" + amphora["id"].replace("-", "")[:8]
plain_cfg = os.path.join(out, "plain-haproxy.cfg")
with open(plain_cfg, "w") as f:
    f.write(f"""global
    maxconn 7980
defaults
    mode http
    timeout connect 5s
    timeout client 50s
    timeout server 50s
frontend plain
    bind {lb['vip_address']}:8081
    default_backend servers
backend servers
    server s1 203.0.113.250:80
""")
plain_pid = os.path.join(out, "plain-haproxy.pid")
subprocess.run(["ip", "netns", "exec", ns, "haproxy", "-D", "-p", plain_pid, "-f", plain_cfg], check=True)
try:
    while get(f"http://{lb['vip_address']}:8081/") != "203.0.113.250:80":
        time.sleep(0.01)
    plain = wrk(f"http://{lb['vip_address']}:8081/")
finally:
    subprocess.run(["kill", open(plain_pid).read().strip()])

cores = os.cpu_count()
rows.append(("wrk -c32 straight to the backend", f"{direct:,.0f} req/s ({direct / cores:,.0f} per core)", ""))
rows.append(("wrk -c32 through the VIP", f"{through:,.0f} req/s ({through / cores:,.0f} per core)", ""))
rows.append(("wrk -c32 through a plain HAProxy, same amphora", f"{plain:,.0f} req/s ({plain / cores:,.0f} per core)", ""))
rows.append(("VIP / direct", f"{through / direct:.2f}", ">= 0.45"))
rows.append(("VIP / plain HAProxy", f"{through / plain:.2f}", ""))

# 5. Memory of one amphora's processes: RSS, and the private part (what one more amphora costs;
#    the rest is the runtime's and HAProxy's files, shared by every amphora on the host).
pids = subprocess.run(["ip", "netns", "pids", ns], capture_output=True, text=True).stdout.split()
agent = haproxy = agent_private = haproxy_private = 0
for p in pids:
    comm = open(f"/proc/{p}/comm").read().strip()
    if comm == "haproxy":
        haproxy += rss_kib(p)
        haproxy_private += private_kib(p)
    else:
        agent += rss_kib(p)
        agent_private += private_kib(p)
rows.append(("RSS of the agent (private part)", f"{agent / 1024:.1f} MiB ({agent_private / 1024:.1f} MiB)", "< 40 MiB"))
rows.append(("RSS of HAProxy, master + worker (private part)", f"{haproxy / 1024:.1f} MiB ({haproxy_private / 1024:.1f} MiB)", ""))

width = max(len(r[0]) for r in rows)
print(f"{'measure'.ljust(width)}  {'result':<32}  target")
for name, value, target in rows:
    print(f"{name.ljust(width)}  {value:<32}  {target}")
