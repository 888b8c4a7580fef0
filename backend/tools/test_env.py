"""Print `export` lines for the test servers that answer on their default local ports.

Used by `make test`: tests run against MariaDB and Redis whenever they answer;
variables already set in the environment win. Under CI=true a missing server
is an error here, not a silent fallback.
"""

from __future__ import annotations

import os
import shlex
import socket
import sys

MYSQL = ("127.0.0.1", 3306, "mysql+asyncmy://root@127.0.0.1:3306/helio_test")
REDIS = ("127.0.0.1", 6379, "redis://127.0.0.1:6379/9")


def answers(host: str, port: int) -> bool:
    """True when a TCP connection to host:port succeeds within a second."""
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def main() -> int:
    """Print the export lines; exit 1 under CI when a server is missing."""
    ci = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
    missing = []
    for variable, (host, port, url) in (
        ("HELIO_TEST_DATABASE_URL", MYSQL),
        ("HELIO_TEST_REDIS_URL", REDIS),
    ):
        if os.environ.get(variable):
            print(f"export {variable}={shlex.quote(os.environ[variable])}")
        elif answers(host, port):
            print(f"export {variable}={shlex.quote(url)}")
        else:
            missing.append(f"{host}:{port}")
            print(
                f"echo 'note: nothing on {host}:{port}; those tests use the embedded default' >&2"
            )
    if ci and missing:
        print(f"CI=true but no server answers on {', '.join(missing)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
