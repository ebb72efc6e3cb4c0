#!/usr/bin/env python3
"""Python twin of the TestWorker's `register-range`, for the mixed registration storm.

usage: register_range.py --registry-dir DIR [--lock-timeout KEY=SEC]... START COUNT [--dup-every K] [--router R]

Registers h<i> for every i in [START, START+COUNT) with the addresses of the worker's HostAddresses
(10.a.b.c from the low 24 bits of i, MAC 02:00:00:a:b:c). With K, every i divisible by K also tries
x<i> (same IP, MAC 06:00:00:a:b:c), x<i> first when (i // K) is odd: exactly one of the two can win.
Prints "ready", starts on the stdin line "go", prints "done REGISTERED COLLISIONS".
"""

import argparse
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import interop_client  # noqa: E402


def ip(i):
    return f"10.{(i >> 16) & 0xFF}.{(i >> 8) & 0xFF}.{i & 0xFF}"


def mac(first, i):
    return f"{first:02x}:00:00:{(i >> 16) & 0xFF:02x}:{(i >> 8) & 0xFF:02x}:{i & 0xFF:02x}"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--registry-dir", required=True)
    ap.add_argument("--lock-dir", default=None)
    ap.add_argument("--lock-timeout", dest="timeout_kv", action="append", metavar="KEY=SEC")
    ap.add_argument("start", type=int)
    ap.add_argument("count", type=int)
    ap.add_argument("--dup-every", type=int, default=0)
    ap.add_argument("--router", default="r1")
    args = ap.parse_args()
    args.txlog = None
    args.verbose = False
    return register_range(interop_client.build_mgr(args), args.start, args.count, args.dup_every, args.router)


def register_range(m, start, count, dup_every, router):
    """The storm on manager m: "ready", wait for "go", register, "done REGISTERED COLLISIONS" (tsim_host.py reuses it)."""
    interop_client.out("ready")
    if sys.stdin.readline().strip() != "go":
        sys.exit("expected 'go' on stdin")

    registered = collisions = 0

    def count_result(ok):
        nonlocal registered, collisions
        if ok:
            registered += 1
        else:
            collisions += 1

    for i in range(start, start + count):
        duplicate = dup_every > 0 and i % dup_every == 0
        duplicate_first = duplicate and (i // dup_every) % 2 == 1
        if duplicate_first:
            count_result(m.check_and_register_host(f"x{i}", ip(i), router, mac(0x06, i)))
        count_result(m.check_and_register_host(f"h{i}", ip(i), router, mac(0x02, i)))
        if duplicate and not duplicate_first:
            count_result(m.check_and_register_host(f"x{i}", ip(i), router, mac(0x06, i)))

    interop_client.out("done", registered, collisions)
    return 0


if __name__ == "__main__":
    sys.exit(main())
