#!/usr/bin/env python3
"""Python twin of the TestWorker's `lock-loop` / `lock-all-loop`: take routers N times, prove exclusion.

usage: lock_loop.py --registry-dir DIR R1[,R2,...] N --marker-dir DIR

Each iteration takes every listed router (one router: acquire_router_lock; several:
acquire_all_router_locks_atomic, sorted, all or nothing), creates DIR/<router>.marker with O_EXCL for
each of them (the file already existing means someone else is inside at the same time: an overlap),
deletes the markers it created, and releases. Prints "ready", starts on the stdin line "go", prints
"done OVERLAPS ITERATIONS", or "timeout I" (exit 1) when a lock was not granted within 60 s.
"""

import argparse
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import interop_client  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--registry-dir", required=True)
    ap.add_argument("--lock-dir", default=None)
    ap.add_argument("--lock-timeout", dest="timeout_kv", action="append", metavar="KEY=SEC")
    ap.add_argument("routers")
    ap.add_argument("iterations", type=int)
    ap.add_argument("--marker-dir", required=True)
    args = ap.parse_args()
    args.txlog = None
    args.verbose = False
    m = interop_client.build_mgr(args)
    routers = [r for r in args.routers.split(",") if r]
    markers = [os.path.join(args.marker_dir, r + ".marker") for r in routers]
    job = f"pyloop-{os.getpid()}"

    interop_client.out("ready")
    if sys.stdin.readline().strip() != "go":
        sys.exit("expected 'go' on stdin")

    overlaps = 0
    for i in range(args.iterations):
        if len(routers) == 1:
            ok = m.acquire_router_lock(routers[0], job, timeout=60.0)
        else:
            ok = m.acquire_all_router_locks_atomic(routers, job, timeout=60.0)
        if not ok:
            interop_client.out("timeout", i)
            return 1
        created = []
        for marker in markers:
            try:
                os.close(os.open(marker, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
                created.append(marker)
            except FileExistsError:
                overlaps += 1  # someone else is inside; the marker is theirs to delete
        for marker in created:
            os.unlink(marker)
        m.release_all_router_locks(routers, job)

    interop_client.out("done", overlaps, args.iterations)
    return 0


if __name__ == "__main__":
    sys.exit(main())
