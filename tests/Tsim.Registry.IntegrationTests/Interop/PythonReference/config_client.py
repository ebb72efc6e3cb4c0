#!/usr/bin/env python3
"""interop_client.py with the manager built from the specification's configuration JSON file.

usage: config_client.py CONFIG_FILE SUBCOMMAND ARGS...   (the subcommands and output of interop_client.py)

The manager is RegistryManager(json.load(CONFIG_FILE)), exactly as a Python job runner builds it, so
registry_dir, lock_dir, lock_timeouts and the transaction log all come from the file.
"""

import json
import logging
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import interop_client  # noqa: E402
import registry_manager as rm  # noqa: E402


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    with open(sys.argv[1]) as f:
        config = json.load(f)
    logger = logging.getLogger("tsim-interop-config")
    logger.addHandler(logging.StreamHandler(sys.stderr))
    logger.setLevel(logging.WARNING)
    logger.propagate = False
    interop_client.build_mgr = lambda _args: rm.RegistryManager(config, logger)
    return interop_client.main(sys.argv[2:])


if __name__ == "__main__":
    sys.exit(main())
