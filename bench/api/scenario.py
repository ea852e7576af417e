#!/usr/bin/env python3
"""Drives bench/api: creates the data, runs wrk for the GET rates, times flows, prints the table.

Only the standard library: it must run with any python3.
"""
import json
import re
import statistics
import subprocess
import sys
import time
import urllib.request

BASE, PID, DURATION = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
# "uncached": the server runs with [api_settings] response_cache_entries = 0; only the GET rows are measured.
# "noauth-one": GET one load balancer only, rates written to the file named by argv[5] (the reference of "keystone").
# "keystone": the server runs with auth_strategy = keystone against the Keystone at argv[5] (bootstrap admin
# password in OS_BENCH_ADMIN_PASSWORD); GET one with a cached member token, compared to the "noauth-one" file argv[6].
MODE = sys.argv[4] if len(sys.argv) > 4 else "full"
SUBNET = "8a2b7c1e-4d3f-4a5b-9c6d-7e8f9a0b1c2d"
HEADERS = {}


def call(method, path, body=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(BASE + path, data=data, method=method,
                                 headers={"Content-Type": "application/json", **HEADERS})
    try:
        with urllib.request.urlopen(req) as resp:
            raw = resp.read()
            return resp.status, (json.loads(raw) if raw else None)
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"null")


def wait_status(path, key, want="ACTIVE", timeout=30.0, poll=0.002):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status, body = call("GET", path)
        if status == 404 and want == "DELETED":
            return
        if status == 200 and body[key]["provisioning_status"] == want:
            return
        time.sleep(poll)
    raise RuntimeError(f"{path} did not reach {want}")


def create_lb(name):
    status, body = call("POST", "/v2/lbaas/loadbalancers", {"loadbalancer": {"name": name, "vip_subnet_id": SUBNET}})
    assert status == 201, body
    return body["loadbalancer"]["id"]


def rss_mib():
    with open(f"/proc/{PID}/status") as f:
        fields = dict(line.split(":", 1) for line in f)
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


def header_args():
    return [a for k, v in HEADERS.items() for a in ("-H", f"{k}: {v}")]


def wrk(path, connections):
    # One wrk thread drives 16 connections easily; a second would take CPU from the server on two cores.
    out = subprocess.run(["wrk", "-t", "1", "-c", str(connections), "-d", f"{DURATION}s", "--latency", *header_args(), BASE + path],
                         capture_output=True, text=True, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)

    def pct(p):
        m = re.search(rf"^\s+{p}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        value, unit = float(m.group(1)), m.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    return rate, pct(50), pct(99), int(errors.group(1)) if errors else 0


rows = []


def get_rows(label, lb):
    one = f"/v2/lbaas/loadbalancers/{lb}"
    for connections in (1, 16):
        rate, p50, p99, errors = wrk(one, connections)
        rows.append((f"GET one load balancer, concurrency {connections}{label}", f"{rate:,.0f} req/s, p50 {p50:.2f} ms, p99 {p99:.2f} ms"
                     + (f", {errors} errors" if errors else ""), ">= 5,000 req/s, p99 < 10 ms at 16" if connections == 16 else ""))
    for connections in (1, 16):
        rate, p50, p99, errors = wrk("/v2/lbaas/loadbalancers?limit=100", connections)
        rows.append((f"GET list of 100, concurrency {connections}{label}", f"{rate:,.0f} req/s, p50 {p50:.2f} ms, p99 {p99:.2f} ms"
                     + (f", {errors} errors" if errors else ""), ">= 1,000 req/s" if connections == 16 else ""))


def print_rows():
    width = max(len(r[0]) for r in rows)
    print(f"\n{'measure'.ljust(width)} | result | target")
    print(f"{'-' * width}-|--------|-------")
    for name, result, target in rows:
        print(f"{name.ljust(width)} | {result} | {target}")


def keystone(url, method, path, body, token=None):
    req = urllib.request.Request(url + path, data=json.dumps(body).encode() if body is not None else None, method=method,
                                 headers={"Content-Type": "application/json", **({"X-Auth-Token": token} if token else {})})
    with urllib.request.urlopen(req) as resp:
        return resp.headers.get("X-Subject-Token"), json.loads(resp.read() or b"null")


def password_token(url, user, password, project):
    token, _ = keystone(url, "POST", "/auth/tokens", {"auth": {
        "identity": {"methods": ["password"], "password": {"user": {"name": user, "domain": {"id": "default"}, "password": password}}},
        "scope": {"project": {"name": project, "domain": {"id": "default"}}}}})
    return token


def get_one_rates(lb):
    one = f"/v2/lbaas/loadbalancers/{lb}"
    # A warm-up first, in both modes: the runtime compiles the hot path again with profile data after a few
    # seconds, and the keystone path has more code to warm.
    subprocess.run(["wrk", "-t", "1", "-c", "4", "-d", "3s", *header_args(), BASE + one],
                   capture_output=True, check=True)
    return {str(c): wrk(one, c) for c in (1, 16)}


if MODE == "noauth-one":
    lb = create_lb("reference")
    wait_status(f"/v2/lbaas/loadbalancers/{lb}", "loadbalancer")
    with open(sys.argv[5], "w") as f:
        json.dump(get_one_rates(lb), f)
    sys.exit(0)

if MODE == "keystone":
    url, admin_password = sys.argv[5], __import__("os").environ["OS_BENCH_ADMIN_PASSWORD"]
    with open(sys.argv[6]) as f:
        reference = json.load(f)
    # A member of a project of its own: the policy is evaluated as for any tenant (an admin would pass every rule at once).
    admin = password_token(url, "admin", admin_password, "admin")
    _, roles = keystone(url, "GET", "/roles?name=member", None, admin)
    _, project = keystone(url, "POST", "/projects", {"project": {"name": "bench", "domain_id": "default"}}, admin)
    _, user = keystone(url, "POST", "/users", {"user": {"name": "bench-member", "domain_id": "default", "password": admin_password}}, admin)
    keystone(url, "PUT", f"/projects/{project['project']['id']}/users/{user['user']['id']}/roles/{roles['roles'][0]['id']}", None, admin)
    HEADERS["X-Auth-Token"] = password_token(url, "bench-member", admin_password, "bench")
    lb = create_lb("keystone")
    wait_status(f"/v2/lbaas/loadbalancers/{lb}", "loadbalancer")
    time.sleep(1)
    for connections, (rate, p50, p99, errors) in get_one_rates(lb).items():
        noauth, noauth_p50, noauth_p99 = reference[connections][:3]
        rows.append((f"GET one load balancer, concurrency {connections}, keystone (cached token) vs noauth",
                     f"{rate:,.0f} vs {noauth:,.0f} req/s ({rate / noauth:.0%}), p50 {p50:.2f} vs {noauth_p50:.2f} ms, p99 {p99:.2f} vs {noauth_p99:.2f} ms"
                     + (f", {errors} errors" if errors else ""), ">= 80% of noauth" if connections == "16" else ""))
    print_rows()
    sys.exit(0)

if MODE == "uncached":
    first = create_lb("uncached")
    for i in range(99):
        create_lb(f"uncached{i}")
    wait_status(f"/v2/lbaas/loadbalancers/{first}", "loadbalancer")
    time.sleep(1)
    get_rows(" (response cache off)", first)
    print_rows()
    sys.exit(0)

# POST -> ACTIVE, one at a time.
samples = []
for i in range(30):
    start = time.monotonic()
    lb = create_lb(f"latency{i}")
    wait_status(f"/v2/lbaas/loadbalancers/{lb}", "loadbalancer")
    samples.append((time.monotonic() - start) * 1000)
rows.append(("POST -> ACTIVE (median of 30)", f"{statistics.median(samples):.1f} ms", "< 50 ms"))

# The seed scenario: LB, listener, pool, monitor, two members, each waited ACTIVE.
start = time.monotonic()
lb = create_lb("seed")
wait_status(f"/v2/lbaas/loadbalancers/{lb}", "loadbalancer")
_, body = call("POST", "/v2/lbaas/listeners", {"listener": {"name": "listener1", "protocol": "HTTP", "protocol_port": 80, "loadbalancer_id": lb}})
wait_status(f"/v2/lbaas/loadbalancers/{lb}", "loadbalancer")
listener = body["listener"]["id"]
_, body = call("POST", "/v2/lbaas/pools", {"pool": {"name": "pool1", "protocol": "HTTP", "lb_algorithm": "ROUND_ROBIN", "listener_id": listener}})
pool = body["pool"]["id"]
wait_status(f"/v2/lbaas/loadbalancers/{lb}", "loadbalancer")
call("POST", "/v2/lbaas/healthmonitors", {"healthmonitor": {"pool_id": pool, "type": "HTTP", "delay": 5, "max_retries": 4, "timeout": 10, "url_path": "/healthcheck"}})
wait_status(f"/v2/lbaas/loadbalancers/{lb}", "loadbalancer")
for address in ("192.0.2.10", "192.0.2.11"):
    call("POST", f"/v2/lbaas/pools/{pool}/members", {"member": {"address": address, "protocol_port": 80}})
    wait_status(f"/v2/lbaas/loadbalancers/{lb}", "loadbalancer")
rows.append(("seed scenario through the API (6 objects ACTIVE)", f"{(time.monotonic() - start) * 1000:.0f} ms", "< 500 ms"))

# Enough load balancers for "the list of 100".
existing = int(call("GET", "/v2/lbaas/loadbalancers?fields=id")[1]["loadbalancers"].__len__())
for i in range(existing, 100):
    create_lb(f"list{i}")
time.sleep(1)

get_rows("", lb)

# A backlog of 100 creates, drained by the worker.
submitted = time.monotonic()
ids = [create_lb(f"backlog{i}") for i in range(100)]
posted = time.monotonic() - submitted
pending = set(ids)
backlog_rss = 0.0
while pending:
    backlog_rss = max(backlog_rss, rss_mib()[0])
    _, body = call("GET", "/v2/lbaas/loadbalancers?provisioning_status=PENDING_CREATE&fields=id&limit=1000")
    pending = {x["id"] for x in body["loadbalancers"]} & pending
    time.sleep(0.01)
drain = time.monotonic() - submitted
rows.append(("backlog of 100 creates drained (first POST to last ACTIVE)", f"{100 / drain:.0f} LB/s ({drain:.2f} s; POSTs took {posted:.2f} s)", ">= 50 LB/s"))

rss, peak = rss_mib()
rows.append(("octavia all RSS while draining the backlog (max sampled)", f"{backlog_rss:.0f} MiB", "< 200 MiB"))
rows.append(("octavia all RSS after the run (peak of the whole run)", f"{rss:.0f} MiB ({peak:.0f} MiB)", ""))

print_rows()
