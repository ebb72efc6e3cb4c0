#!/usr/bin/env python3
"""Scaling driver for the Python reference: per-operation cost at one registry size.

Started by `Tsim.Registry.LoadBenchmark --scaling` once per size, from the folder that also holds the vendored
registry_manager.py, posix_ipc.py and bench_py.py (this file only imports them; they stay unchanged).
The C# side writes the seed hosts.json (N hosts, in json.dump(indent=2) form) and measures the same
operations on the same seed with the same host names, so the two columns of its table are comparable.

Per operation kind, after --warmup unrecorded operations, --ops recorded ones (microseconds each):
  register    check_and_register_host of a new host -> True; the host is then unregistered (timed
              separately as `unregister`), so every registration sees exactly N hosts
  refused     check_and_register_host with the IP of the last seeded host, on its router -> False
              (no write; the reference scans every host before it finds the collision)
  lease_cycle acquire_source_host_lease + release_source_host_lease on the first seeded host
  unregister  unregister_host of the host just registered -> True

Like bench_py.py it uses the spec's GLOBAL semaphore names (/tsim-*): every /dev/shm/sem.tsim-* is
unlinked before and after (bench_py's cleanup_sems), and its registry lives in /dev/shm/tsim-peer-scale,
removed afterwards. The caller makes sure nothing else uses those names meanwhile.

Usage: python3 bench_scale.py --size N --ops K --warmup W --seed HOSTS.json --out RESULT.json
"""

import argparse
import json
import os
import shutil
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import bench_py  # noqa: E402  (make_mgr: the baseline's configuration; cleanup_sems)

ROOT = "/dev/shm/tsim-peer-scale"


def host(i):
    """bench_py's host(i), except that the MAC's fourth octet holds bits 16-23 of i: bench_py's MACs repeat
    after 65,536 hosts; these are identical to bench_py's below that and unique up to 2**24 (as are the IPs)."""
    name, ip, router, _ = bench_py.host(i)
    return name, ip, router, f"02:00:00:{(i >> 16) & 255:02x}:{(i >> 8) & 255:02x}:{i & 255:02x}"


def refused(n, j):
    """A registration that must be refused: new name, new MAC, the IP of the last seeded host on its router."""
    _, ip, router, _ = host(n - 1)
    return f"refused-{j}", ip, router, f"02:ff:00:{(j >> 16) & 255:02x}:{(j >> 8) & 255:02x}:{j & 255:02x}"


def timed(fn):
    t0 = time.perf_counter()
    result = fn()
    return result, round((time.perf_counter() - t0) * 1e6, 1)


def measure(mgr, n, ops, warmup):
    samples = {"register": [], "refused": [], "lease_cycle": [], "unregister": []}
    wrong = {"register": 0, "refused": 0, "lease_cycle": 0, "unregister": 0}
    lease_name, _, lease_router, _ = host(0)

    # Order as on the C# side: the two kinds that do not change hosts.json first, then register/unregister.
    for j in range(warmup + ops):
        ok, t = timed(lambda: mgr.check_and_register_host(*refused(n, j)))
        wrong["refused"] += ok is not False
        if j >= warmup:
            samples["refused"].append(t)

    for j in range(warmup + ops):
        def cycle():
            c = mgr.acquire_source_host_lease(f"run-{j}", lease_name, "quick", lease_router, dscp=32)
            rc, delete = mgr.release_source_host_lease(f"run-{j}", lease_name)
            return c == 1 and rc == 0 and delete
        ok, t = timed(cycle)
        wrong["lease_cycle"] += not ok
        if j >= warmup:
            samples["lease_cycle"].append(t)

    for j in range(warmup + ops):
        h = host(n + j)
        ok, t = timed(lambda: mgr.check_and_register_host(*h))
        wrong["register"] += ok is not True
        gone, tu = timed(lambda: mgr.unregister_host(h[0]))
        wrong["unregister"] += gone is not True
        if j >= warmup:
            samples["register"].append(t)
            samples["unregister"].append(tu)
    return samples, wrong


def check(d, n):
    """The registry after the run: exactly the N seeded hosts, no duplicate IP or MAC, no lease left."""
    with open(os.path.join(d, "hosts.json")) as f:
        hosts = json.load(f)
    with open(os.path.join(d, "host_leases.json")) as f:
        leases = json.load(f)
    ips = [v["primary_ip"].split("/")[0] for v in hosts.values()]
    macs = [v["mac_address"] for v in hosts.values()]
    return {
        "hosts_after": len(hosts),
        "hosts_are_the_seed": set(hosts) == {host(i)[0] for i in range(n)},
        "dup_ips": len(ips) - len(set(ips)),
        "dup_macs": len(macs) - len(set(macs)),
        "leases_after": len(leases),
        "hosts_json_bytes_after": os.path.getsize(os.path.join(d, "hosts.json")),
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--size", type=int, required=True)
    ap.add_argument("--ops", type=int, required=True)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--seed", required=True, help="hosts.json with exactly --size hosts")
    ap.add_argument("--out", required=True)
    args = ap.parse_args()

    removed = bench_py.cleanup_sems()
    shutil.rmtree(ROOT, ignore_errors=True)
    d = os.path.join(ROOT, f"py-{args.size}")
    os.makedirs(d)
    t_start = time.time()
    try:
        shutil.copyfile(args.seed, os.path.join(d, "hosts.json"))
        with open(os.path.join(d, "host_leases.json"), "w") as f:
            f.write("{}")
        with open(args.seed) as f:
            text = f.read()
        seeded = json.loads(text)
        # The seed is written by the C# side; it must be exactly what the reference itself would have written.
        seed_is_json_dump = json.dumps(seeded, indent=2) == text
        assert len(seeded) == args.size, (len(seeded), args.size)

        mgr, h = bench_py.make_mgr(d)
        print(f"[{args.size} hosts] {args.warmup} warm-up + {args.ops} ops of each kind ...", flush=True)
        samples, wrong = measure(mgr, args.size, args.ops, args.warmup)
        checks = check(d, args.size)
    finally:
        bench_py.cleanup_sems()
        shutil.rmtree(ROOT, ignore_errors=True)

    doc = {
        "size": args.size, "ops": args.ops, "warmup": args.warmup,
        "seed_bytes": len(text.encode()), "seed_is_python_json_dump_indent2": seed_is_json_dump,
        "samples_us": samples, "wrong_results": wrong, "checks": checks, "log_warn_err": h.counts,
        "wall_s": round(time.time() - t_start, 2), "stale_semaphores_removed_before_run": removed,
        "python": sys.version.split()[0],
    }
    with open(args.out, "w") as f:
        json.dump(doc, f)
    print(f"[{args.size} hosts] done in {doc['wall_s']} s", flush=True)


if __name__ == "__main__":
    main()
