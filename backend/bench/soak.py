"""A soak run: the API and the worker under a realistic mix at 70 % of measured capacity.

Run: cd backend && ../.venv/bin/python bench/soak.py [--minutes 10] [--fraction 0.7]
  [--capacity-seconds 60] [--clients 16] [--in-flight 64] [--customers 120]
  [--mysql-url mysql+asyncmy://root@127.0.0.1:3306] [--redis-url redis://127.0.0.1:6379/13]
Not part of CI (it lasts over ten minutes). What it does, all on 127.0.0.1:
1. makes a database `helio_soak_<random>` on the MariaDB server (dropped at the end) and uses
   the given Redis database, which must be empty (it is emptied again at the end);
2. starts one uvicorn process, one `helio worker` and a mail sink, as `make run` does, and
   creates customers and one support member, all with TOTP, plus stored quotes to order from;
3. measures capacity: closed-loop clients (--clients) run the mix for --capacity-seconds, and
   the completed operations per second are the capacity (this phase is also the warm-up);
4. soaks: operations start at --fraction of that rate (open loop, a fixed schedule) for
   --minutes, whether or not earlier ones have finished (as users arrive), up to --in-flight
   at once; an operation due while --in-flight are still running counts as shed (an error).
The mix (weights): reads of /me, sites, quotes, orders and sessions (60), sign-ins with a
second factor (4; a customer also signs in again whenever its 5-minute access token is about to
expire), a computed quote (6), usage updates (4), orders placed (10), workflow steps by support
(12), roof-photo uploads of ~250 KB (4). Clients come from many addresses through a trusted
proxy (X-Forwarded-For), as they would in production; each customer's daily quote quota holds.
Printed per minute: operations, errors, p50/p99, the most operations in flight, the API's
resident memory, the database
connections of the soak database, the Redis keys and the machine's load average (the soak
shares the machine with its load generator); then the verdict on the goals
(0 errors, memory growth after warm-up < 5 %, connections flat, and keys without an expiry
flat: keys that expire, such as the worker's done marks, grow with the traffic to a ceiling).
"""

from __future__ import annotations

import argparse
import asyncio
import io
import os
import platform
import random
import secrets
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncmy
import httpx
import pyotp
import redis.asyncio as redis
from api_harness import (
    BACKEND,
    PASSWORD,
    environment,
    free_port,
    migrate,
    percentile,
    server,
    wait_ready,
)
from bench_documents import SITE
from bench_orders_api import _accounts
from PIL import Image
from sqlalchemy.engine import make_url

from helio.mail.sink import start as start_sink

USAGE = {"monthly_kwh": [820, 700, 640, 560, 610, 780, 980, 1010, 820, 640, 660, 790]}
WEIGHTS = {
    "read_me": 20, "read_sites": 10, "read_quotes": 10, "read_orders": 10, "read_sessions": 10,
    "sign_in": 4, "quote": 6, "usage": 4, "place_order": 10, "workflow_step": 12, "upload": 4,
}  # fmt: skip
STEPS = ("survey_scheduled", "surveyed", "permit_submitted", "permit_approved")
TOKEN_LIFETIME_MARGIN = 240.0  # seconds after which a client signs in again (tokens live 300 s)


def roof_photo() -> bytes:
    """A ~250 KB phone-style JPEG (noise over a gradient, so it does not compress away)."""
    size = (1200, 900)
    noise = Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3))
    gradient = Image.linear_gradient("L").resize(size).convert("RGB")
    out = io.BytesIO()
    Image.blend(gradient, noise, 0.2).save(out, format="JPEG", quality=70)
    return out.getvalue()


def _totp_step() -> int:
    return int(time.time() // 30)


@dataclass
class Customer:
    email: str
    secret: str
    address: str
    quotes: list[str]
    headers: dict[str, str] = field(default_factory=dict)
    signed_in_at: float = 0.0
    site: str = ""
    refreshing: asyncio.Lock = field(default_factory=asyncio.Lock)
    totp_step: int = -1


@dataclass
class Minute:
    """What happened in one minute of the soak."""

    latencies: list[float] = field(default_factory=list)
    statuses: Counter[str] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)
    shed: int = 0
    most_in_flight: int = 0


class Mix:
    """The operations of the mix, against one API, recording into the current minute."""

    def __init__(self, http: httpx.AsyncClient, people: list[Customer], support: Customer,
                 photo: bytes) -> None:  # fmt: skip
        self.http, self.people, self.support, self.photo = http, people, support, photo
        self.minute = Minute()
        self.placed: list[str] = []
        self.moves: dict[str, int] = {}
        self.kinds_after_warmup: Counter[str] = Counter()
        self.kinds_at_end: Counter[str] = Counter()
        self.names = list(WEIGHTS)
        self.weights = list(WEIGHTS.values())

    async def _send(self, name: str, method: str, url: str, who: Customer, ok: tuple[int, ...],
                    **kwargs: Any) -> httpx.Response | None:  # fmt: skip
        headers = {"X-Forwarded-For": who.address, **who.headers, **kwargs.pop("headers", {})}
        start = time.perf_counter()
        try:
            answer = await self.http.request(method, url, headers=headers, **kwargs)
        except httpx.HTTPError as error:
            self.minute.errors[f"{name}: {type(error).__name__}"] += 1
            return None
        self.minute.latencies.append((time.perf_counter() - start) * 1000)
        self.minute.statuses[f"{name} {answer.status_code}"] += 1
        if answer.status_code not in ok:
            self.minute.errors[f"{name} {answer.status_code} {answer.text[:120]}"] += 1
            return None
        return answer

    async def sign_in(self, who: Customer, *, only_if_stale: bool = False) -> None:
        """Sign in with password and TOTP; the old token serves other operations meanwhile."""
        async with who.refreshing:
            fresh = time.monotonic() - who.signed_in_at < TOKEN_LIFETIME_MARGIN
            if only_if_stale and who.headers and fresh:
                return
            await self._sign_in_now(who)

    async def _sign_in_now(self, who: Customer) -> None:
        # A code is accepted once (replay protection), so a person signs in at most once per
        # 30-second step; the step is read again after the (slow) password check.
        if who.totp_step == _totp_step():
            return
        grant = {"grant_type": "password", "email": who.email, "password": PASSWORD}
        first = await self._send("sign_in", "POST", "/api/v1/auth/token", who, (200,), json=grant)
        step = _totp_step()
        if first is None or who.totp_step == step:
            return
        who.totp_step = step
        code = pyotp.TOTP(who.secret).at(step * 30)
        mfa = {"grant_type": "mfa", "mfa_token": first.json()["mfa_token"], "code": code}
        second = await self._send("sign_in", "POST", "/api/v1/auth/token", who, (200,), json=mfa)
        if second is not None:
            who.headers = {"Authorization": f"Bearer {second.json()['access_token']}"}
            who.signed_in_at = time.monotonic()

    async def run_one(self) -> None:
        """Run one operation of the mix, chosen by weight, for a random customer."""
        [name] = random.choices(self.names, self.weights)
        people = self.people
        if name == "sign_in":
            people = [who for who in people if who.totp_step != _totp_step()] or people
        who = self.support if name == "workflow_step" else random.choice(people)
        await self.sign_in(who, only_if_stale=True)
        operation: Callable[[str, Customer], Awaitable[None]] = getattr(self, f"_{name}")
        await operation(name, who)

    async def _read_me(self, name: str, who: Customer) -> None:
        await self._send(name, "GET", "/api/v1/me", who, (200,))

    async def _read_sites(self, name: str, who: Customer) -> None:
        await self._send(name, "GET", "/api/v1/sites", who, (200,))

    async def _read_quotes(self, name: str, who: Customer) -> None:
        await self._send(name, "GET", "/api/v1/quotes", who, (200,))

    async def _read_orders(self, name: str, who: Customer) -> None:
        await self._send(name, "GET", "/api/v1/orders", who, (200,))

    async def _read_sessions(self, name: str, who: Customer) -> None:
        await self._send(name, "GET", "/api/v1/auth/sessions", who, (200,))

    async def _sign_in(self, name: str, who: Customer) -> None:
        await self.sign_in(who)

    async def _quote(self, name: str, who: Customer) -> None:
        # The daily quota is a business limit: a customer at it is not asked again.
        body = {"site_id": who.site}
        await self._send(name, "POST", "/api/v1/quotes", who, (201, 429), json=body)

    async def _usage(self, name: str, who: Customer) -> None:
        url = f"/api/v1/sites/{who.site}/usage"
        await self._send(name, "PUT", url, who, (200,), json=USAGE)

    async def _place_order(self, name: str, who: Customer) -> None:
        if not who.quotes:
            return
        headers = {"Idempotency-Key": secrets.token_urlsafe(16)}
        body = {"quote_id": who.quotes.pop()}
        answer = await self._send(name, "POST", "/api/v1/orders", who, (201,), json=body,
                                  headers=headers)  # fmt: skip
        if answer is not None:
            self.placed.append(answer.json()["id"])

    async def _workflow_step(self, name: str, who: Customer) -> None:
        movable = [order for order in self.placed if self.moves.get(order, 0) < len(STEPS)]
        if not movable:
            return
        order = random.choice(movable)
        step = self.moves[order] = self.moves.get(order, 0) + 1
        body: dict[str, Any] = {"to": STEPS[step - 1]}
        if body["to"] == "survey_scheduled":
            starts = datetime.now(UTC).replace(microsecond=0) + timedelta(days=7)
            window = {"starts_at": starts, "ends_at": starts + timedelta(hours=3)}
            body["window"] = {key: value.isoformat() for key, value in window.items()}
        url = f"/api/v1/staff/orders/{order}/transition"
        await self._send(name, "POST", url, who, (200,), json=body)

    async def _upload(self, name: str, who: Customer) -> None:
        url = f"/api/v1/sites/{who.site}/documents"
        files = {"file": ("roof.jpg", self.photo, "image/jpeg")}
        await self._send(name, "POST", url, who, (201,), files=files)


@dataclass
class Probe:
    """Resident memory of the API, the soak database's connections, the Redis keys."""

    pid: int
    mysql: dict[str, Any]
    database: str
    redis_url: str

    def rss_mib(self) -> float:
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return 0.0

    async def connections(self) -> int:
        connection = await asyncmy.connect(**self.mysql)
        try:
            async with connection.cursor() as cursor:
                await cursor.execute(
                    "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE DB = %s",
                    (self.database,),
                )
                (count,) = await cursor.fetchone()
                return int(count)
        finally:
            connection.close()

    async def key_kinds(self) -> Counter[str]:
        """Redis keys by kind (the first two parts of the name), to explain any growth.

        Keys without an expiry are counted apart ("... (no expiry)"): keys that expire grow
        with the traffic up to a ceiling, keys that never expire must not grow with it.
        """
        client = redis.from_url(self.redis_url)
        kinds: Counter[str] = Counter()
        try:
            batch: list[bytes] = []
            async for key in client.scan_iter(count=1000):
                batch.append(key)
                if len(batch) == 1000:
                    await _count_kinds(client, batch, kinds)
                    batch = []
            await _count_kinds(client, batch, kinds)
        finally:
            await client.aclose()
        return kinds

    async def redis_keys(self) -> int:
        client = redis.from_url(self.redis_url)
        try:
            return int(await client.dbsize())
        finally:
            await client.aclose()


async def _count_kinds(client: redis.Redis, keys: list[bytes], kinds: Counter[str]) -> None:
    if not keys:
        return
    async with client.pipeline(transaction=False) as pipe:
        for key in keys:
            pipe.ttl(key)
        ttls = await pipe.execute()
    for key, ttl in zip(keys, ttls, strict=True):
        kind = ":".join(key.decode(errors="replace").split(":")[:2])
        kind = "/".join(kind.split("/")[:3])  # rate-limit keys: LIMITER/<scope>/<kind>/<id>...
        kinds[kind + (" (no expiry)" if ttl == -1 else "")] += 1


def _mysql_params(url: str) -> dict[str, Any]:
    parsed = make_url(url)
    return {"host": parsed.host or "127.0.0.1", "port": parsed.port or 3306,
            "user": parsed.username or "root", "password": parsed.password or ""}  # fmt: skip


async def _admin(params: dict[str, Any], statement: str) -> None:
    connection = await asyncmy.connect(**params)
    try:
        async with connection.cursor() as cursor:
            await cursor.execute(statement)
    finally:
        connection.close()


@contextmanager
def worker(env: dict[str, str], log: Path) -> Iterator[None]:
    """Run `helio worker` beside the API, as `make run` does."""
    with open(log, "ab") as sink:
        command = [sys.executable, "-m", "helio.cli", "worker"]
        process = subprocess.Popen(command, cwd=BACKEND, env=env, stdout=sink, stderr=sink)
        try:
            yield
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)


async def _prepare(mix: Mix) -> None:
    """Sign everyone in and give each customer a site with usage (not measured)."""
    for who in [*mix.people, mix.support]:
        await mix.sign_in(who)
    for who in mix.people:
        site = await mix.http.post("/api/v1/sites", json=SITE, headers={
            "X-Forwarded-For": who.address, **who.headers})  # fmt: skip
        site.raise_for_status()
        who.site = site.json()["id"]
        usage = await mix.http.put(f"/api/v1/sites/{who.site}/usage", json=USAGE, headers={
            "X-Forwarded-For": who.address, **who.headers})  # fmt: skip
        usage.raise_for_status()
    mix.minute = Minute()


async def _capacity(mix: Mix, clients: int, seconds: float) -> float:
    """Closed loop: `clients` run operations back to back; return the operations per second."""
    deadline = time.monotonic() + seconds
    done = 0

    async def client() -> None:
        nonlocal done
        while time.monotonic() < deadline:
            await mix.run_one()
            done += 1

    started = time.monotonic()
    await asyncio.gather(*(client() for _ in range(clients)))
    return done / (time.monotonic() - started)


async def _soak(mix: Mix, probe: Probe, rate: float, minutes: int, in_flight: int
                ) -> list[tuple[Minute, float, int, int]]:  # fmt: skip
    """Open loop at `rate` operations per second; one row per minute."""
    rows: list[tuple[Minute, float, int, int]] = []
    busy = asyncio.Semaphore(in_flight)
    running: set[asyncio.Task[None]] = set()

    async def guarded() -> None:
        try:
            await mix.run_one()
        finally:
            busy.release()

    interval = 1.0 / rate
    started = time.monotonic()
    for minute in range(minutes):
        mix.minute = Minute()
        next_start = started + minute * 60
        end = started + (minute + 1) * 60
        while next_start < end:
            await asyncio.sleep(max(0.0, next_start - time.monotonic()))
            next_start += interval
            if busy.locked():
                mix.minute.shed += 1
                continue
            await busy.acquire()
            task = asyncio.create_task(guarded())
            running.add(task)
            task.add_done_callback(running.discard)
            mix.minute.most_in_flight = max(mix.minute.most_in_flight, len(running))
        rows.append((mix.minute, probe.rss_mib(), await probe.connections(),
                     await probe.redis_keys()))  # fmt: skip
        print(_row(minute + 1, rows[-1]), flush=True)
        if minute == 1:
            mix.kinds_after_warmup = await probe.key_kinds()
    await asyncio.gather(*running)
    mix.kinds_at_end = await probe.key_kinds()
    return rows


def _row(number: int, row: tuple[Minute, float, int, int]) -> str:
    minute, rss, connections, keys = row
    errors = sum(minute.errors.values()) + minute.shed
    return (f"| {number} | {len(minute.latencies)} | {errors} "
            f"| {percentile(minute.latencies, 0.5):.1f} | {percentile(minute.latencies, 0.99):.1f} "
            f"| {minute.most_in_flight} | {rss:.1f} | {connections} | {keys} "
            f"| {os.getloadavg()[0]:.1f} |")  # fmt: skip


async def _run(args: argparse.Namespace) -> int:
    mysql = _mysql_params(args.mysql_url)
    database = f"helio_soak_{secrets.token_hex(4)}"
    keys = redis.from_url(args.redis_url)
    if await keys.dbsize():
        await keys.aclose()
        raise SystemExit(
            f"{args.redis_url} is not empty: give the soak a Redis database of its own"
        )
    await _admin(mysql, f"CREATE DATABASE `{database}` CHARACTER SET utf8mb4")
    try:
        with tempfile.TemporaryDirectory(prefix="helio-soak-") as tmp:
            return await _with_database(args, mysql, database, Path(tmp))
    finally:
        await _admin(mysql, f"DROP DATABASE IF EXISTS `{database}`")
        await keys.flushdb()
        await keys.aclose()


async def _with_database(args: argparse.Namespace, mysql: dict[str, Any], database: str,
                         tmp: Path) -> int:  # fmt: skip
    port, mail_port = free_port(), free_port()
    args.database_url = f"{args.mysql_url.rstrip('/')}/{database}"
    env = environment(tmp, args, port, HELIO_MAIL_SINK_PORT=str(mail_port),
                      HELIO_TRUSTED_PROXIES="127.0.0.1/32")  # fmt: skip
    await migrate(env)
    people, staff, quotes = await _accounts(env, args.customers, quotes_each=40)
    customers = [
        Customer(email, secret, f"198.18.{index // 250}.{index % 250 + 1}", quotes[email])
        for index, (email, secret) in enumerate(people)
    ]  # fmt: skip
    support = Customer(staff[0], staff[1], "198.19.0.1", [])
    sink = start_sink(tmp / "mail", port=mail_port)
    limits = httpx.Limits(max_connections=max(args.clients, args.in_flight) + 4)
    try:
        with server(env, port, log=tmp / "api.log") as process, worker(env, tmp / "worker.log"):
            async with httpx.AsyncClient(
                base_url=f"http://127.0.0.1:{port}", timeout=30, limits=limits
            ) as http:
                await wait_ready(http)
                mix = Mix(http, customers, support, roof_photo())
                await _prepare(mix)
                capacity = await _capacity(mix, args.clients, args.capacity_seconds)
                warmup_errors = sum(mix.minute.errors.values())
                rate = capacity * args.fraction
                _header(args, capacity, rate, warmup_errors)
                probe = Probe(process.pid, {**mysql, "db": database}, database, args.redis_url)
                rows = await _soak(mix, probe, rate, args.minutes, args.in_flight)
    finally:
        sink.stop()
    _kinds(mix.kinds_after_warmup, mix.kinds_at_end)
    return _verdict(rows, _persistent(mix.kinds_after_warmup), _persistent(mix.kinds_at_end))


def _header(args: argparse.Namespace, capacity: float, rate: float, warmup_errors: int) -> None:
    print(f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python "
          f"{platform.python_version()}; one uvicorn process, one worker, MariaDB, Redis; "
          f"{args.customers} customers, {args.clients} clients for capacity, "
          f"at most {args.in_flight} operations in flight in the soak")  # fmt: skip
    print(f"Capacity (closed loop, {args.capacity_seconds:.0f} s, the mix): {capacity:.1f} op/s "
          f"({warmup_errors} errors); soak at {args.fraction:.0%}: {rate:.1f} op/s "
          f"for {args.minutes} min")  # fmt: skip
    print()
    print(
        "| minute | operations | errors | p50 ms | p99 ms | most in flight | API RSS MiB "
        "| DB connections | Redis keys | load average |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")


def _kinds(warm: Counter[str], end: Counter[str]) -> None:
    print()
    print("| Redis keys by kind | after minute 2 | at the end |")
    print("|---|---:|---:|")
    for kind in sorted(set(warm) | set(end)):
        print(f"| {kind} | {warm[kind]} | {end[kind]} |")


def _persistent(kinds: Counter[str]) -> int:
    return sum(n for kind, n in kinds.items() if kind.endswith("(no expiry)"))


def _verdict(rows: list[tuple[Minute, float, int, int]], persistent_warm: int,
             persistent_end: int) -> int:  # fmt: skip
    errors: Counter[str] = Counter()
    for minute, *_ in rows:
        errors.update(minute.errors)
        if minute.shed:
            errors["shed (--in-flight operations still running)"] += minute.shed
    warm = rows[min(1, len(rows) - 1)]
    last = rows[-1]
    growth = (last[1] - warm[1]) / warm[1] * 100 if warm[1] else 0.0
    print()
    print(f"Errors: {sum(errors.values())}" + "".join(f"\n- {n} x {e}" for e, n in errors.items()))
    print(f"Resident memory after warm-up (end of minute 2 -> end): {warm[1]:.1f} -> "
          f"{last[1]:.1f} MiB ({growth:+.1f} %)")  # fmt: skip
    print(f"DB connections: {[row[2] for row in rows]}")
    print(f"Redis keys: {[row[3] for row in rows]}")
    # Keys that never expire may only be made once per account or per process, not per request.
    flat = persistent_end <= persistent_warm * 1.01 + 10
    print(f"Redis keys without an expiry after warm-up -> end: {persistent_warm} -> "
          f"{persistent_end} ({'flat' if flat else 'GROWING'})")  # fmt: skip
    return 0 if not errors and growth < 5 and flat else 1


def main() -> None:
    """Measure capacity, soak at a fraction of it, print the table and the verdict."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=int, default=10)
    parser.add_argument("--fraction", type=float, default=0.7)
    parser.add_argument("--capacity-seconds", type=float, default=60.0)
    parser.add_argument("--clients", type=int, default=16, help="closed-loop clients (capacity)")
    parser.add_argument("--in-flight", type=int, default=64, help="soak: most at once")
    parser.add_argument("--customers", type=int, default=120)
    parser.add_argument("--mysql-url", default="mysql+asyncmy://root@127.0.0.1:3306")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/13")
    args = parser.parse_args()
    raise SystemExit(asyncio.run(_run(args)))


if __name__ == "__main__":
    main()
