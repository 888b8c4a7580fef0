"""What the API benchmarks share: a migrated temporary deployment, its accounts, its server.

Imported by bench_login.py and bench_quotes_api.py (run as scripts from backend/).
Everything binds to 127.0.0.1 only and is torn down at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

import httpx

from helio.auth.accounts.profiles import create_account
from helio.auth.login.passwords import hash_password
from helio.authz.matrix import Role
from helio.config import Settings
from helio.kit.clock import utcnow
from helio.main import build_app

BACKEND = Path(__file__).resolve().parents[1]
# Generated per run: the synthetic accounts live only as long as the benchmark.
PASSWORD = "bench-" + secrets.token_urlsafe(18)


def free_port() -> int:
    """Return a free TCP port on 127.0.0.1."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def environment(
    data_dir: Path, args: argparse.Namespace, port: int, **extra: str
) -> dict[str, str]:
    """Return the server's environment: this machine's, minus any HELIO_* of the caller."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("HELIO_")}
    env.update(
        HELIO_ENV="development",
        HELIO_DATA_DIR=str(data_dir),
        HELIO_PUBLIC_URL=f"http://127.0.0.1:{port}",
        HELIO_SECRET_KEY=secrets.token_urlsafe(48),
        **extra,
    )
    if args.database_url:
        env["HELIO_DATABASE_URL"] = args.database_url
    if args.redis_url:
        env["HELIO_REDIS_URL"] = args.redis_url
    return env


async def migrate(env: dict[str, str]) -> None:
    """Migrate the benchmark database to head."""
    command = [sys.executable, "-m", "helio.cli", "migrate"]
    await asyncio.to_thread(subprocess.run, command, cwd=BACKEND, env=env, check=True)


async def create_customers(env: dict[str, str], count: int) -> list[str]:
    """Create verified customers with PASSWORD; return their emails."""
    settings = Settings(
        env="development",
        data_dir=Path(env["HELIO_DATA_DIR"]),
        database_url=env.get("HELIO_DATABASE_URL", ""),
        redis_url=env.get("HELIO_REDIS_URL"),
    )
    app_state = build_app(settings)
    hashed = await hash_password(PASSWORD)
    emails = [f"bench.{secrets.token_hex(4)}@example.org" for _ in range(count)]
    async with app_state.db.transaction() as session:
        for email in emails:
            user = await create_account(
                session, app_state, kind="customer", email=email, full_name="Bench Customer",
                password_hash=hashed, roles=[Role.CUSTOMER],
            )  # fmt: skip
            user.email_verified_at = utcnow()
    await app_state.close()
    return emails


@contextmanager
def server(
    env: dict[str, str], port: int, log: Path | None = None
) -> Iterator[subprocess.Popen[bytes]]:
    """Run one uvicorn on 127.0.0.1:port; its JSON log goes to `log`, else nowhere."""
    command = [sys.executable, "-m", "uvicorn", "helio.main:create_app", "--factory",
               "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning",
               "--no-access-log"]  # fmt: skip
    sink: IO[bytes] | int = open(log, "ab") if log else subprocess.DEVNULL  # noqa: SIM115
    process = subprocess.Popen(command, cwd=BACKEND, env=env, stdout=sink)
    try:
        yield process
    finally:
        if not isinstance(sink, int):
            sink.close()
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


async def wait_ready(http: httpx.AsyncClient, within: float = 60) -> None:
    """Wait until /healthz answers 200."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            if (await http.get("/healthz")).status_code == 200:
                return
        except httpx.TransportError:
            pass
        await asyncio.sleep(0.2)
    raise SystemExit("the API did not become ready in time")


def percentile(samples: list[float], fraction: float) -> float:
    """Return the sample at `fraction` of the sorted list (0 for no samples)."""
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))] if ordered else 0.0
