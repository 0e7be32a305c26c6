"""The `tashkent` program: hand the command to the resident worker if one serves this environment
(`tashkent.resident`), else run it in this process and, in a terminal, leave a worker for the next
command. Imports only the standard library until it knows which."""

from __future__ import annotations

import sys


def main() -> None:
    from tashkent.resident import client

    argv = sys.argv[1:]
    try:
        client.setting()
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(2)
    try:
        code = client.handover(argv)
    except KeyboardInterrupt:  # Ctrl-C before the worker took the command
        print("interrupted", file=sys.stderr)
        sys.exit(130)
    if code is not None:
        sys.exit(code)
    from tashkent.cli import main as run

    try:
        run(argv)
    finally:
        client.start_after(argv)
