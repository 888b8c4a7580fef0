"""The optional TMY weather source of quotes: fetched through the safe outbound client, cached.

When `HELIO_QUOTE_WEATHER_URL` is set, a quote asks the weather service (PVGIS's TMY API, or
anything answering in its JSON layout) for the typical meteorological year of the site's 0.1°
cell — only through `helio.security.outbound.fetch` — parses it with pvlib's PVGIS reader,
checks it and keeps it 30 days in the shared state, so nearby quotes make no outbound call.
Any failure falls back to the offline clear-sky default, and the quote says so.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import zlib
from dataclasses import dataclass, replace
from typing import Any

import httpx
import numpy as np
import pandas as pd
import pvlib
import structlog

from helio.platform.app import App
from helio.platform.quote_settings import QuoteSettings
from helio.quotes.engine import EngineConfig, Location, TmyWeather
from helio.quotes.engine_result import Quote as EngineQuote
from helio.quotes.engine_weather import FloatArray, sky_digest, tmy_sky
from helio.quotes.exceptions import WeatherUnavailable
from helio.security.outbound import OutboundError, OutboundRefused, fetch

_log = structlog.get_logger(component="quotes.weather")

CACHE_TTL_SECONDS = 30 * 86_400
HOURS = 8760
# PVGIS builds its year from months of different years; the rows are put on one non-leap year.
TMY_YEAR = 1990
_CACHE_FORMAT = 1
_MAX_CACHE_JSON = 4_000_000
_REQUIRED = ("ghi", "dni", "dhi")
_OPTIONAL = ("temp_air", "wind_speed")
# The engine's bounds: no real hourly record exceeds them, unit mistakes do.
_LIMITS = {
    "ghi": (0.0, 1500.0),
    "dni": (0.0, 1500.0),
    "dhi": (0.0, 1000.0),
    "temp_air": (-70.0, 65.0),
    "wind_speed": (0.0, 75.0),
}
# Yearly global horizontal irradiation anywhere on Earth lies well inside this (kWh/m²).
_ANNUAL_GHI_KWH_M2 = (300.0, 3000.0)
_PLACE_TOLERANCE_DEG = 0.051
CLEAR_SKY_REFERENCE: dict[str, Any] = {"source": "clear-sky"}
FALLBACK_NOTE = (
    "The weather service could not provide a typical meteorological year for this location "
    "when the quote was made, so it uses the offline clear-sky estimate described above."
)


class WeatherFailure(Exception):
    """No usable weather year; `reason` is a short code for the log and the stored inputs."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class TmyYear:
    """A checked year in the PVGIS layout: hourly values from 1990-01-01 00:00 UTC."""

    name: str
    columns: dict[str, FloatArray]

    def weather(self, time_zone: str) -> TmyWeather:
        """Return the year for the engine, indexed in the site's time zone.

        PVGIS stamps each hour at its start (satellite readings are taken a few minutes
        after the hour), so the engine takes the sun at half past.
        """
        index = pd.date_range(f"{TMY_YEAR}-01-01", periods=HOURS, freq="h", tz="UTC")
        frame = pd.DataFrame(self.columns, index=index.tz_convert(time_zone))
        return TmyWeather(frame, self.name, label="start")


@dataclass(frozen=True)
class WeatherChoice:
    """The weather a quote is computed with, and what its stored inputs say about it."""

    weather: TmyWeather | None
    reference: dict[str, Any]

    def fall_back(self, reason: str) -> WeatherChoice:
        """Return the clear-sky choice that replaces this one, logging why."""
        return clear_sky_fallback(reason, self.reference.get("cell"))


def clear_sky_fallback(reason: str, cell: Any) -> WeatherChoice:
    """Return the clear-sky choice for a failed weather year, logging why (cell only, no PII)."""
    _log.warning("quote_weather_fallback", reason=reason, cell=cell)
    return WeatherChoice(None, {"source": "clear-sky", "fallback": reason})


def weather_cell(location: Location) -> tuple[float, float]:
    """Round a site's coordinates to the 0.1° cell (about 11 km) whose weather year it shares."""
    # Adding 0.0 turns -0.0 into 0.0, so both round to the same cache key.
    return round(location.latitude, 1) + 0.0, round(location.longitude, 1) + 0.0


def template_sha256(template: str) -> str:
    """Return the SHA-256 of a weather URL template (stored instead of the URL itself)."""
    return hashlib.sha256(template.encode()).hexdigest()


def cache_key(template: str, cell: tuple[float, float]) -> str:
    """Return the shared-state key of one cell's year from one weather service."""
    return f"quotes:weather:{template_sha256(template)[:16]}:{cell[0]:.1f}:{cell[1]:.1f}"


async def weather_for(app: App, location: Location) -> WeatherChoice:
    """Return the TMY of the site's cell (cached, else fetched), or clear sky and the reason.

    Args:
        app: the app's shared state, worker pool and quote settings.
        location: the site; only its 0.1° cell leaves the process.

    Returns:
        A TMY with its stored reference, or the clear-sky default (with `fallback` set when
        a configured service failed). Never raises for a failing weather service.
    """
    settings = app.quote_settings
    if not settings.weather_url:
        return WeatherChoice(None, CLEAR_SKY_REFERENCE)
    cell = weather_cell(location)
    key = cache_key(settings.weather_url, cell)
    try:
        year = await _load_year(app, settings, cell)
    except WeatherFailure as failure:
        return clear_sky_fallback(failure.reason, list(cell))
    reference = {
        "source": "tmy",
        "name": year.name,
        "cell": list(cell),
        "cache_key": key,
        "template_sha256": template_sha256(settings.weather_url),
    }
    return WeatherChoice(year.weather(location.time_zone), reference)


async def stored_weather(app: App, reference: dict[str, Any], location: Location) -> TmyWeather:
    """Return the year a stored quote used: from the cache, else fetched again.

    Raises:
        WeatherUnavailable: another weather service is configured now, or the year cannot
            be had (409); the caller never gets a different year silently.
    """
    settings = app.quote_settings
    same_service = template_sha256(settings.weather_url) == reference.get("template_sha256")
    cell = _stored_cell(reference.get("cell"))
    if not settings.weather_url or not same_service or cell is None:
        raise WeatherUnavailable
    try:
        year = await _load_year(app, settings, cell)
    except WeatherFailure:
        raise WeatherUnavailable from None
    return year.weather(location.time_zone)


def _stored_cell(value: Any) -> tuple[float, float] | None:
    if not isinstance(value, list) or len(value) != 2:
        return None
    if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in value):
        return None
    return float(value[0]), float(value[1])


def weather_digest(location: Location, weather: TmyWeather, config: EngineConfig) -> str:
    """Return the engine's SHA-256 of a weather year at a place (part of `inputs_digest`).

    Raises:
        WeatherInvalid: the engine refuses the year.
    """
    return sky_digest(tmy_sky(location, weather, config))


def with_weather_note(quote: EngineQuote, reference: dict[str, Any]) -> EngineQuote:
    """Add the fallback sentence to a quote's assumptions when its weather service failed."""
    if not reference.get("fallback"):
        return quote
    return replace(quote, assumptions=(*quote.assumptions, FALLBACK_NOTE))


async def _load_year(app: App, settings: QuoteSettings, cell: tuple[float, float]) -> TmyYear:
    key = cache_key(settings.weather_url, cell)
    cached = await app.state.get(key)
    if cached is not None:
        try:
            return await app.cpu.run(decode_year, cached)
        except WeatherFailure:
            await app.state.delete(key)
    failed_key = key + ":failed"
    if await app.state.get(failed_key) is not None:
        raise WeatherFailure("weather_recently_failed")
    try:
        year = await _fetch_year(app, settings, cell)
    except WeatherFailure:
        if settings.weather_retry_seconds:
            await app.state.set(failed_key, "1", settings.weather_retry_seconds)
        raise
    encoded = await app.cpu.run(encode_year, year)
    await app.state.set(key, encoded, CACHE_TTL_SECONDS)
    return year


async def _fetch_year(app: App, settings: QuoteSettings, cell: tuple[float, float]) -> TmyYear:
    url = settings.weather_url.format(lat=f"{cell[0]:.1f}", lon=f"{cell[1]:.1f}")
    policy = settings.weather_policy()
    host = httpx.URL(url).host
    try:
        response = await fetch("GET", url, policy=policy, headers={"Accept": "application/json"})
    except (OutboundRefused, OutboundError) as exc:
        raise WeatherFailure(exc.code) from None
    if response.status != 200:
        raise WeatherFailure("weather_http_status")
    name = f"PVGIS-format TMY from {host[:60]} for {cell[0]:.1f}, {cell[1]:.1f}"
    year = await app.cpu.run(parse_pvgis_tmy, response.body, cell, name)
    _log.info("quote_weather_fetched", host=host, cell=list(cell), size=len(response.body))
    return year


def parse_pvgis_tmy(body: bytes, cell: tuple[float, float], name: str) -> TmyYear:
    """Parse and check a PVGIS TMY JSON answer with pvlib's reader.

    Raises:
        WeatherFailure: not PVGIS TMY JSON (`weather_invalid`), for another place
            (`weather_wrong_place`), or not a complete, plausible hourly year.
    """
    try:
        text = io.StringIO(body.decode("utf-8"))
        data, meta = pvlib.iotools.read_pvgis_tmy(text, pvgis_format="json", map_variables=True)
        place = meta["inputs"]["location"]
        latitude, longitude = float(place["latitude"]), float(place["longitude"])
    except (ValueError, KeyError, TypeError, AttributeError, IndexError, RecursionError):
        # pvlib's reader indexes the decoded JSON directly; a wrong shape is any of these.
        raise WeatherFailure("weather_invalid") from None
    if max(abs(latitude - cell[0]), abs(longitude - cell[1])) > _PLACE_TOLERANCE_DEG:
        raise WeatherFailure("weather_wrong_place")
    _check_calendar(data.index)
    present = [c for c in (*_REQUIRED, *_OPTIONAL) if c in data.columns]
    try:
        columns = {c: np.asarray(data[c], dtype=np.float64) for c in present}
    except (TypeError, ValueError):
        raise WeatherFailure("weather_invalid") from None
    return checked_year(name, columns)


def _check_calendar(index: pd.Index) -> None:
    expected = pd.date_range(f"{TMY_YEAR}-01-01", periods=HOURS, freq="h", tz="UTC")
    if not isinstance(index, pd.DatetimeIndex) or len(index) != HOURS:
        raise WeatherFailure("weather_not_a_year")
    utc = index.tz_convert("UTC")
    same = (utc.month == expected.month) & (utc.day == expected.day) & (utc.hour == expected.hour)
    if not bool(np.all(same)):
        raise WeatherFailure("weather_not_a_year")


def checked_year(name: str, columns: dict[str, FloatArray]) -> TmyYear:
    """Check a year's columns: 8760 finite values each, within physical bounds.

    Raises:
        WeatherFailure: a column is missing, unknown, short, not finite or out of range,
            or the year's irradiation is implausible (`weather_implausible`).
    """
    if not set(_REQUIRED) <= columns.keys() <= {*_REQUIRED, *_OPTIONAL}:
        raise WeatherFailure("weather_invalid")
    checked: dict[str, FloatArray] = {}
    for column, values in columns.items():
        low, high = _LIMITS[column]
        if values.shape != (HOURS,) or not bool(np.all(np.isfinite(values))):
            raise WeatherFailure("weather_invalid")
        if values.min() < low or values.max() > high:
            raise WeatherFailure("weather_implausible")
        array = np.array(values, dtype=np.float64)
        array.flags.writeable = False
        checked[column] = array
    annual_kwh = float(checked["ghi"].sum()) / 1000
    if not _ANNUAL_GHI_KWH_M2[0] <= annual_kwh <= _ANNUAL_GHI_KWH_M2[1]:
        raise WeatherFailure("weather_implausible")
    if not 1 <= len(name) <= 100 or not name.isprintable():
        raise WeatherFailure("weather_invalid")
    return TmyYear(name, checked)


def encode_year(year: TmyYear) -> str:
    """Encode a year for the shared state: compact JSON, zlib, base64 (never pickle)."""
    document = {
        "format": _CACHE_FORMAT,
        "name": year.name,
        "columns": {column: values.tolist() for column, values in year.columns.items()},
    }
    raw = json.dumps(document, separators=(",", ":"), allow_nan=False).encode()
    return base64.b64encode(zlib.compress(raw, 6)).decode("ascii")


def decode_year(text: str) -> TmyYear:
    """Decode and re-check a cached year.

    Raises:
        WeatherFailure: the entry is damaged, too large once inflated, or fails the checks.
    """
    try:
        inflater = zlib.decompressobj()
        raw = inflater.decompress(base64.b64decode(text, validate=True), _MAX_CACHE_JSON)
        if inflater.unconsumed_tail or not inflater.eof:
            raise ValueError("cached weather entry too large or truncated")
        document = json.loads(raw)
        if document["format"] != _CACHE_FORMAT:
            raise ValueError("unknown cache format")
        name = document["name"]
        columns = {
            str(column): np.asarray(values, dtype=np.float64)
            for column, values in document["columns"].items()
        }
    except (zlib.error, ValueError, KeyError, TypeError, AttributeError):
        raise WeatherFailure("weather_cache_invalid") from None
    if not isinstance(name, str):
        raise WeatherFailure("weather_cache_invalid")
    return checked_year(name, columns)
