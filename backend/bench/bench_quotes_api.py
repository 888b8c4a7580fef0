"""Quotes/s through the whole API: uvicorn on 127.0.0.1, bearer customers, POST /quotes.

Run: cd backend && ../.venv/bin/python bench/bench_quotes_api.py [--seconds 10] [--concurrency 8]
  [--customers 8] [--database-url mysql+asyncmy://root@127.0.0.1:3306/helio_bench]
  [--redis-url redis://127.0.0.1:6379/5]
Without --database-url it uses a fresh SQLite file in a temporary directory; a MySQL URL must
name an existing database (it is migrated to head). Bounded: the load
lasts --seconds, each customer may compute at most HELIO_QUOTE_DAILY_LIMIT (set to 1000 here)
quotes, and the server is stopped at the end. Prints a Markdown table, including the latency
of GET /healthz measured during the load (the event loop must stay responsive).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import statistics
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import pvlib
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

DAILY_LIMIT = 1000
SITE = {
    "label": "Bench",
    "address": {"line1": "1 Bench Street", "city": "Phoenix", "postal_code": "85001",
                "country": "US"},
    "latitude": 33.45, "longitude": -112.07, "timezone": "America/Phoenix",
    "roof_planes": [{"area_m2": 30, "tilt_deg": 25, "azimuth_deg": 180},
                    {"area_m2": 20, "tilt_deg": 25, "azimuth_deg": 270, "shading_loss_pct": 10}],
    "tariff": {"price_per_kwh": "0.14", "currency": "USD", "escalation_pct": 2.5},
}  # fmt: skip
USAGE = {"monthly_kwh": [900, 800, 850, 950, 1200, 1600, 1900, 1850, 1500, 1100, 850, 900]}


async def _prepare(http: httpx.AsyncClient, email: str) -> tuple[dict[str, str], str]:
    grant = {"grant_type": "password", "email": email, "password": PASSWORD}
    answer = await http.post("/api/v1/auth/token", json=grant)
    answer.raise_for_status()
    headers = {"Authorization": f"Bearer {answer.json()['access_token']}"}
    site = await http.post("/api/v1/sites", json=SITE, headers=headers)
    site.raise_for_status()
    site_id = str(site.json()["id"])
    usage = await http.put(f"/api/v1/sites/{site_id}/usage", json=USAGE, headers=headers)
    usage.raise_for_status()
    warm = await http.post("/api/v1/quotes", json={"site_id": site_id}, headers=headers)
    warm.raise_for_status()
    return headers, site_id


class Load:
    """Workers posting quotes until the deadline; a health probe alongside."""

    def __init__(self, http: httpx.AsyncClient, callers: list[tuple[dict[str, str], str]]) -> None:
        self.http = http
        self.callers = callers
        self.latencies: list[float] = []
        self.health: list[float] = []
        self.statuses: Counter[int] = Counter()

    async def worker(self, index: int, deadline: float) -> None:
        headers, site_id = self.callers[index % len(self.callers)]
        while time.perf_counter() < deadline:
            start = time.perf_counter()
            answer = await self.http.post(
                "/api/v1/quotes", json={"site_id": site_id}, headers=headers
            )
            self.latencies.append((time.perf_counter() - start) * 1000)
            self.statuses[answer.status_code] += 1
            if answer.status_code == 429 and answer.json()["error"]["code"] == "quote_quota":
                return

    async def probe(self, deadline: float) -> None:
        while time.perf_counter() < deadline:
            start = time.perf_counter()
            await self.http.get("/healthz")
            self.health.append((time.perf_counter() - start) * 1000)
            await asyncio.sleep(0.05)


async def _run(args: argparse.Namespace) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="helio-bench-") as tmp:
        port = free_port()
        env = environment(Path(tmp), args, port, HELIO_QUOTE_DAILY_LIMIT=str(DAILY_LIMIT))
        await migrate(env)
        emails = await create_customers(env, args.customers)
        with server(env, port):
            limits = httpx.Limits(max_connections=args.concurrency + 2)
            async with httpx.AsyncClient(
                base_url=f"http://127.0.0.1:{port}", timeout=60, limits=limits
            ) as http:
                await wait_ready(http)
                callers = [await _prepare(http, email) for email in emails]
                load = Load(http, callers)
                started = time.perf_counter()
                deadline = started + args.seconds
                await asyncio.gather(
                    load.probe(deadline),
                    *(load.worker(i, deadline) for i in range(args.concurrency)),
                )
                elapsed = time.perf_counter() - started
    created = load.statuses.get(201, 0)
    return {"load": load, "elapsed": elapsed, "created": created}


def main() -> None:
    """Run the load and print a Markdown table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=10.0, help="duration of the load")
    parser.add_argument("--concurrency", type=int, default=8, help="requests in flight")
    parser.add_argument("--customers", type=int, default=8, help="customers sharing the load")
    parser.add_argument("--database-url", default="", help="default: a temporary SQLite file")
    parser.add_argument("--redis-url", default="", help="default: in-process state")
    args = parser.parse_args()
    outcome = asyncio.run(_run(args))
    load: Load = outcome["load"]
    database = (args.database_url or "sqlite").split(":", 1)[0]
    print(
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, pvlib {pvlib.__version__}; one uvicorn process, "
        f"{database}, {'Redis' if args.redis_url else 'in-process state'}"
    )
    print()
    print("| concurrency | quotes | quotes/s | p50 ms | p95 ms | p99 ms | statuses | "
          "/healthz p95 ms |")  # fmt: skip
    print("|---:|---:|---:|---:|---:|---:|---|---:|")
    statuses = ", ".join(f"{code}: {n}" for code, n in sorted(load.statuses.items()))
    print(
        f"| {args.concurrency} | {outcome['created']} | "
        f"{outcome['created'] / outcome['elapsed']:.1f} | "
        f"{statistics.median(load.latencies):.1f} | {percentile(load.latencies, 0.95):.1f} | "
        f"{percentile(load.latencies, 0.99):.1f} | {statuses} | "
        f"{percentile(load.health, 0.95):.1f} |"
    )


if __name__ == "__main__":
    main()
