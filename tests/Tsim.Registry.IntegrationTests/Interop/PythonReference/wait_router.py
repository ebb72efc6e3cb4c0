#!/usr/bin/env python3
"""Python's wait_for_router with timestamps, so a test can order it against a release in another process.

usage: wait_router.py --registry-dir DIR ROUTER [--timeout S]

Prints "WAITING <mono_ns>" right before calling RegistryManager.wait_for_router, then
"FREE <mono_ns> <elapsed_s>" or "TIMEOUT <mono_ns> <elapsed_s>" (exit 1) right after it returns.
<mono_ns> is time.monotonic_ns(), the clock of .NET's Stopwatch.GetTimestamp() on Linux.
"""

import argparse
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import interop_client  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--registry-dir", required=True)
    ap.add_argument("--lock-dir", default=None)
    ap.add_argument("router")
    ap.add_argument("--timeout", type=float, default=30.0)
    args = ap.parse_args()
    args.timeout_kv = None
    args.txlog = None
    args.verbose = False
    m = interop_client.build_mgr(args)

    t0 = time.monotonic_ns()
    interop_client.out("WAITING", t0)
    ok = m.wait_for_router(args.router, timeout=args.timeout)
    t1 = time.monotonic_ns()
    interop_client.out("FREE" if ok else "TIMEOUT", t1, round((t1 - t0) / 1e9, 6))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
