#!/usr/bin/env python3
"""Hold one of the spec's registry semaphores, as a Python process in the middle of a write does.

usage: hold_registry_lock.py LOCK_DIR LOCK_NAME      e.g. ... /tmp/x/locks tsim-hosts-registry

Takes the semaphore with the spec's own _LockManager, prints "HELD", waits for a line (or EOF) on
stdin, releases it and prints "RELEASED".
"""

import logging
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import registry_manager as rm  # noqa: E402


def main():
    lock_dir, lock_name = sys.argv[1], sys.argv[2]
    locks = rm._LockManager(lock_dir, logging.getLogger("tsim-hold"))
    if not locks.acquire(lock_name, 30.0):
        print("TIMEOUT", flush=True)
        return 1
    print("HELD", flush=True)
    sys.stdin.readline()
    locks.release(lock_name)
    print("RELEASED", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
