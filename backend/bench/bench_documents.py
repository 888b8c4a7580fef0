"""Document upload + re-encode of a 5 MiB, 12 MP photo through the API, against the bare Pillow
re-encode of the same photo in the same run (the ratio is what the API adds: multipart
parsing, the session, the site check, the stored file, the row and the audit event).

Run: cd backend && ../.venv/bin/python bench/bench_documents.py [--uploads 20] [--concurrency 1]
  [--database-url mysql+asyncmy://root@127.0.0.1:3306/helio_bench] [--redis-url redis://...]
Without --database-url it uses a fresh SQLite file in a temporary directory; a MySQL URL must
name an existing database (it is migrated to head). Bounded: --uploads uploads in all, the
server is stopped at the end, files go to a temporary directory. Binds to 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import os
import platform
import statistics
import tempfile
import time
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
from PIL import Image

from helio.documents.content import clean

SITE = {
    "label": "Bench roof",
    "address": {"line1": "1 Bench Street", "city": "San Francisco", "region": "CA",
                "postal_code": "94110", "country": "US"},
    "latitude": 37.7749, "longitude": -122.4194, "timezone": "America/Los_Angeles",
    "roof_planes": [{"area_m2": 28, "tilt_deg": 22, "azimuth_deg": 180}],
    "tariff": {"price_per_kwh": "0.32", "currency": "USD", "escalation_pct": 2.5},
}  # fmt: skip


PHOTO_SIZE = (4032, 3024)  # 12 MP, a phone camera's photo
PHOTO_BYTES = 5 * 1024 * 1024


def five_mb_photo() -> bytes:
    """A 12 MP camera-sized JPEG (quality 90) of 5 MiB, within 3 % below.

    Noise over a gradient: the share of noise is searched by bisection until the
    encoded photo weighs what a phone's does.
    """
    width, height = PHOTO_SIZE
    noise = Image.frombytes("RGB", PHOTO_SIZE, os.urandom(width * height * 3))
    gradient = Image.linear_gradient("L").resize(PHOTO_SIZE).convert("RGB")
    low, high, best = 0.0, 1.0, b""
    for _ in range(16):
        mix = (low + high) / 2
        out = io.BytesIO()
        Image.blend(gradient, noise, mix).save(out, format="JPEG", quality=90)
        if out.tell() > PHOTO_BYTES:
            high = mix
            continue
        low, best = mix, out.getvalue()
        if len(best) >= PHOTO_BYTES * 0.97:
            return best
    raise RuntimeError(f"no photo within 3 % of {PHOTO_BYTES} bytes (best {len(best)})")


def bare(photo: bytes, runs: int) -> list[float]:
    """Milliseconds of the bare checks + Pillow re-encode (the same function the API runs)."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        clean(photo)
        times.append((time.perf_counter() - start) * 1000)
    return times


async def _upload(http: httpx.AsyncClient, url: str, headers: dict[str, str], photo: bytes,
                  count: int, times: list[float], statuses: list[int]) -> None:  # fmt: skip
    for _ in range(count):
        start = time.perf_counter()
        answer = await http.post(
            url, files={"file": ("roof.jpg", photo, "image/jpeg")}, headers=headers
        )
        times.append((time.perf_counter() - start) * 1000)
        statuses.append(answer.status_code)


async def _run(args: argparse.Namespace, photo: bytes) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="helio-bench-") as tmp:
        port = free_port()
        env = environment(Path(tmp), args, port)
        await migrate(env)
        [email] = await create_customers(env, 1)
        with server(env, port):
            base_url = f"http://127.0.0.1:{port}"
            async with httpx.AsyncClient(base_url=base_url, timeout=120) as http:
                await wait_ready(http)
                grant = {"grant_type": "password", "email": email, "password": PASSWORD}
                token = (await http.post("/api/v1/auth/token", json=grant)).json()
                headers = {"Authorization": f"Bearer {token['access_token']}"}
                site = await http.post("/api/v1/sites", json=SITE, headers=headers)
                site.raise_for_status()
                url = f"/api/v1/sites/{site.json()['id']}/documents"
                await _upload(http, url, headers, photo, 1, [], [])  # warm-up
                times: list[float] = []
                statuses: list[int] = []
                share = args.uploads // args.concurrency
                started = time.perf_counter()
                await asyncio.gather(*(
                    _upload(http, url, headers, photo, share, times, statuses)
                    for _ in range(args.concurrency)
                ))  # fmt: skip
                elapsed = time.perf_counter() - started
    return {"times": times, "statuses": statuses, "elapsed": elapsed}


def main() -> None:
    """Run the bare baseline and the API uploads; print a Markdown table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--uploads", type=int, default=20, help="uploads through the API")
    parser.add_argument("--concurrency", type=int, default=1, help="uploads in flight")
    parser.add_argument("--database-url", default="", help="default: a temporary SQLite file")
    parser.add_argument("--redis-url", default="", help="default: in-process state")
    args = parser.parse_args()
    photo = five_mb_photo()
    bare(photo, 1)  # warm-up
    baseline = bare(photo, args.uploads)
    outcome = asyncio.run(_run(args, photo))
    times, statuses = outcome["times"], outcome["statuses"]
    ok = sum(1 for s in statuses if s == 201)
    database = (args.database_url or "sqlite").split(":", 1)[0]
    print(
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}; one uvicorn process, {database}, "
        f"{'Redis' if args.redis_url else 'in-process state'}; photo "
        f"{len(photo) / 1024 / 1024:.2f} MiB ({len(photo):,} bytes), "
        f"{PHOTO_SIZE[0]}x{PHOTO_SIZE[1]} JPEG; {args.concurrency} in flight"
    )
    print()
    print("| run | n | p50 ms | p95 ms | per second | MiB/s |")
    print("|---|---:|---:|---:|---:|---:|")
    base_p50 = statistics.median(baseline)
    api_p50 = statistics.median(times)
    mib = len(photo) / 1024 / 1024
    print(f"| bare checks + Pillow re-encode | {len(baseline)} | {base_p50:.1f} "
          f"| {percentile(baseline, 0.95):.1f} | {1000 / base_p50:.2f} "
          f"| {mib * 1000 / base_p50:.1f} |")  # fmt: skip
    print(f"| POST /sites/{{id}}/documents | {ok} of {len(statuses)} | {api_p50:.1f} "
          f"| {percentile(times, 0.95):.1f} | {ok / outcome['elapsed']:.2f} "
          f"| {mib * ok / outcome['elapsed']:.1f} |")  # fmt: skip
    print()
    print(f"Ratio API / bare (p50): {api_p50 / base_p50:.2f}")


if __name__ == "__main__":
    main()
