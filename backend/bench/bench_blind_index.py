"""Encrypted customers at scale: blind-index lookups, decryption cost and key rotations (MariaDB).

Run: cd backend && ../.venv/bin/python bench/bench_blind_index.py \
        [--url mysql+asyncmy://root@127.0.0.1:3306/helio_bench_pii] [--customers 1000000] \
        [--sample 5000] [--lookups 10000] [--workers 2]

Creates (drops first) two databases — `<name>` with --customers rows and `<name>_sample`
with --sample rows — each with its own keyring in a temporary directory, migrates them,
and bulk-loads customers exactly as the app stores them (per-customer data key wrapped by
the local KEK; email, name, phone and address sealed with AES-256-GCM bound to
table/column/row; email, phone and name-prefix blind indexes), in worker processes that
insert with executemany. Then it measures:
1. lookup by email via the blind index, p50/p99: the bare SQL round trip (pymysql) and the
   app's repository call (async SQLAlchemy + asyncmy), plus computing the candidates;
2. field-decryption overhead per full-profile read (4 fields), key cached and key unwrapped;
3. `rotate_kek` over every data key of the big database;
4. `rotate_data_keys` and `rotate_index` throughput on the sample.
Prints a Markdown table. The load is bounded by --customers; nothing leaves 127.0.0.1.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from mysql_harness import connect, fresh_database
from sqlalchemy.engine import make_url

from helio.auth.accounts import repository as accounts
from helio.auth.accounts.profiles import INDEX_NORMALISERS, name_prefix
from helio.config import Settings
from helio.keys_admin.checkpoint import CheckpointStore
from helio.keys_admin.rotation import rotate_data_keys, rotate_index, rotate_kek
from helio.keys_admin.run import RotationOptions
from helio.main import build_app
from helio.platform.app import App
from helio.security.blind_index import BlindIndexer
from helio.security.crypto import FieldCipher, data_key_context, new_data_key
from helio.security.keys.local import LocalKeyProvider
from helio.security.keys.types import WrappedKey

DEFAULT_URL = "mysql+asyncmy://root@127.0.0.1:3306/helio_bench_pii"
BATCH = 5000
USER_COLUMNS = (
    "id", "kind", "status", "email_ct", "email_bidx", "full_name_ct", "name_prefix_bidx",
    "phone_ct", "phone_bidx", "address_ct", "marketing_consent", "data_key_generation",
    "created_at",
)  # fmt: skip
KEY_COLUMNS = ("owner_id", "generation", "kek_id", "wrapped_key", "created_at")


def _insert(table: str, columns: tuple[str, ...]) -> str:
    # Constant table and column names from this file; values are bound parameters.
    names, marks = ", ".join(columns), ", ".join(["%s"] * len(columns))
    return f"INSERT INTO {table} ({names}) VALUES ({marks})"  # noqa: S608


def email_of(i: int) -> str:
    """Return customer i's email (known, so lookups can pick any customer)."""
    return f"Customer.{i}@Example.com"


class Sealer:
    """Builds the rows of one customer the way `accounts.service.create_account` stores them."""

    def __init__(self, keyring_path: Path) -> None:
        self.keys = LocalKeyProvider(keyring_path)
        self.indexer = BlindIndexer(self.keys, normalisers=INDEX_NORMALISERS)
        self.cipher = FieldCipher()

    def rows(self, i: int, now: datetime) -> tuple[tuple[Any, ...], tuple[Any, ...]]:
        """Return (users row, data_keys row) of customer i."""
        user_id = random.getrandbits(128).to_bytes(16, "big").hex()
        key = new_data_key()
        wrapped = self.keys.wrap(key, context=data_key_context(user_id, 1))
        name = f"Name{i} Surname{i % 9973}"
        phone = f"+1 415 {i // 10_000 % 1000:03d} {i % 10_000:04d}"
        address = json.dumps({"line1": f"{i} Main St", "city": "Springfield", "country": "US"})

        def seal(column: str, value: str) -> bytes:
            return self.cipher.encrypt(key, value, table="users", column=column, row_id=user_id)

        user = (
            user_id, "customer", "active", seal("email_ct", email_of(i)),
            self.indexer.index("email", email_of(i)), seal("full_name_ct", name),
            self.indexer.index("name_prefix", name_prefix(name)), seal("phone_ct", phone),
            self.indexer.index("phone", phone), seal("address_ct", address), 0, 1, now,
        )  # fmt: skip
        return user, (user_id, 1, wrapped.kek_id, wrapped.to_bytes(), now)


def load_chunk(args: tuple[str, Path, int, int]) -> int:
    """Generate and insert customers [start, stop) in batches; return how many."""
    url, keyring_path, start, stop = args
    sealer, now = Sealer(keyring_path), datetime.utcnow().replace(microsecond=0)
    connection = connect(url, make_url(url).database)
    with connection.cursor() as cursor:
        cursor.execute("SET SESSION unique_checks = 0")
        for low in range(start, stop, BATCH):
            rows = [sealer.rows(i, now) for i in range(low, min(low + BATCH, stop))]
            cursor.executemany(_insert("users", USER_COLUMNS), [u for u, _ in rows])
            cursor.executemany(_insert("data_keys", KEY_COLUMNS), [k for _, k in rows])
            connection.commit()
    connection.close()
    return stop - start


def load(url: str, keyring_path: Path, count: int, workers: int) -> float:
    """Bulk-load `count` customers with `workers` processes; return the seconds taken."""
    LocalKeyProvider(keyring_path)  # create the keyring once, before the workers read it
    step = max(BATCH, -(-count // (workers * 8)))
    chunks = [(url, keyring_path, s, min(s + step, count)) for s in range(0, count, step)]
    started = time.perf_counter()
    with multiprocessing.get_context("spawn").Pool(workers) as pool:
        loaded = sum(pool.imap_unordered(load_chunk, chunks))
    connection = connect(url, make_url(url).database)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE TABLE users, data_keys")
    connection.close()
    assert loaded == count
    return time.perf_counter() - started


def percentiles(samples: list[float]) -> tuple[float, float]:
    """Return (p50, p99) in milliseconds."""
    cuts = statistics.quantiles(samples, n=100)
    return cuts[49] * 1000, cuts[98] * 1000


def timed(call: Callable[[], Any], rounds: int) -> list[float]:
    """Time `call` `rounds` times."""
    out = []
    for _ in range(rounds):
        started = time.perf_counter()
        call()
        out.append(time.perf_counter() - started)
    return out


def bench_sql_lookups(url: str, indexer: BlindIndexer, count: int, total: int) -> dict[str, Any]:
    """Time `WHERE email_bidx IN (candidates)` over the bare driver."""
    picks = [random.randrange(total) for _ in range(count)]
    candidates = [indexer.lookup_candidates("email", email_of(i).upper()) for i in picks]
    index_cost = timed(lambda: indexer.lookup_candidates("email", email_of(7)), 2000)
    connection = connect(url, make_url(url).database)
    cursor = connection.cursor()
    found, durations = 0, []
    for candidate in candidates:
        marks = ", ".join(["%s"] * len(candidate))
        sql = f"SELECT id FROM users WHERE email_bidx IN ({marks})"  # noqa: S608 - placeholders
        started = time.perf_counter()
        cursor.execute(sql, candidate)
        found += len(cursor.fetchall())
        durations.append(time.perf_counter() - started)
    connection.close()
    assert found == count, "every picked customer must be found"
    return {"sql": percentiles(durations), "candidates": percentiles(index_cost)}


async def bench_app_lookups(app_state: App, count: int, total: int) -> tuple[float, float]:
    """Time the app's repository lookup (async SQLAlchemy session, asyncmy)."""
    durations = []
    for i in (random.randrange(total) for _ in range(count)):
        candidates = app_state.indexer.lookup_candidates("email", email_of(i))
        async with app_state.db.sessions() as session:
            started = time.perf_counter()
            user = await accounts.by_email_index(session, candidates)
            durations.append(time.perf_counter() - started)
        assert user is not None
    return percentiles(durations)


def bench_decryption(url: str, keyring_path: Path, rounds: int) -> dict[str, float]:
    """Return µs per full-profile decryption (4 fields), with the data key cached and unwrapped."""
    connection = connect(url, make_url(url).database)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT u.id, u.email_ct, u.full_name_ct, u.phone_ct, u.address_ct, k.wrapped_key "
            "FROM users u JOIN data_keys k ON k.owner_id = u.id LIMIT %s",
            (rounds,),
        )
        rows = cursor.fetchall()
    connection.close()
    keys, cipher = LocalKeyProvider(keyring_path), FieldCipher()
    columns = ("email_ct", "full_name_ct", "phone_ct", "address_ct")

    def unwrap(row: Any) -> bytes:
        return keys.unwrap(WrappedKey.from_bytes(row[5]), context=data_key_context(row[0], 1))

    def profile(row: Any, key: bytes) -> None:
        for column, value in zip(columns, row[1:5], strict=True):
            cipher.decrypt(key, value, table="users", column=column, row_id=row[0])

    plain_keys = [unwrap(row) for row in rows]
    started = time.perf_counter()
    for row, key in zip(rows, plain_keys, strict=True):
        profile(row, key)
    warm = (time.perf_counter() - started) / len(rows)
    started = time.perf_counter()
    for row in rows:
        profile(row, unwrap(row))
    cold = (time.perf_counter() - started) / len(rows)
    return {"warm_us": warm * 1e6, "cold_us": cold * 1e6}


def services_for(url: str, data_dir: Path) -> App:
    """Build the app on a bench database and its keyring."""
    settings = Settings(env="test", database_url=url, data_dir=data_dir, secret_key="b" * 48)
    return build_app(settings)


async def bench_rotations(big: App, sample: App, data_dirs: tuple[Path, Path]) -> dict[str, Any]:
    """Run rotate_kek on the big database, data-key and index rotation on the sample."""
    kek = await rotate_kek(
        big, options=RotationOptions(batch_size=2000, checkpoints=CheckpointStore(data_dirs[0]))
    )
    store = CheckpointStore(data_dirs[1])
    data = await rotate_data_keys(
        sample, options=RotationOptions(batch_size=200, checkpoints=store)
    )
    index = await rotate_index(sample, options=RotationOptions(batch_size=1000, checkpoints=store))
    return {"kek": kek, "data": data, "index": index}


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default=DEFAULT_URL)
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--sample", type=int, default=5000)
    parser.add_argument("--lookups", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    if not 1000 <= args.customers <= 2_000_000 or not 100 <= args.sample <= 100_000:
        parser.error("--customers must be 1,000..2,000,000 and --sample 100..100,000")
    return args


async def measure(args: argparse.Namespace, urls: tuple[str, str], dirs: tuple[Path, Path]) -> None:
    big, sample = services_for(urls[0], dirs[0]), services_for(urls[1], dirs[1])
    try:
        lookups = bench_sql_lookups(urls[0], big.indexer, args.lookups, args.customers)
        app = await bench_app_lookups(big, min(args.lookups, 5000), args.customers)
        crypto = bench_decryption(urls[0], big.settings.effective_keyring_path, 5000)
        rotations = await bench_rotations(big, sample, (dirs[0] / "rot", dirs[1] / "rot"))
    finally:
        await big.close()
        await sample.close()
    report(args, lookups, app, crypto, rotations)


def report(
    args: argparse.Namespace,
    lookups: dict[str, Any],
    app: tuple[float, float],
    crypto: dict[str, float],
    rotations: dict[str, Any],
) -> None:
    """Print the results as a Markdown table."""
    kek, data, index = rotations["kek"], rotations["data"], rotations["index"]
    sql, cand = lookups["sql"], lookups["candidates"]
    rows = [
        ("email lookup, SQL round trip p50 / p99", f"{sql[0]:.3f} / {sql[1]:.3f} ms", "p99 < 5 ms"),
        ("email lookup, app repository p50 / p99", f"{app[0]:.3f} / {app[1]:.3f} ms", "–"),
        ("computing lookup candidates p50 / p99", f"{cand[0]:.3f} / {cand[1]:.3f} ms", "–"),
        (
            "decrypt a full profile (4 fields), key cached",
            f"{crypto['warm_us']:.1f} µs",
            "< 200 µs",
        ),
        ("decrypt a full profile, KEK unwrap included", f"{crypto['cold_us']:.1f} µs", "–"),
        (f"rotate-kek, {kek.processed:,} data keys", _rate(kek, "keys"), "< 120 s"),
        (f"rotate-data-keys, {data.processed:,} owners", _rate(data, "owners"), "–"),
        (f"rotate-index, {index.processed:,} accounts", _rate(index, "rows"), "–"),
    ]
    print(f"\n| measure ({args.customers:,} customers) | result | goal |\n|---|---|---|")
    for name, result, goal in rows:
        print(f"| {name} | {result} | {goal} |")


def _rate(report: Any, unit: str) -> str:
    return f"{report.seconds:.1f} s ({report.processed / max(report.seconds, 1e-9):,.0f} {unit}/s)"


def main() -> None:
    args = parse()
    urls = (args.url, make_url(args.url).set(database=f"{make_url(args.url).database}_sample")
            .render_as_string(hide_password=False))  # fmt: skip
    dirs = (
        Path(tempfile.mkdtemp(prefix="helio-bench-")),
        Path(tempfile.mkdtemp(prefix="helio-bench-")),
    )
    for url in urls:
        fresh_database(url)
    seconds = load(urls[0], dirs[0] / "keyring.json", args.customers, args.workers)
    print(f"loaded {args.customers:,} customers in {seconds:.0f} s ({args.workers} workers)")
    load(urls[1], dirs[1] / "keyring.json", args.sample, args.workers)
    asyncio.run(measure(args, urls, dirs))


if __name__ == "__main__":
    main()
