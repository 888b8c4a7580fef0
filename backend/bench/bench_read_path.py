"""Authenticated reads against the one-query ceiling: Helio and a bare FastAPI app, side by side.

Run: cd backend && ../.venv/bin/python bench/bench_read_path.py [--seconds 10] [--connections 64]
  [--threads 2] [--workers 1,2] [--database-url mysql+asyncmy://root@127.0.0.1:3306]
  [--redis-url redis://127.0.0.1:6379/5]

One run starts, one after the other and each on 127.0.0.1 only:
1. a bare FastAPI app (bench/bare_app.py: no middleware, no auth) with `GET /json` and
   `GET /one` — one async `SELECT 1` on the same MariaDB, same driver (asyncmy), same pool size
   as Helio's engine; this is the ceiling for any endpoint with one database round trip;
2. Helio on a fresh, migrated database of its own (dropped at the end), with one customer
   holding the most sites a customer may have (5), signed in by cookie and by bearer token;
each with 1 and 2 uvicorn workers. wrk (-t2 -c64 -d<seconds>s --latency --timeout 5s) drives:
`/healthz`, `/api/v1/me` (bearer, cookie) and `/api/v1/sites?limit=20`. Printed: req/s, p50,
p99, timeouts (no answer within 5 s), non-2xx answers (a full pool answers 503),
socket errors and the ratio Helio / bare for each. The ratios are the
figures that count: the load generator, MariaDB and Redis share the cores with the servers.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pymysql
from api_harness import PASSWORD, create_customers, environment, free_port, migrate, wait_ready
from bench_quotes_api import SITE
from sqlalchemy.engine import make_url

BENCH = Path(__file__).resolve().parent
BACKEND = BENCH.parent
SITES_PER_CUSTOMER = 5
_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


@dataclass(frozen=True)
class Result:
    """What wrk measured for one endpoint."""

    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    timeouts: int
    non_2xx: int
    socket_errors: int


def _ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text.strip())
    if match is None:
        raise ValueError(f"unreadable wrk latency: {text!r}")
    return float(match.group(1)) * _UNITS[match.group(2)]


def parse_wrk(output: str) -> Result:
    """Read req/s, p50, p99, request and error counts from `wrk --latency` output."""
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    p50 = _ms(re.search(r"^\s+50%\s+(\S+)", output, re.M).group(1))  # type: ignore[union-attr]
    p99 = _ms(re.search(r"^\s+99%\s+(\S+)", output, re.M).group(1))  # type: ignore[union-attr]
    requests = int(re.search(r"(\d+) requests in", output).group(1))  # type: ignore[union-attr]
    socket = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    connect, read, write, timeouts = (int(n) for n in socket.groups()) if socket else (0, 0, 0, 0)
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return Result(
        rps, p50, p99, requests, timeouts, int(non_2xx.group(1)) if non_2xx else 0,
        connect + read + write,
    )  # fmt: skip


def wrk(args: argparse.Namespace, url: str, headers: dict[str, str] | None = None) -> Result:
    """Drive one URL with wrk, bounded in time; return what it measured."""
    command = [args.wrk, f"-t{args.threads}", f"-c{args.connections}", f"-d{args.seconds}s",
               "--latency", "--timeout", "5s"]  # fmt: skip
    for name, value in (headers or {}).items():
        command += ["-H", f"{name}: {value}"]
    done = subprocess.run(
        [*command, url], capture_output=True, text=True, timeout=args.seconds + 30, check=True
    )
    return parse_wrk(done.stdout)


@contextmanager
def uvicorn(target: str, cwd: Path, env: dict[str, str], port: int, workers: int) -> Iterator[None]:
    """Serve an app factory with uvicorn on 127.0.0.1:port; stop it on the way out."""
    command = [sys.executable, "-m", "uvicorn", target, "--factory", "--host", "127.0.0.1",
               "--port", str(port), "--workers", str(workers), "--log-level", "warning",
               "--no-access-log"]  # fmt: skip
    process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL)
    try:
        yield
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


async def _ready(base_url: str, path: str) -> None:
    deadline = time.monotonic() + 60
    async with httpx.AsyncClient(base_url=base_url, timeout=5) as http:
        while time.monotonic() < deadline:
            try:
                if (await http.get(path)).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.2)
    raise SystemExit(f"{base_url} did not become ready")


async def _sign_in(base_url: str, email: str, with_sites: bool) -> tuple[str, str]:
    """Return (bearer token, Cookie header) of a fresh sign-in; create the sites once."""
    body = {"email": email, "password": PASSWORD}
    async with httpx.AsyncClient(base_url=base_url, timeout=60) as http:
        await wait_ready(http)
        (await http.post("/api/v1/auth/login", json=body)).raise_for_status()
        cookie = "; ".join(f"{name}={value}" for name, value in http.cookies.items())
        grant = await http.post("/api/v1/auth/token", json={"grant_type": "password", **body})
        grant.raise_for_status()
        token = str(grant.json()["access_token"])
        headers = {"Authorization": f"Bearer {token}"}
        for _ in range(SITES_PER_CUSTOMER if with_sites else 0):
            (await http.post("/api/v1/sites", json=SITE, headers=headers)).raise_for_status()
        for probe in ({"Authorization": f"Bearer {token}"}, {"Cookie": cookie}):
            (await http.get("/api/v1/me", headers=probe)).raise_for_status()
    return token, cookie


def _database(args: argparse.Namespace) -> str:
    url = make_url(args.database_url)
    name = f"helio_bench_read_{secrets.token_hex(4)}"
    connection = pymysql.connect(
        host=url.host or "127.0.0.1", port=url.port or 3306, user=url.username or "root",
        password=url.password or "",
    )  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin")
    connection.close()
    return url.set(database=name).render_as_string(hide_password=False)


def _drop(url_text: str) -> None:
    url = make_url(url_text)
    connection = pymysql.connect(
        host=url.host or "127.0.0.1", port=url.port or 3306, user=url.username or "root",
        password=url.password or "",
    )  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS `{url.database}`")
    connection.close()


Row = tuple[str, int, Result, Result | None, str]


def _measure(args: argparse.Namespace, database_url: str, tmp: Path) -> list[Row]:
    rows: list[Row] = []
    port = free_port()
    env = environment(tmp, args, port)
    env["HELIO_DATABASE_URL"] = database_url
    asyncio.run(migrate(env))
    email = asyncio.run(create_customers(env, 1))[0]
    bare_env = {**os.environ, "BARE_DATABASE_URL": database_url}
    first = True
    for workers in args.worker_counts:
        bare_port = free_port()
        bare = f"http://127.0.0.1:{bare_port}"
        with uvicorn("bare_app:create_app", BENCH, bare_env, bare_port, workers):
            asyncio.run(_ready(bare, "/one"))
            json_ceiling = wrk(args, bare + "/json")
            one_query = wrk(args, bare + "/one")
        rows.append(("bare FastAPI `GET /json`", workers, json_ceiling, None, ""))
        rows.append(("bare FastAPI + one `SELECT 1` `GET /one`", workers, one_query, None, ""))
        helio = f"http://127.0.0.1:{port}"
        with uvicorn("helio.main:create_app", BACKEND, env, port, workers):
            token, cookie = asyncio.run(_sign_in(helio, email, with_sites=first))
            first = False
            bearer = {"Authorization": f"Bearer {token}"}
            plan = [
                ("Helio `GET /healthz`", "/healthz", {}, json_ceiling, "/json"),
                ("Helio `GET /api/v1/me` (bearer)", "/api/v1/me", bearer, one_query, "/one"),
                ("Helio `GET /api/v1/me` (cookie)", "/api/v1/me", {"Cookie": cookie}, one_query,
                 "/one"),
                ("Helio `GET /api/v1/sites?limit=20` (bearer)", "/api/v1/sites?limit=20", bearer,
                 one_query, "/one"),
            ]  # fmt: skip
            for label, path, headers, ceiling, against in plan:
                rows.append((label, workers, wrk(args, helio + path, headers), ceiling, against))
    return rows


def _table(rows: list[Row]) -> list[str]:
    lines = [
        "| endpoint | workers | req/s | p50 ms | p99 ms | requests | timeouts (5 s) "
        "| non-2xx | socket errors | ratio |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for label, workers, result, ceiling, against in rows:
        ratio = f"{result.rps / ceiling.rps:.2f} × bare `{against}`" if ceiling else "–"
        lines.append(
            f"| {label} | {workers} | {result.rps:,.0f} | {result.p50_ms:.1f} | "
            f"{result.p99_ms:.1f} | {result.requests:,} | {result.timeouts} | {result.non_2xx} "
            f"| {result.socket_errors} | {ratio} |"
        )
    return lines


def main() -> None:
    """Run both apps with each worker count and print a Markdown table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--workers", default="1,2", help="uvicorn worker counts, comma-separated")
    parser.add_argument("--database-url", default="mysql+asyncmy://root@127.0.0.1:3306")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/5")
    parser.add_argument("--wrk", default=shutil.which("wrk") or "/usr/bin/wrk")
    args = parser.parse_args()
    args.worker_counts = [int(n) for n in args.workers.split(",")]
    if not Path(args.wrk).exists():
        raise SystemExit("wrk is not installed (apt-get install -y wrk)")
    database_url = _database(args)
    try:
        with tempfile.TemporaryDirectory(prefix="helio-bench-") as tmp:
            rows = _measure(args, database_url, Path(tmp))
    finally:
        _drop(database_url)
    print(
        f"wrk -t{args.threads} -c{args.connections} -d{args.seconds}s on 127.0.0.1; "
        f"{os.cpu_count()} cores shared with MariaDB, Redis and wrk"
    )
    print("\n".join(_table(rows)))


if __name__ == "__main__":
    main()
