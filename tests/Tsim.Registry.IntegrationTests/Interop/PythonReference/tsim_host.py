#!/usr/bin/env python3
"""A tsim process on a tsim host: interop_client.py with the manager built the way tsim builds it.

usage: tsim_host.py CONFIG_JSON [--group GROUP] [--umask OCTAL] SUBCOMMAND ARGS...
       tsim_host.py CONFIG_JSON [--group GROUP] [--umask OCTAL] register-range START COUNT [--dup-every K] [--router R]

CONFIG_JSON is tsim's config.json: top-level data_dir, lock_dir and registry_files (of each entry only the
file name counts, joined with data_dir; a missing hosts entry is host_registry.json) and a registry_manager
section with lock_timeouts, retry_attempts, ... (its registry_dir and lock_dir are NOT read: tsim takes the
top-level keys). The subcommands and their output are interop_client.py's (global options such as
--lock-timeout KEY=SEC go before the subcommand and override the file's lock_timeouts); register-range is
register_range.py's storm (ready / go / done REGISTERED COLLISIONS).

What this process does as tsim does, around the unchanged reference registry_manager.py:
  * at start, creates data_dir and lock_dir and sets both to mode 2775 (and, with --group, to the group),
    ignoring failures (another user's directory cannot be changed; tsim carries on);
  * creates semaphores with mode 0660 (the umask applies: under umask 022 they end up 0640) and gives
    the ones it created to the group;
  * after every registry file write sets the file to mode 0660 and the group (ignoring failures).
--group is a group name or a numeric gid; --umask sets this process's umask first (e.g. 022 or 002).
"""

import grp
import json
import logging
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import interop_client  # noqa: E402
import posix_ipc  # noqa: E402
import register_range  # noqa: E402
import registry_manager as rm  # noqa: E402

DIRECTORY_MODE = 0o2775
FILE_MODE = 0o660
SEMAPHORE_MODE = 0o660


def group_id(group):
    if group is None:
        return None
    return int(group) if group.isdigit() else grp.getgrnam(group).gr_gid


def ignoring_failures(action, *args, **kwargs):
    try:
        action(*args, **kwargs)
    except OSError:
        pass


def share(path, mode, gid):
    """chgrp then chmod, as tsim does, ignoring failures (a file or directory of another user)."""
    if gid is not None:
        ignoring_failures(os.chown, path, -1, gid)
    ignoring_failures(os.chmod, path, mode)


def read_tsim_config(path):
    """tsim's reading of its config.json: the manager's config and the registry file names."""
    with open(path) as f:
        document = json.load(f)
    data_dir = document.get("data_dir", "/dev/shm/tsim")
    lock_dir = document.get("lock_dir", os.path.join(data_dir, "locks"))
    files = document.get("registry_files", {})
    names = {
        "HOSTS_REGISTRY": os.path.basename(files.get("hosts", "host_registry.json")),
        "HOST_LEASES_REGISTRY": os.path.basename(files.get("host_leases", "host_leases.json")),
        "NEIGHBOR_LEASES_REGISTRY": os.path.basename(files.get("neighbor_leases", "neighbor_leases.json")),
    }
    section = dict(document.get("registry_manager", {}))
    section["registry_dir"] = data_dir
    section["lock_dir"] = lock_dir
    return data_dir, lock_dir, names, {"registry_manager": section}


def install_tsim_behaviour(gid):
    """Semaphores created 0660 and handed to the group; registry files 0660 of the group after every write."""
    real_semaphore = posix_ipc.Semaphore

    class TsimSemaphore(real_semaphore):
        def __init__(self, name, flags=0, mode=0o600, initial_value=0):
            if not (flags & posix_ipc.O_CREAT) or (flags & posix_ipc.O_EXCL):
                super().__init__(name, flags, mode, initial_value)
                return
            # Open or create, knowing which: only a semaphore this process created is handed to the group.
            while True:
                try:
                    super().__init__(name, posix_ipc.O_CREX, SEMAPHORE_MODE, initial_value)
                    if gid is not None:
                        ignoring_failures(os.chown, "/dev/shm/sem." + name.lstrip("/"), -1, gid)
                    return
                except posix_ipc.ExistentialError:
                    pass
                try:
                    super().__init__(name, 0)
                    return
                except posix_ipc.ExistentialError:
                    continue  # Unlinked in between: create it.

    posix_ipc.Semaphore = TsimSemaphore

    real_write = rm._RegistryIO.atomic_write

    def atomic_write(self, file_name, data):
        real_write(self, file_name, data)
        share(str(self.registry_dir / file_name), FILE_MODE, gid)

    rm._RegistryIO.atomic_write = atomic_write


def main(argv):
    if len(argv) < 2:
        sys.exit(__doc__)
    config_path, rest = argv[0], list(argv[1:])
    group = None
    while rest and rest[0] in ("--group", "--umask"):
        option, value, rest = rest[0], rest[1], rest[2:]
        if option == "--group":
            group = value
        else:
            os.umask(int(value, 8))
    gid = group_id(group)

    data_dir, lock_dir, names, config = read_tsim_config(config_path)
    for directory in (data_dir, lock_dir):
        ignoring_failures(os.makedirs, directory, exist_ok=True)
        share(directory, DIRECTORY_MODE, gid)
    for attribute, file_name in names.items():
        setattr(rm.RegistryManager, attribute, file_name)
    install_tsim_behaviour(gid)

    logger = logging.getLogger("tsim-host")
    logger.addHandler(logging.StreamHandler(sys.stderr))
    logger.setLevel(logging.WARNING)
    logger.propagate = False

    def build_mgr(args):
        timeouts = dict(config["registry_manager"].get("lock_timeouts", {}))
        for kv in getattr(args, "timeout_kv", None) or []:
            key, _, seconds = kv.partition("=")
            timeouts[key] = float(seconds)
        return rm.RegistryManager({"registry_manager": dict(config["registry_manager"], lock_timeouts=timeouts)}, logger)

    interop_client.build_mgr = build_mgr
    if "register-range" in rest:
        return storm(rest, build_mgr)
    return interop_client.main(rest)


def storm(argv, build_mgr):
    import argparse

    ap = argparse.ArgumentParser(prog="tsim_host.py CONFIG register-range")
    ap.add_argument("--lock-timeout", dest="timeout_kv", action="append", metavar="KEY=SEC")
    ap.add_argument("cmd", choices=["register-range"])
    ap.add_argument("start", type=int)
    ap.add_argument("count", type=int)
    ap.add_argument("--dup-every", type=int, default=0)
    ap.add_argument("--router", default="r1")
    args = ap.parse_args(argv)
    return register_range.register_range(build_mgr(args), args.start, args.count, args.dup_every, args.router)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
