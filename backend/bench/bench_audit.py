"""Audit trail: append overhead per event and chain verification rate, on MariaDB.

Run: cd backend && ../.venv/bin/python bench/bench_audit.py \
        [--url mysql+asyncmy://root@127.0.0.1:3306/helio_bench] [--appends 2000] \
        [--events 10000000] [--load-seconds 420]

Creates (drops first) the database named in --url, migrates it, then:
1. times `record()` (head lock, insert, head update) and the whole transaction, one writer,
   then 8 concurrent writers;
2. bulk-loads a valid chain (hashes computed in Python, rows inserted with executemany) until
   --events rows or --load-seconds, whichever comes first, and walks it with the verifier.
Prints a Markdown section; the verification rate is extrapolated to 10 million events only
when fewer were loaded (the walk is linear: keyset batches over the primary key).

`--verify-only` walks the chain already in --url again (no drop, no appends, no load), as
many times as `--repeat` says; `--workers N` makes the verifier split the chain across N
processes (default: the verifier chooses). Each walk prints its rate and each part's.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import platform
import statistics
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

from helio.audit import AuditAction, record
from helio.audit.chain import row_hash, stored_row_hash, stored_row_matches
from helio.audit.verify import VerifyResult, verify_chain
from helio.db import Database
from helio.kit.ids import new_id

DEFAULT_URL = "mysql+asyncmy://root@127.0.0.1:3306/helio_bench"
ACTIONS = (
    AuditAction.AUTH_SIGNED_IN,
    AuditAction.AUTH_MFA_CHECKED,
    AuditAction.CUSTOMER_VIEWED,
    AuditAction.SITE_UPDATED,
    AuditAction.QUOTE_CREATED,
)
CHUNK = 50_000
LOAD = (
    "LOAD DATA LOCAL INFILE %s INTO TABLE audit_events"
    " FIELDS TERMINATED BY '\\t' LINES TERMINATED BY '\\n'"
    " (seq, id, occurred_at, actor_id, actor_roles, session_id, action, resource_type,"
    " resource_id, outcome, reason, client_ip, user_agent, request_id, details, prev_hash, hash)"
)
# The walk reads the clustered primary key only; random inserts into the six secondary
# indexes (unique hash and id) would make a 10-million-row load disk-bound on a small
# buffer pool, so the bulk-loaded table keeps only its primary key.
SECONDARY_INDEXES = (
    "ix_audit_events_action", "ix_audit_events_actor_id", "ix_audit_events_occurred_at",
    "ix_audit_events_resource_id", "uq_audit_events_hash", "uq_audit_events_id",
)  # fmt: skip
MOVE_HEAD = "UPDATE audit_chain_head SET last_seq = %s, last_hash = %s WHERE chain = 'main'"


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def time_appends(db: Database, count: int) -> dict[str, float]:
    """Time one writer: the record() call and the whole transaction around it, in ms."""
    inner: list[float] = []
    outer: list[float] = []
    baseline: list[float] = []
    for index in range(count):
        started = time.perf_counter()
        async with db.transaction() as session:
            before = time.perf_counter()
            await record(session, None, ACTIONS[index % 5], actor_id=new_id(), details={"i": index})
            inner.append((time.perf_counter() - before) * 1000)
        outer.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        async with db.transaction():
            pass
        baseline.append((time.perf_counter() - started) * 1000)
    return {
        "record_p50": statistics.median(inner), "record_p99": _pct(inner, 0.99),
        "tx_p50": statistics.median(outer), "tx_p99": _pct(outer, 0.99),
        "empty_tx_p50": statistics.median(baseline),
    }  # fmt: skip


async def time_concurrent(db: Database, writers: int, per_writer: int) -> dict[str, float]:
    """Time `writers` concurrent writers; return latency percentiles (ms) and events/s."""
    latencies: list[float] = []

    async def writer() -> None:
        for index in range(per_writer):
            started = time.perf_counter()
            async with db.transaction() as session:
                await record(session, None, ACTIONS[index % 5], details={"i": index})
            latencies.append((time.perf_counter() - started) * 1000)

    started = time.perf_counter()
    await asyncio.gather(*(writer() for _ in range(writers)))
    elapsed = time.perf_counter() - started
    return {
        "p50": statistics.median(latencies), "p99": _pct(latencies, 0.99),
        "rate": writers * per_writer / elapsed,
    }  # fmt: skip


def _ids(count: int) -> list[str]:
    raw = os.urandom(16 * count).hex()
    return [raw[i : i + 32] for i in range(0, 32 * count, 32)]


def _chunk(seq: int, prev: str, count: int, path: Path) -> tuple[int, str]:
    """Write `count` chained rows after (seq, prev) as a TSV for LOAD DATA; return the new end."""
    base = datetime(2026, 1, 1)
    lines = []
    for _ in range(count):
        seq += 1
        event_id, actor, session_id, resource, request_id = _ids(5)
        values = [
            seq, event_id, base + timedelta(milliseconds=seq), actor, "support", session_id,
            ACTIONS[seq % 5], "account", resource, "success", None, f"198.51.100.{seq % 250}",
            "Mozilla/5.0 (bench)", request_id, {"changed": ["status"], "n": seq},
        ]  # fmt: skip
        digest = row_hash(prev, values)
        values[2] = values[2].isoformat(sep=" ", timespec="microseconds")
        values[10] = "\\N"
        values[14] = json.dumps(values[14], sort_keys=True)
        lines.append("\t".join(map(str, [*values, prev, digest])))
        prev = digest
    path.write_text("\n".join(lines) + "\n")
    return seq, prev


def _produce(directory: str, seq: int, prev: str, events: int, deadline: float, queue: Any) -> None:
    """Generate the chain in chunk files (a separate process: the database loads meanwhile)."""
    index = 0
    while events > 0 and time.time() < deadline:
        count = min(CHUNK, events)
        path = Path(directory) / f"chunk-{index}.tsv"
        seq, prev = _chunk(seq, prev, count, path)
        queue.put((str(path), seq, prev))
        events, index = events - count, index + 1
    queue.put(None)


def bulk_load(url: str, start_seq: int, prev: str, events: int, seconds: float) -> tuple[int, str]:
    """Append a valid chain after (start_seq, prev) until `events` rows or `seconds`."""
    context = multiprocessing.get_context("spawn")
    queue = context.Queue(maxsize=4)
    last = (start_seq, prev)
    with tempfile.TemporaryDirectory() as directory:
        args = (directory, start_seq, prev, events, time.time() + seconds, queue)
        producer = context.Process(target=_produce, args=args)
        producer.start()
        from mysql_harness import connect  # here: the verifier's processes re-import this module

        connection = connect(url, make_url(url).database)
        with connection.cursor() as cursor:
            drops = ", ".join(f"DROP INDEX {name}" for name in SECONDARY_INDEXES)
            cursor.execute(f"ALTER TABLE audit_events {drops}")
            while (item := queue.get()) is not None:
                path, seq, digest = item
                cursor.execute(LOAD, (path,))
                cursor.execute(MOVE_HEAD, (seq, digest))
                connection.commit()
                Path(path).unlink()
                last = (seq, digest)
        connection.close()
        producer.join()
    return last


def hashing_side_by_side(rows: int) -> tuple[float, float]:
    """Rows/s of the verifier's per-row check: canonical encoder only vs orjson first.

    Both loops check the same stored rows (as the driver returns them: `details` as JSON
    text) in one process, one after the other, twice; the best of each is kept.
    """
    base = datetime(2026, 1, 1)
    prev = "0" * 64
    stored = []
    for seq in range(1, rows + 1):
        event_id, actor, session_id, resource, request_id = _ids(5)
        values: list[Any] = [
            seq, event_id, base + timedelta(milliseconds=seq), actor, "support", session_id,
            ACTIONS[seq % 5], "account", resource, "success", None, f"198.51.100.{seq % 250}",
            "Mozilla/5.0 (bench)", request_id, {"changed": ["status"], "n": seq},
        ]  # fmt: skip
        digest = row_hash(prev, values)
        values[14] = json.dumps(values[14])
        stored.append((prev, values, digest))
        prev = digest
    best_exact = best_fast = 0.0
    for _ in range(2):
        started = time.perf_counter()
        for prev, values, digest in stored:
            if stored_row_hash(prev, values) != digest:
                raise SystemExit("the canonical encoder disagrees with the chain")
        best_exact = max(best_exact, rows / (time.perf_counter() - started))
        started = time.perf_counter()
        for prev, values, digest in stored:
            if not stored_row_matches(prev, values, digest):
                raise SystemExit("the orjson path disagrees with the chain")
        best_fast = max(best_fast, rows / (time.perf_counter() - started))
    return best_exact, best_fast


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--hash-rows", type=int, default=200_000)
    parser.add_argument("--hashing-only", action="store_true", help="skip the database parts")
    parser.add_argument("--url", default=DEFAULT_URL)
    parser.add_argument("--appends", type=int, default=2000)
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--load-seconds", type=float, default=420.0)
    parser.add_argument("--verify-only", action="store_true", help="walk the chain in --url")
    parser.add_argument("--repeat", type=int, default=1, help="walks with --verify-only")
    parser.add_argument("--workers", type=int, default=None, help="verifying processes")
    args = parser.parse_args()
    if args.verify_only:
        asyncio.run(verify_only(args))
        return
    exact, fast = hashing_side_by_side(args.hash_rows)
    print(f"Per-row check, {args.hash_rows:,} rows in one process: canonical encoder "
          f"{exact:,.0f} rows/s, orjson first {fast:,.0f} rows/s "
          f"({fast / exact:.2f}x).\n")  # fmt: skip
    if args.hashing_only:
        return
    from mysql_harness import fresh_database

    fresh_database(args.url)  # alembic runs its own event loop
    asyncio.run(run(args))


async def run(args: argparse.Namespace) -> None:
    """Measure appends, load the chain, verify it, print the report."""
    db = Database(args.url)
    single = await time_appends(db, args.appends)
    contended = await time_concurrent(db, 8, max(1, args.appends // 8))
    async with db.transaction() as session:
        from helio.audit.repository import read_head

        head_seq, head_hash = await read_head(session)
    started = time.perf_counter()
    last_seq, _ = bulk_load(
        args.url, head_seq, head_hash, args.events - head_seq, args.load_seconds
    )
    load_seconds = time.perf_counter() - started
    result = await _verify(db, args.workers)
    await db.dispose()
    rate = result.checked / result.seconds
    _report(args, single, contended, last_seq, load_seconds, result.ok, result.seconds, rate)


async def _verify(db: Database, workers: int | None) -> VerifyResult:
    """Walk the chain; print its rate, each part's, and the load average around it."""
    before = os.getloadavg()
    result = await (verify_chain(db) if workers is None else verify_chain(db, workers=workers))
    after = os.getloadavg()
    state = "intact" if result.ok else f"BROKEN {result.broken}"
    print(f"walk: {state}, {result.checked:,} events in {result.seconds:.1f} s = "
          f"{result.checked / result.seconds:,.0f} events/s; load average (1 min) "
          f"{before[0]:.2f} before, {after[0]:.2f} after")  # fmt: skip
    for part in getattr(result, "parts", []):
        rate = part["checked"] / part["seconds"] if part["seconds"] else 0.0
        print(f"  part {part['first']:,}..{part['last']:,}: {part['checked']:,} events in "
              f"{part['seconds']:.1f} s = {rate:,.0f} events/s")  # fmt: skip
    return result


async def verify_only(args: argparse.Namespace) -> None:
    """Walk the chain already loaded in --url, --repeat times."""
    db = Database(args.url)
    try:
        for _ in range(args.repeat):
            await _verify(db, args.workers)
    finally:
        await db.dispose()


def _report(
    args: argparse.Namespace, single: dict[str, float], contended: dict[str, float],
    events: int, load_seconds: float, ok: bool, verify_seconds: float, rate: float,
) -> None:  # fmt: skip
    print(f"## Audit trail ({platform.python_implementation()} {platform.python_version()}, "
          f"{platform.machine()}, MariaDB on the same host)\n")  # fmt: skip
    print("| measure | p50 | p99 |\n|---|---|---|")
    print(f"| `record()` (lock head, insert, move head), 1 writer | {single['record_p50']:.2f} ms "
          f"| {single['record_p99']:.2f} ms |")  # fmt: skip
    print(f"| transaction with one event, 1 writer | {single['tx_p50']:.2f} ms "
          f"| {single['tx_p99']:.2f} ms |")  # fmt: skip
    print(f"| empty transaction (baseline) | {single['empty_tx_p50']:.2f} ms | |")
    print(f"| transaction with one event, 8 concurrent writers | {contended['p50']:.2f} ms "
          f"| {contended['p99']:.2f} ms |")  # fmt: skip
    print(f"\nAppend throughput with 8 writers: {contended['rate']:,.0f} events/s "
          f"({args.appends} events per run).\n")  # fmt: skip
    print(f"Bulk-loaded chain (primary key only, see SECONDARY_INDEXES): {events:,} events in "
          f"{load_seconds:.0f} s "
          f"(target {args.events:,}, budget {args.load_seconds:.0f} s).\n")  # fmt: skip
    print(f"Verification: {'intact' if ok else 'BROKEN'}, {events:,} events in "
          f"{verify_seconds:.1f} s = **{rate:,.0f} events/s**.")  # fmt: skip
    if events < 10_000_000:
        print(f"Extrapolated to 10,000,000 events (linear walk): "
              f"{10_000_000 / rate / 60:.1f} min.")  # fmt: skip


if __name__ == "__main__":
    main()
