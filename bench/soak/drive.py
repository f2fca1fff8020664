#!/usr/bin/env python3
"""Soak driver: N distinct cold specializations in a row against a running serve; samples RSS and heap.

usage: drive.py BASE_URL SERVER_PID N OUT_PREFIX   (writes OUT_PREFIX-requests.csv and OUT_PREFIX-memory.csv)
Reads /proc/SERVER_PID, so it runs on the service's machine; see bench/results/soak-2026-12-06.md.
"""
import json, sys, time, threading, urllib.request, urllib.error, re, csv

base, pid, n, out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]

def post(body):
    req = urllib.request.Request(base + "/api/v1/specializations", data=json.dumps(body).encode(),
                                 headers={"Content-Type": "application/json", "Accept": "application/json"})
    t = time.time()
    try:
        with urllib.request.urlopen(req, timeout=120) as r:
            return r.status, json.loads(r.read()), time.time() - t, r.headers.get("X-Tailor-From-Catalogue")
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"{}"), time.time() - t, None

def rss_kib():
    with open(f"/proc/{pid}/status") as f:
        return int(re.search(r"VmRSS:\s+(\d+)", f.read()).group(1))

def heap_bytes():
    try:
        with urllib.request.urlopen(base + "/actuator/prometheus", timeout=10) as r:
            text = r.read().decode()
        return sum(float(m.group(1)) for m in re.finditer(r'^jvm_memory_used_bytes\{[^}]*area="heap"[^}]*\} (\S+)', text, re.M))
    except Exception:
        return -1

def threads():
    with open(f"/proc/{pid}/status") as f:
        return int(re.search(r"Threads:\s+(\d+)", f.read()).group(1))

import os
def fds():
    return len(os.listdir(f"/proc/{pid}/fd"))

stop = False
samples = []
def sampler():
    t0 = time.time()
    while not stop:
        samples.append((round(time.time() - t0, 1), rss_kib(), heap_bytes(), threads(), fds()))
        time.sleep(5)

st, body, _, _ = post({"device": "host-cpu", "macs": 1})
lo = body.get("closestReachable", {}).get("macs")
st2, body2, _, _ = post({"device": "host-cpu", "macs": 10**12})
print("probe", st, lo, st2, body2.get("macs"), flush=True)
hi = body2["macs"] if st2 in (200, 201) else lo * 6
th = threading.Thread(target=sampler, daemon=True); th.start()
rows = []
configs = set()
t0 = time.time()
for i in range(n):
    # golden-ratio sequence over [lo, hi]: distinct budgets that cover the range evenly
    frac = (i * 0.6180339887) % 1.0
    macs = int(lo + frac * (hi - lo)) + 1
    st, b, secs, cached = post({"device": "host-cpu", "macs": macs})
    sha = b.get("configSha256")
    configs.add(sha)
    rows.append((i, macs, st, round(secs, 2), cached, sha, b.get("macs")))
    if i % 10 == 0:
        print(i, macs, st, round(secs, 2), cached, len(configs), samples[-1] if samples else None, flush=True)
stop = True
time.sleep(6)
with open(out + "-requests.csv", "w", newline="") as f:
    w = csv.writer(f); w.writerow(["i", "macsBudget", "status", "seconds", "fromCatalogue", "configSha256", "macs"]); w.writerows(rows)
with open(out + "-memory.csv", "w", newline="") as f:
    w = csv.writer(f); w.writerow(["seconds", "rssKiB", "heapUsedBytes", "threads", "fds"]); w.writerows(samples)
print("done", n, "requests in", round(time.time() - t0), "s;", len(configs), "distinct configs", flush=True)
