"""Argon2id throughput at Helio's parameters, single-thread and through the bounded pool.

Run: cd backend && ../.venv/bin/python bench/bench_argon2.py [--seconds 4]
Prints a Markdown table; the whole run is bounded (~5 phases of --seconds each).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time

from argon2 import PasswordHasher, Type

from helio.auth.login import passwords
from helio.auth.login.passwords import DEFAULT_CONFIG, PasswordHashingBusy, configure


def single_thread(seconds: float) -> tuple[float, float]:
    """Return (hashes per second, ms per hash) of plain synchronous hashing."""
    d = DEFAULT_CONFIG
    hasher = PasswordHasher(d.time_cost, d.memory_cost, d.parallelism, 32, 16, type=Type.ID)
    count, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        hasher.hash("bench password")
        count += 1
    elapsed = time.perf_counter() - start
    return count / elapsed, elapsed / count * 1000


async def _ticker(stop: asyncio.Event, lags: list[float]) -> None:
    """Measure how late a 5 ms timer fires: the event loop's responsiveness."""
    while not stop.is_set():
        start = time.perf_counter()
        await asyncio.sleep(0.005)
        lags.append((time.perf_counter() - start - 0.005) * 1000)


async def through_pool(workers: int, seconds: float) -> tuple[float, float, float, float]:
    """Return (hashes/s, p50 latency ms, loop lag p99 ms, loop lag max ms) with N workers."""
    configure(max_workers=workers, max_pending=4 * workers)
    latencies: list[float] = []
    stop, lags = asyncio.Event(), list[float]()

    async def client() -> None:
        while not stop.is_set():
            start = time.perf_counter()
            await passwords.hash_password("bench password")
            latencies.append((time.perf_counter() - start) * 1000)

    ticker = asyncio.create_task(_ticker(stop, lags))
    clients = [asyncio.create_task(client()) for _ in range(4 * workers)]
    start = time.perf_counter()
    await asyncio.sleep(seconds)
    stop.set()
    await asyncio.gather(ticker, *clients)
    elapsed = time.perf_counter() - start
    p99 = statistics.quantiles(lags, n=100)[98]
    return len(latencies) / elapsed, statistics.median(latencies), p99, max(lags)


async def flood(requests: int) -> tuple[int, int, float]:
    """Fire a burst at the production pool size; return (served, refused, seconds)."""
    configure(max_workers=DEFAULT_CONFIG.max_workers, max_pending=DEFAULT_CONFIG.max_pending)
    start = time.perf_counter()
    results = await asyncio.gather(
        *(passwords.verify_dummy("guess") for _ in range(requests)), return_exceptions=True
    )
    refused = sum(isinstance(r, PasswordHashingBusy) for r in results)
    return requests - refused, refused, time.perf_counter() - start


async def main(seconds: float) -> None:
    d = DEFAULT_CONFIG
    print(f"Argon2id m={d.memory_cost} KiB, t={d.time_cost}, p={d.parallelism}\n")
    print(
        "| mode | workers | hashes/s | latency p50 (ms) | loop lag p99 (ms) | loop lag max (ms) |"
    )
    print("|---|---|---|---|---|---|")
    rate, per_hash = single_thread(seconds)
    print(f"| single thread, no pool | 1 | {rate:.1f} | {per_hash:.1f} | - | - |")
    for workers in (1, 2, 4):
        rate, p50, p99, worst = await through_pool(workers, seconds)
        print(
            f"| bounded pool, {4 * workers} concurrent clients | {workers} | {rate:.1f} "
            f"| {p50:.1f} | {p99:.2f} | {worst:.2f} |"
        )
    served, refused, took = await flood(500)
    print(
        f"\nBurst of 500 unknown-user logins at the default pool (workers={d.max_workers}, "
        f"max_pending={d.max_pending}): {served} served, {refused} refused with 503 "
        f"auth_busy, in {took:.2f} s."
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=3.5, help="duration of each phase")
    asyncio.run(main(parser.parse_args().seconds))
