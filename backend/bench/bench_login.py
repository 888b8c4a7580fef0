"""Sustained sign-ins/s through the API against the Argon2id ceiling, and read latency meanwhile.

Run: cd backend && ../.venv/bin/python bench/bench_login.py [--seconds 15] [--concurrency 8]
  [--users 100] [--database-url mysql+asyncmy://root@127.0.0.1:3306/helio_bench]
  [--redis-url redis://127.0.0.1:6379/5]
Without --database-url it uses a fresh SQLite file in a temporary directory; a MySQL URL must
name an existing database (it is migrated to head). Three measures, all bounded in time:
1. the hashing ceiling: Argon2id verifications/s in this process, through the same bounded
   pool the API uses (nothing else running);
2. successful cookie sign-ins/s through uvicorn on 127.0.0.1 (`POST /api/v1/auth/login`),
   and their ratio to the ceiling (goal: at least 80 %);
3. during that flood, the latency of authenticated reads (`GET /api/v1/auth/sessions`) with a
   bearer token and with a session cookie (goal: p99 under 100 ms).
The load generator shares the machine with the server, so the ratio is a floor.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import random
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
from api_harness import (
    PASSWORD,
    create_customers,
    environment,
    free_port,
    migrate,
    percentile,
    server,
    wait_ready,
)

from helio.auth.login.passwords import current_config, hash_password, verify_password

SESSIONS = "/api/v1/auth/sessions"


async def _ceiling(seconds: float, concurrency: int) -> float:
    """Argon2id verifications/s through the bounded pool, with nothing else running."""
    stored = await hash_password(PASSWORD)
    done = 0
    deadline = time.perf_counter() + seconds

    async def worker() -> None:
        nonlocal done
        while time.perf_counter() < deadline:
            await verify_password(stored, PASSWORD)
            done += 1

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return done / (time.perf_counter() - started)


class Flood:
    """Sign-in workers until the deadline; two readers probing alongside."""

    def __init__(self, base_url: str, emails: list[str]) -> None:
        self.base_url = base_url
        self.emails = emails
        self.logins: list[float] = []
        self.statuses: Counter[int] = Counter()
        self.reads: dict[str, list[float]] = {"bearer": [], "cookie": []}

    async def signer(self, deadline: float) -> None:
        async with httpx.AsyncClient(base_url=self.base_url, timeout=60) as http:
            while time.perf_counter() < deadline:
                body = {"email": random.choice(self.emails), "password": PASSWORD}
                start = time.perf_counter()
                answer = await http.post("/api/v1/auth/login", json=body)
                self.logins.append((time.perf_counter() - start) * 1000)
                self.statuses[answer.status_code] += 1
                http.cookies.clear()

    async def reader(self, label: str, http: httpx.AsyncClient, deadline: float) -> None:
        while time.perf_counter() < deadline:
            start = time.perf_counter()
            answer = await http.get(SESSIONS)
            self.reads[label].append((time.perf_counter() - start) * 1000)
            if answer.status_code != 200:
                raise SystemExit(f"authenticated read failed: {answer.status_code}")
            await asyncio.sleep(0.02)


async def _readers(base_url: str, email: str) -> tuple[httpx.AsyncClient, httpx.AsyncClient]:
    body = {"email": email, "password": PASSWORD}
    cookie = httpx.AsyncClient(base_url=base_url, timeout=60)
    (await cookie.post("/api/v1/auth/login", json=body)).raise_for_status()
    grant = await cookie.post("/api/v1/auth/token", json={"grant_type": "password", **body})
    grant.raise_for_status()
    headers = {"Authorization": f"Bearer {grant.json()['access_token']}"}
    return httpx.AsyncClient(base_url=base_url, timeout=60, headers=headers), cookie


async def _run(args: argparse.Namespace) -> dict[str, Any]:
    ceiling = await _ceiling(args.ceiling_seconds, args.concurrency)
    with tempfile.TemporaryDirectory(prefix="helio-bench-") as tmp:
        port = free_port()
        env = environment(Path(tmp), args, port)
        await migrate(env)
        emails = await create_customers(env, args.users)
        base_url = f"http://127.0.0.1:{port}"
        with server(env, port, args.server_log):
            async with httpx.AsyncClient(base_url=base_url, timeout=60) as http:
                await wait_ready(http)
            bearer, cookie = await _readers(base_url, emails[0])
            flood = Flood(base_url, emails)
            started = time.perf_counter()
            deadline = started + args.seconds
            await asyncio.gather(
                flood.reader("bearer", bearer, deadline),
                flood.reader("cookie", cookie, deadline),
                *(flood.signer(deadline) for _ in range(args.concurrency)),
            )
            elapsed = time.perf_counter() - started
            await bearer.aclose()
            await cookie.aclose()
    return {"ceiling": ceiling, "elapsed": elapsed, "flood": flood}


def _table(args: argparse.Namespace, result: dict[str, Any]) -> list[str]:
    flood: Flood = result["flood"]
    ceiling = result["ceiling"]
    rate = flood.statuses.get(200, 0) / result["elapsed"]
    config = current_config()
    logins = flood.logins
    lines = [
        f"machine: {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}",
        f"Argon2id m={config.memory_cost} KiB t={config.time_cost} p={config.parallelism}, "
        f"{config.max_workers} workers; database: {args.database_url or 'SQLite'}; "
        f"shared state: {args.redis_url or 'in-process'}; concurrency {args.concurrency}",
        "",
        "| measure | value |",
        "|---|---|",
        f"| hashing ceiling (verifications/s) | {ceiling:.1f} |",
        f"| sign-ins/s through the API | {rate:.1f} ({rate / ceiling:.0%} of ceiling) |",
        f"| sign-in latency p50 / p99 (ms) | {percentile(logins, 0.5):.0f} / "
        f"{percentile(logins, 0.99):.0f} |",
    ]
    for label, samples in flood.reads.items():
        lines.append(
            f"| GET /auth/sessions ({label}) p50 / p99 (ms) during the flood | "
            f"{percentile(samples, 0.5):.1f} / {percentile(samples, 0.99):.1f} |"
        )
    lines.append(f"| statuses | {dict(sorted(flood.statuses.items()))} |")
    return lines


def main() -> None:
    """Run the benchmark and print a Markdown table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--ceiling-seconds", type=float, default=5.0)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--redis-url", default="")
    parser.add_argument("--server-log", type=Path, default=None, help="keep the server's log")
    args = parser.parse_args()
    result = asyncio.run(_run(args))
    print("\n".join(_table(args, result)))


if __name__ == "__main__":
    main()
