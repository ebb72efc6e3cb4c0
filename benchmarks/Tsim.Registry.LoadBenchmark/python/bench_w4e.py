#!/usr/bin/env python3
"""W4e for the Python reference: bench_py's W4 with an (almost) empty critical section.

Started by `Tsim.Registry.LoadBenchmark` after bench_py.py, from the folder that also holds the vendored
registry_manager.py, posix_ipc.py and bench_py.py (this file only imports them; they stay unchanged).

4 forked processes x 2000 acquire/release cycles of one router. Inside the critical section there is no file I/O
(bench_py's W4 creates a marker file and rewrites a counter file, which costs more than the lock itself): each
holder checks and sets an owner word and increments a counter in one shared mapped page, so a second holder inside
the section (a violation) and lost updates are still detected. The C# side (W4e) does the same on its own page.

Like bench_py.py it uses the spec's GLOBAL semaphore names (/tsim-*): every /dev/shm/sem.tsim-* is unlinked
before and after, and its registry lives in /dev/shm/tsim-peer-bench-w4e, removed afterwards.

Usage: python3 bench_w4e.py [--quick] --out RESULT.json
"""

import argparse
import json
import mmap
import os
import shutil
import struct
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import bench_py  # noqa: E402  (make_mgr: the baseline's configuration; cleanup_sems; CTX)

ROOT = "/dev/shm/tsim-peer-bench-w4e"
PAGE = 4096


def _worker(d, k, cycles, barrier, q):
    mgr, h = bench_py.make_mgr(d)
    with open(os.path.join(d, "cs.page"), "r+b") as f:
        page = mmap.mmap(f.fileno(), PAGE)
    violations = timeouts = 0
    max_wait = 0.0
    job = f"job-{k}"
    barrier.wait()
    t0 = time.perf_counter()
    for _ in range(cycles):
        ta = time.perf_counter()
        if not mgr.acquire_router_lock("bench-w4e", job, timeout=30):
            timeouts += 1
            continue
        max_wait = max(max_wait, time.perf_counter() - ta)
        owner, count = struct.unpack_from("<iiq", page, 0)[0::2]
        if owner != 0:
            violations += 1
        struct.pack_into("<iiq", page, 0, k + 1, 0, count + 1)
        struct.pack_into("<i", page, 0, 0)
        mgr.release_router_lock("bench-w4e", job)
    q.put({"k": k, "violations": violations, "timeouts": timeouts,
           "elapsed": time.perf_counter() - t0, "max_wait": max_wait, "log": h.counts})


def w4e(scale):
    nproc, cycles = 4, 2000 // scale
    d = os.path.join(ROOT, "w4e")
    os.makedirs(d)
    with open(os.path.join(d, "cs.page"), "wb") as f:
        f.write(b"\0" * PAGE)
    barrier = bench_py.CTX.Barrier(nproc + 1)
    q = bench_py.CTX.Queue()
    ps = [bench_py.CTX.Process(target=_worker, args=(d, k, cycles, barrier, q)) for k in range(nproc)]
    for p in ps:
        p.start()
    barrier.wait()
    t0 = time.perf_counter()
    res = [q.get() for _ in ps]
    wall = time.perf_counter() - t0
    for p in ps:
        p.join()
    with open(os.path.join(d, "cs.page"), "rb") as f:
        final = struct.unpack_from("<q", f.read(16), 8)[0]
    done = nproc * cycles - sum(r["timeouts"] for r in res)
    return {
        "processes": nproc, "cycles_each": cycles, "wall_s": round(wall, 3),
        "cycles_per_s": round(done / wall, 1),
        "violations_marker": sum(r["violations"] for r in res),
        "counter_final": final, "counter_expected": done, "lost_updates": done - final,
        "acquire_timeouts": sum(r["timeouts"] for r in res),
        "max_acquire_wait_ms": round(max(r["max_wait"] for r in res) * 1e3, 3),
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    bench_py.cleanup_sems()
    shutil.rmtree(ROOT, ignore_errors=True)
    os.makedirs(ROOT)
    try:
        result = w4e(10 if args.quick else 1)
        print(f"[W4e] {json.dumps(result)}", flush=True)
    finally:
        bench_py.cleanup_sems()
        shutil.rmtree(ROOT, ignore_errors=True)
    with open(args.out, "w") as f:
        json.dump({"results": {"W4e": result}}, f)


if __name__ == "__main__":
    main()
