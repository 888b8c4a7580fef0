"""Quote engine latency: cold (new location), warm (cached location), TMY, and quotes/s.

Run: cd backend && ../.venv/bin/python bench/bench_quote_engine.py [--seconds 3] [--cold 15]
Prints a Markdown table. Bounded: about 2 x --seconds plus --cold cold quotes (~50 ms each).
"""

from __future__ import annotations

import argparse
import platform
import statistics
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pvlib

from helio.quotes.engine import (
    Location,
    QuoteInputs,
    RoofPlane,
    Tariff,
    TmyWeather,
    Usage,
    compute_quote,
)

PLANES = (
    RoofPlane(area_m2=30, tilt_deg=25, azimuth_deg=180),
    RoofPlane(area_m2=20, tilt_deg=25, azimuth_deg=270, shading_loss_pct=10),
)


def _inputs(latitude: float = 37.77, longitude: float = -122.42) -> QuoteInputs:
    return QuoteInputs(
        location=Location(
            latitude=latitude, longitude=longitude, time_zone="America/Los_Angeles", altitude_m=20
        ),
        planes=PLANES,
        usage=Usage.from_annual(7200),
        tariff=Tariff(price_per_kwh=Decimal("0.32"), currency="USD"),
    )


def _timed(call: Callable[[], object]) -> float:
    start = time.perf_counter()
    call()
    return (time.perf_counter() - start) * 1000


def cold(runs: int) -> list[float]:
    """Time quotes at locations never seen before (each 0.1° apart, so nothing is cached)."""
    samples = []
    for i in range(runs):
        inputs = _inputs(30.0 + i * 0.1, -100.0)
        samples.append(_timed(lambda: compute_quote(inputs)))  # noqa: B023 - called at once
    return samples


def repeated(call: Callable[[], object], seconds: float) -> list[float]:
    """Time the same call repeatedly for about `seconds`."""
    call()  # warm the caches
    samples: list[float] = []
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        samples.append(_timed(call))
    return samples


def _tmy_call() -> Callable[[], object]:
    path = Path(pvlib.__path__[0]) / "data" / "723170TYA.CSV"
    data, meta = pvlib.iotools.read_tmy3(path, coerce_year=2023, map_variables=True)
    weather = TmyWeather(data[["ghi", "dni", "dhi", "temp_air", "wind_speed"]], "Greensboro NC")
    inputs = _inputs(meta["latitude"], meta["longitude"])
    return lambda: compute_quote(inputs, weather=weather)


def _row(name: str, samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    rate = 1000 / statistics.mean(samples)
    return (
        f"| {name} | {len(samples)} | {statistics.median(samples):.2f} | {p95:.2f} "
        f"| {max(samples):.2f} | {rate:.0f} |"
    )


def main() -> None:
    """Run the phases and print a Markdown table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=3.0, help="duration of each warm phase")
    parser.add_argument("--cold", type=int, default=15, help="number of cold quotes")
    args = parser.parse_args()
    rows = [
        _row("cold: new location, 2 planes, clear-sky", cold(args.cold)),
        _row(
            "warm: cached location, 2 planes, clear-sky",
            repeated(lambda: compute_quote(_inputs()), args.seconds),
        ),
        _row("TMY supplied (8760 h), 2 planes, sun cached", repeated(_tmy_call(), args.seconds)),
    ]
    print(
        f"Machine: {platform.machine()}, Python {platform.python_version()}, pvlib "
        f"{pvlib.__version__}, single thread"
    )
    print()
    print("| case | quotes | median ms | p95 ms | max ms | quotes/s |")
    print("|---|---:|---:|---:|---:|---:|")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
