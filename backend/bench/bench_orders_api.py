"""Orders through the whole API: orders placed per second, and the p99 of one workflow step
with 8 clients moving orders at once.

Run: cd backend && ../.venv/bin/python bench/bench_orders_api.py [--seconds 10] [--concurrency 8]
  [--customers 8] [--database-url mysql+asyncmy://root@127.0.0.1:3306/helio_bench]
  [--redis-url redis://127.0.0.1:6379/5]
Without --database-url it uses a fresh SQLite file in a temporary directory; a MySQL URL must
name an existing database (it is migrated to head). Customers and one support member are
made with a second factor (TOTP), as ordering and the console require; each customer gets
enough stored quotes for the run. Bounded: each phase lasts --seconds, and the server is
stopped at the end. Binds to 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import secrets
import statistics
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pyotp
from api_harness import PASSWORD, environment, free_port, migrate, percentile, server, wait_ready

from helio.auth.accounts.profiles import TABLE, create_account
from helio.auth.login.passwords import hash_password
from helio.authz.matrix import Role
from helio.config import Settings
from helio.kit.clock import utcnow
from helio.kit.ids import new_id
from helio.mail.sink import start as start_sink
from helio.main import build_app
from helio.models import Quote

QUOTES_PER_CUSTOMER = 400
STEPS = ("survey_scheduled", "surveyed", "permit_submitted", "permit_approved")


async def _accounts(
    env: dict[str, str], customers: int, quotes_each: int = QUOTES_PER_CUSTOMER
) -> tuple[list[tuple[str, str]], tuple[str, str], dict[str, list[str]]]:
    """Create customers and a support member with TOTP, and stored quotes; return who and what."""
    settings = Settings(
        env="development",
        data_dir=Path(env["HELIO_DATA_DIR"]),
        database_url=env.get("HELIO_DATABASE_URL", ""),
        redis_url=env.get("HELIO_REDIS_URL"),
    )
    app = build_app(settings)
    hashed = await hash_password(PASSWORD)
    people: list[tuple[str, str]] = []
    quotes: dict[str, list[str]] = {}
    staff: tuple[str, str] = ("", "")
    async with app.db.transaction() as session:
        for index in range(customers + 1):
            kind = "staff" if index == customers else "customer"
            email = f"bench.{secrets.token_hex(4)}@example.org"
            user = await create_account(
                session, app, kind=kind, email=email, full_name="Bench Person",
                password_hash=hashed, roles=[Role.SUPPORT if kind == "staff" else Role.CUSTOMER],
            )  # fmt: skip
            secret = pyotp.random_base32()
            user.email_verified_at = user.totp_confirmed_at = utcnow()
            user.totp_secret_ct = await app.vault.seal(
                session, user.id, secret, table=TABLE, column="totp_secret_ct", row_id=user.id
            )
            if kind == "staff":
                staff = (email, secret)
                continue
            people.append((email, secret))
            quotes[email] = [_quote(session, user.id) for _ in range(quotes_each)]
    await app.close()
    return people, staff, quotes


def _quote(session: Any, owner_id: str) -> str:
    now = utcnow()
    quote = Quote(
        id=new_id(), owner_type="customer", owner_id=owner_id, created_by=owner_id,
        site_id=None, status="offered", model_version="bench", inputs_digest="0" * 64,
        inputs={}, result={}, system_kwp=Decimal("6.400"), net_price=Decimal("12345.67"),
        currency="USD", created_at=now, valid_until=now + timedelta(days=30),
    )  # fmt: skip
    session.add(quote)
    return quote.id


async def _token(http: httpx.AsyncClient, email: str, secret: str) -> dict[str, str]:
    grant = {"grant_type": "password", "email": email, "password": PASSWORD}
    first = (await http.post("/api/v1/auth/token", json=grant)).json()
    mfa = {"grant_type": "mfa", "mfa_token": first["mfa_token"], "code": pyotp.TOTP(secret).now()}
    answer = await http.post("/api/v1/auth/token", json=mfa)
    answer.raise_for_status()
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


def _window() -> dict[str, str]:
    starts = datetime.now(UTC).replace(microsecond=0) + timedelta(days=7)
    return {"starts_at": starts.isoformat(), "ends_at": (starts + timedelta(hours=3)).isoformat()}


class Load:
    """Latencies and statuses of one phase."""

    def __init__(self) -> None:
        self.latencies: list[float] = []
        self.statuses: Counter[int] = Counter()

    async def timed(self, call: Any) -> httpx.Response:
        start = time.perf_counter()
        answer: httpx.Response = await call
        self.latencies.append((time.perf_counter() - start) * 1000)
        self.statuses[answer.status_code] += 1
        return answer


async def _place(http: httpx.AsyncClient, headers: dict[str, str], quotes: list[str], load: Load,
                 deadline: float, placed: list[str]) -> None:  # fmt: skip
    while quotes and time.perf_counter() < deadline:
        sent = {**headers, "Idempotency-Key": secrets.token_urlsafe(16)}
        body = {"quote_id": quotes.pop()}
        answer = await load.timed(http.post("/api/v1/orders", json=body, headers=sent))
        if answer.status_code == 201:
            placed.append(answer.json()["id"])


async def _move(http: httpx.AsyncClient, headers: dict[str, str], orders: list[str], load: Load,
                deadline: float) -> None:  # fmt: skip
    while orders and time.perf_counter() < deadline:
        order_id = orders.pop()
        for step in STEPS:
            body: dict[str, Any] = {"to": step}
            if step == "survey_scheduled":
                body["window"] = _window()
            url = f"/api/v1/staff/orders/{order_id}/transition"
            await load.timed(http.post(url, json=body, headers=headers))


async def _run(args: argparse.Namespace) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="helio-bench-") as tmp:
        port, mail_port = free_port(), free_port()
        env = environment(Path(tmp), args, port, HELIO_MAIL_SINK_PORT=str(mail_port))
        await migrate(env)
        people, staff, quotes = await _accounts(env, args.customers)
        # Every step mails the customer: a local sink takes them, as `make run` does.
        sink = start_sink(Path(tmp) / "mail", port=mail_port)
        try:
            return await _load(args, env, port, people, staff, quotes)
        finally:
            sink.stop()


async def _load(
    args: argparse.Namespace,
    env: dict[str, str],
    port: int,
    people: list[tuple[str, str]],
    staff: tuple[str, str],
    quotes: dict[str, list[str]],
) -> dict[str, Any]:
    limits = httpx.Limits(max_connections=args.concurrency + 2)
    base_url = f"http://127.0.0.1:{port}"
    with server(env, port):
        async with httpx.AsyncClient(base_url=base_url, timeout=60, limits=limits) as http:
            await wait_ready(http)
            tokens = [(await _token(http, e, s), quotes[e]) for e, s in people]
            support = await _token(http, *staff)
            placing, placed = Load(), list[str]()
            started = time.perf_counter()
            await asyncio.gather(*(
                _place(http, *tokens[i % len(tokens)], placing, started + args.seconds, placed)
                for i in range(args.concurrency)
            ))  # fmt: skip
            place_elapsed = time.perf_counter() - started
            moving = Load()
            shares = [placed[i :: args.concurrency] for i in range(args.concurrency)]
            started = time.perf_counter()
            await asyncio.gather(*(
                _move(http, support, share, moving, started + args.seconds) for share in shares
            ))  # fmt: skip
            move_elapsed = time.perf_counter() - started
    return {"placing": placing, "placed": len(placed), "place_s": place_elapsed,
            "moving": moving, "move_s": move_elapsed}  # fmt: skip


def main() -> None:
    """Run both phases and print a Markdown table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=10.0, help="duration of each phase")
    parser.add_argument("--concurrency", type=int, default=8, help="clients in flight")
    parser.add_argument("--customers", type=int, default=8, help="customers placing orders")
    parser.add_argument("--database-url", default="", help="default: a temporary SQLite file")
    parser.add_argument("--redis-url", default="", help="default: in-process state")
    args = parser.parse_args()
    outcome = asyncio.run(_run(args))
    database = (args.database_url or "sqlite").split(":", 1)[0]
    print(
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}; one uvicorn process, {database}, "
        f"{'Redis' if args.redis_url else 'in-process state'}, {args.concurrency} clients"
    )
    print()
    print("| phase | done | per second | p50 ms | p95 ms | p99 ms | statuses |")
    print("|---|---:|---:|---:|---:|---:|---|")
    for name, load, seconds in (
        ("POST /orders", outcome["placing"], outcome["place_s"]),
        ("POST /staff/orders/{id}/transition", outcome["moving"], outcome["move_s"]),
    ):
        done = sum(n for code, n in load.statuses.items() if code < 300)
        statuses = ", ".join(f"{code}: {n}" for code, n in sorted(load.statuses.items()))
        print(
            f"| {name} | {done} | {done / seconds:.1f} | {statistics.median(load.latencies):.1f} "
            f"| {percentile(load.latencies, 0.95):.1f} | {percentile(load.latencies, 0.99):.1f} "
            f"| {statuses} |"
        )


if __name__ == "__main__":
    main()
