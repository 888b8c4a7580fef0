"""The optional TMY weather source: fetched through the safe outbound client, cached, and
falling back to clear sky (stated in the quote) whenever the service fails or is refused."""

from __future__ import annotations

import base64
import json
import socket
import threading
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, cast
from urllib.parse import parse_qs, urlsplit

import numpy as np
import pandas as pd
import pvlib
import pytest
from pydantic import ValidationError
from structlog.testing import capture_logs
from tests.factories.accounts import ctx
from tests.factories.audit import raw_row
from tests.factories.sites import MONTHLY_KWH, Caller, bearer_customer
from tests.fixtures.apps import use
from tests.fixtures.principals import Harness

from helio.platform.app import App
from helio.platform.quote_settings import QuoteSettings
from helio.quotes import service
from helio.quotes.engine import MODEL_VERSION, QuoteInputs, TmyWeather, compute_quote
from helio.quotes.exceptions import WeatherMismatch, WeatherUnavailable
from helio.quotes.weather import (
    FALLBACK_NOTE,
    TmyYear,
    WeatherFailure,
    cache_key,
    checked_year,
    decode_year,
    encode_year,
)

pytestmark = [pytest.mark.mysql, pytest.mark.redis]

GREENSBORO_TMY3 = Path(pvlib.__file__).parent / "data" / "723170TYA.CSV"
# The station (36.1 N, 79.95 W) and a house about 3 km away: both fall in the cell 36.1, -80.0.
STATION = {"latitude": 36.1, "longitude": -79.95}
NEIGHBOUR = {"latitude": 36.12, "longitude": -79.97}
GREENSBORO_SITE = {
    "timezone": "America/New_York",
    "address": {
        "line1": "1 Elm Street",
        "city": "Greensboro",
        "region": "NC",
        "postal_code": "27401",
        "country": "US",
    },
}
# PVGIS assembles its year from months of different years; so does the served file.
MONTH_YEARS = (2007, 2012, 2010, 2005, 2016, 2009, 2014, 2006, 2011, 2019, 2008, 2013)


# --- a PVGIS TMY service on 127.0.0.1, serving the Greensboro TMY3 that ships with pvlib --------


@pytest.fixture(scope="module")
def greensboro() -> pd.DataFrame:
    """The Greensboro TMY3 (hour-ending, UTC-5) with the engine's column names."""
    data, _ = pvlib.iotools.read_tmy3(GREENSBORO_TMY3, coerce_year=1990)
    return data


def pvgis_rows(tmy3: pd.DataFrame) -> list[dict[str, Any]]:
    """Rewrite a TMY3 in the layout of PVGIS's `tmy_hourly` (see pvlib's read_pvgis_tmy).

    PVGIS stamps each hour at its start in UTC, from 00:00 on 1 January; TMY3 stamps the end
    of each hour in local standard time, so the values are rolled by the UTC offset (the
    last evening hours of the year wrap to the first UTC hours, as PVGIS's own files do).
    """
    offset = tmy3.index[0].utcoffset()
    assert offset is not None
    shift = -int(offset.total_seconds() // 3600)  # 5 for UTC-5
    hours = pd.date_range("1990-01-01", periods=8760, freq="h", tz="UTC")
    stamps = [f"{MONTH_YEARS[t.month - 1]}{t.month:02d}{t.day:02d}:{t.hour:02d}00" for t in hours]
    columns = {
        "T2m": "temp_air",
        "RH": "relative_humidity",
        "G(h)": "ghi",
        "Gb(n)": "dni",
        "Gd(h)": "dhi",
        "WS10m": "wind_speed",
        "WD10m": "wind_direction",
    }
    rolled = {
        name: np.roll(tmy3[source].to_numpy(float), shift) for name, source in columns.items()
    }
    rolled["SP"] = np.roll(tmy3["pressure"].to_numpy(float) * 100, shift)  # mbar -> Pa
    # TMY3 has no downward infrared (IR(h)); nothing here reads it.
    return [
        {"time(UTC)": stamp, **{name: float(values[i]) for name, values in rolled.items()}}
        for i, stamp in enumerate(stamps)
    ]


def pvgis_document(rows: list[dict[str, Any]], lat: float, lon: float) -> dict[str, Any]:
    """Wrap hourly rows in the rest of PVGIS's TMY JSON answer."""
    return {
        "inputs": {
            "location": {"latitude": lat, "longitude": lon, "elevation": 273.0},
            "meteo_data": {"radiation_db": "TMY3-723170", "year_min": 2005, "year_max": 2020},
        },
        "outputs": {
            "months_selected": [{"month": m + 1, "year": y} for m, y in enumerate(MONTH_YEARS)],
            "tmy_hourly": rows,
        },
        "meta": {"inputs": {"location": {"description": "Selected location"}}, "outputs": {}},
    }


@dataclass
class Seen:
    """What the weather server was asked."""

    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)


class _WeatherHandler(BaseHTTPRequestHandler):
    seen: Seen
    rows: list[dict[str, Any]]

    def log_message(self, format: str, *args: Any) -> None:
        """Keep the test output quiet."""

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        self.seen.requests.append((parts.path, query))
        if parts.path == "/tmy":
            document = pvgis_document(self.rows, float(query["lat"]), float(query["lon"]))
            self._send(200, json.dumps(document).encode())
        elif parts.path == "/kilowatts":  # irradiance in kW/m²: a unit mistake
            rows = [{**r, "G(h)": r["G(h)"] / 1000} for r in self.rows]
            document = pvgis_document(rows, float(query["lat"]), float(query["lon"]))
            self._send(200, json.dumps(document).encode())
        elif parts.path == "/elsewhere":  # the year of another place
            self._send(200, json.dumps(pvgis_document(self.rows, 48.1, 11.6)).encode())
        elif parts.path == "/garbage":
            self._send(200, b"\x89PNG\r\n\x1a\n{not json")
        elif parts.path == "/metadata":
            port = int(cast(tuple[str, int], self.server.server_address)[1])
            self._send(302, b"", location=f"http://169.254.169.254:{port}/latest/meta-data/")
        else:
            self._send(500, b'{"message": "internal error"}')

    def _send(self, status: int, body: bytes, *, location: str | None = None) -> None:
        self.send_response(status)
        if location is not None:
            self.send_header("Location", location)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture(scope="module")
def served_rows(greensboro: pd.DataFrame) -> list[dict[str, Any]]:
    return pvgis_rows(greensboro)


@pytest.fixture
def weather_server(served_rows: list[dict[str, Any]]) -> Iterator[tuple[int, Seen]]:
    seen = Seen()
    handler = type("Handler", (_WeatherHandler,), {"seen": seen, "rows": served_rows})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    yield server.server_address[1], seen
    server.shutdown()
    server.server_close()


@pytest.fixture
def weather(auth: Harness) -> Harness:
    """The app harness; its quote settings start at the defaults (no weather service)."""
    return auth


def use_weather(harness: Harness, port: int, path: str = "/tmy", **changes: Any) -> None:
    """Point the quotes at the local server, allowlisted explicitly as a private host."""
    options: dict[str, Any] = {
        "weather_url": f"http://127.0.0.1:{port}{path}?lat={{lat}}&lon={{lon}}&outputformat=json",
        "weather_private_hosts": ["127.0.0.1"],
        "weather_ports": [port],
    }
    use(harness.app, quote_settings=QuoteSettings(**(options | changes)))


async def quote_at(me: Caller, place: dict[str, float]) -> dict[str, Any]:
    """Create a Greensboro-area site with the usual use and quote it through the API."""
    site_id = await me.new_site(**GREENSBORO_SITE, **place)
    usage = await me.request(
        "PUT", f"/api/v1/sites/{site_id}/usage", json={"monthly_kwh": MONTHLY_KWH}
    )
    assert usage.status_code == 200, usage.text
    answer = await me.request("POST", "/api/v1/quotes", json={"site_id": site_id})
    assert answer.status_code == 201, answer.text
    return dict(answer.json())


async def stored_row(app_state: App, quote_id: str) -> dict[str, Any]:
    """The stored quote as a database reader sees it."""
    sql = "SELECT inputs, model_version, inputs_digest, result FROM quotes WHERE id = :id"
    row = await raw_row(app_state, sql, id=quote_id)
    assert row is not None
    return {k: json.loads(v) if k in ("inputs", "result") else v for k, v in row.items()}


def assert_clear_sky_fallback(quote: dict[str, Any], reason: str) -> None:
    assert quote["inputs"]["weather"] == {"source": "clear-sky", "fallback": reason}
    assert quote["inputs"]["weather_sha256"] is None
    assert quote["result"]["weather_source"].startswith("clear-sky")
    assumptions = quote["result"]["assumptions"]
    assert "clear-sky-based estimate" in assumptions[0]
    assert assumptions[-1] == FALLBACK_NOTE


# --- the weather year is used, cached and reproducible ------------------------------------------


class TestTmyQuotes:
    async def test_quote_uses_the_served_tmy_and_matches_the_engine(
        self, weather: Harness, weather_server: tuple[int, Seen], greensboro: pd.DataFrame
    ) -> None:
        port, seen = weather_server
        me = await bearer_customer(weather)
        clear = await quote_at(me, STATION)
        use_weather(weather, port)
        quote = await quote_at(me, STATION)

        # Only the rounded 0.1° cell left the process.
        assert seen.requests == [("/tmy", {"lat": "36.1", "lon": "-80.0", "outputformat": "json"})]
        result = quote["result"]
        assert result["weather_source"] == "TMY: PVGIS-format TMY from 127.0.0.1 for 36.1, -80.0"
        assert "(TMY: PVGIS-format TMY from 127.0.0.1" in result["assumptions"][0]
        assert FALLBACK_NOTE not in result["assumptions"]
        assert quote["inputs"]["weather"]["source"] == "tmy"
        assert len(quote["inputs"]["weather_sha256"]) == 64
        assert "127.0.0.1:" not in json.dumps(quote["inputs"])  # the service URL is not stored

        annual = result["annual_production_kwh"]
        assert abs(annual / clear["result"]["annual_production_kwh"] - 1) > 0.01
        inputs = QuoteInputs.model_validate(quote["inputs"]["inputs"])
        columns = ["ghi", "dni", "dhi", "temp_air", "wind_speed"]
        direct = compute_quote(
            inputs, weather=TmyWeather(greensboro[columns], "Greensboro TMY3", label="end")
        )
        assert annual == pytest.approx(direct.annual_production_kwh, rel=0.001)

    async def test_a_nearby_site_uses_the_cached_year(
        self, weather: Harness, weather_server: tuple[int, Seen]
    ) -> None:
        port, seen = weather_server
        use_weather(weather, port)
        me = await bearer_customer(weather)
        first = await quote_at(me, STATION)
        second = await quote_at(me, NEIGHBOUR)
        assert len(seen.requests) == 1
        assert second["inputs"]["weather"] == first["inputs"]["weather"]
        assert second["result"]["weather_source"].startswith("TMY: ")
        key = cache_key(weather.app_state.quote_settings.weather_url, (36.1, -80.0))
        assert first["inputs"]["weather"]["cache_key"] == key
        assert 29 * 86_400 < await weather.app_state.state.ttl(key) <= 30 * 86_400

    async def test_stored_tmy_quote_is_recomputed_from_cache_or_fetched_again(
        self, weather: Harness, weather_server: tuple[int, Seen]
    ) -> None:
        port, seen = weather_server
        use_weather(weather, port)
        quote = await quote_at(await bearer_customer(weather), STATION)
        stored = await stored_row(weather.app_state, quote["id"])

        again = await service.recompute_stored(
            ctx(weather.app_state), stored=stored["inputs"], model_version=stored["model_version"]
        )
        assert again.inputs_digest == stored["inputs_digest"]
        assert again.to_dict() == stored["result"]
        assert len(seen.requests) == 1  # from the cache

        await weather.app_state.state.delete(stored["inputs"]["weather"]["cache_key"])
        fetched = await service.recompute_stored(
            ctx(weather.app_state), stored=stored["inputs"], model_version=MODEL_VERSION
        )
        assert fetched.to_dict() == stored["result"]
        assert len(seen.requests) == 2  # the same year, fetched again

    async def test_recompute_refuses_another_year_or_another_service(
        self, weather: Harness, weather_server: tuple[int, Seen], greensboro: pd.DataFrame
    ) -> None:
        port, _ = weather_server
        use_weather(weather, port)
        quote = await quote_at(await bearer_customer(weather), STATION)
        stored = await stored_row(weather.app_state, quote["id"])
        other = greensboro[["ghi", "dni", "dhi"]]
        with pytest.raises(WeatherMismatch):
            service.recompute(stored["inputs"], MODEL_VERSION, TmyWeather(other, "x", "end"))
        with pytest.raises(WeatherMismatch):
            service.recompute(stored["inputs"], MODEL_VERSION)
        use_weather(weather, port, path="/another-service")
        with pytest.raises(WeatherUnavailable) as refused:
            await service.recompute_stored(
                ctx(weather.app_state), stored=stored["inputs"], model_version=MODEL_VERSION
            )
        assert refused.value.status == 409

    async def test_fallback_quote_is_recomputed_with_its_note(
        self, weather: Harness, weather_server: tuple[int, Seen]
    ) -> None:
        port, _ = weather_server
        use_weather(weather, port, path="/down")
        quote = await quote_at(await bearer_customer(weather), STATION)
        stored = await stored_row(weather.app_state, quote["id"])
        again = await service.recompute_stored(
            ctx(weather.app_state), stored=stored["inputs"], model_version=MODEL_VERSION
        )
        assert again.to_dict() == stored["result"]
        assert again.assumptions[-1] == FALLBACK_NOTE


# --- every failure falls back to clear sky, stated in the quote; never a 5xx --------------------


class TestFallback:
    @pytest.mark.asvs("V1.3.6", "V15.3.2")
    @pytest.mark.parametrize(
        ("path", "changes", "reason"),
        [
            ("/down", {}, "weather_http_status"),
            ("/garbage", {}, "weather_invalid"),
            ("/kilowatts", {}, "weather_implausible"),
            ("/elsewhere", {}, "weather_wrong_place"),
            ("/tmy", {"weather_max_bytes": 100_000}, "outbound_response_too_large"),
            ("/metadata", {}, "outbound_refused"),
        ],
        ids=["500", "garbage", "kilowatts", "elsewhere", "oversize", "redirect_to_metadata"],
    )
    async def test_failing_service_falls_back_to_clear_sky(
        self,
        weather: Harness,
        weather_server: tuple[int, Seen],
        path: str,
        changes: dict[str, Any],
        reason: str,
    ) -> None:
        port, seen = weather_server
        use_weather(weather, port, path=path, **changes)
        me = await bearer_customer(weather)
        with capture_logs() as logs:
            quote = await quote_at(me, STATION)
        assert_clear_sky_fallback(quote, reason)
        assert [p for p, _ in seen.requests] == [path]  # the redirect target was never asked
        fallback = [e for e in logs if e["event"] == "quote_weather_fallback"]
        assert fallback == [
            {
                "event": "quote_weather_fallback",
                "log_level": "warning",
                "component": "quotes.weather",
                "reason": reason,
                "cell": [36.1, -80.0],
            }
        ]
        if path == "/metadata":
            refused = [e for e in logs if e["event"] == "outbound_refused"]
            assert refused
            assert refused[0]["host"] == "169.254.169.254"

    async def test_failure_is_not_retried_at_once(
        self, weather: Harness, weather_server: tuple[int, Seen]
    ) -> None:
        port, seen = weather_server
        use_weather(weather, port, path="/down")
        me = await bearer_customer(weather)
        assert_clear_sky_fallback(await quote_at(me, STATION), "weather_http_status")
        assert_clear_sky_fallback(await quote_at(me, NEIGHBOUR), "weather_recently_failed")
        assert len(seen.requests) == 1

    async def test_silent_service_times_out_into_clear_sky(self, weather: Harness) -> None:
        with socket.socket() as listener:  # accepts connections (backlog), never answers
            listener.bind(("127.0.0.1", 0))
            listener.listen(8)
            port = listener.getsockname()[1]
            use_weather(weather, port, weather_timeout_seconds=0.5)
            quote = await quote_at(await bearer_customer(weather), STATION)
        assert_clear_sky_fallback(quote, "outbound_failed")

    @pytest.mark.asvs("V1.3.6", "V13.2.4")
    async def test_private_address_not_allowlisted_is_refused(
        self, weather: Harness, weather_server: tuple[int, Seen]
    ) -> None:
        port, seen = weather_server
        # https and a name, so the settings accept it; the name resolves to 127.0.0.1, which
        # no weather_private_hosts entry allows.
        use(
            weather.app,
            quote_settings=QuoteSettings(
                weather_url=f"https://localhost:{port}/tmy?lat={{lat}}&lon={{lon}}",
                weather_ports=[port],
            ),
        )
        with capture_logs() as logs:
            quote = await quote_at(await bearer_customer(weather), STATION)
        assert_clear_sky_fallback(quote, "outbound_refused")
        assert seen.requests == []
        refused = [e for e in logs if e["event"] == "outbound_refused"]
        assert refused[0]["reason"] == "address"
        assert refused[0]["address"] == "127.0.0.1"


class TestWeatherSettings:
    @pytest.mark.asvs("V1.3.6", "V13.2.4")
    @pytest.mark.parametrize(
        "options",
        [
            {"weather_url": "https://127.0.0.1/tmy?lat={lat}&lon={lon}"},
            {"weather_url": "https://2130706433/tmy?lat={lat}&lon={lon}"},
            {"weather_url": "https://169.254.169.254/tmy?lat={lat}&lon={lon}"},
            {"weather_url": "http://re.jrc.ec.europa.eu/api/v5_2/tmy?lat={lat}&lon={lon}"},
            {"weather_url": "https://re.jrc.ec.europa.eu:8443/tmy?lat={lat}&lon={lon}"},
            {"weather_url": "https://re.jrc.ec.europa.eu/tmy?lat={lat.real}&lon={lon}"},
            {"weather_url": "https://re.jrc.ec.europa.eu/tmy?lat={lat}"},
            {"weather_url": "https://re.jrc.ec.europa.eu/tmy?lat={lat:.3f}&lon={lon}"},
            {
                "weather_url": "https://re.jrc.ec.europa.eu/tmy?lat={lat}&lon={lon}",
                "weather_hosts": ["weather.example.com"],
            },
        ],
        ids=[
            "loopback",
            "decimal_loopback",
            "metadata",
            "plain_http",
            "port",
            "attribute",
            "no_lon",
            "format",
            "not_in_host_allowlist",
        ],
    )
    def test_unsafe_weather_url_is_refused_at_startup(self, options: dict[str, Any]) -> None:
        with pytest.raises(ValidationError):
            QuoteSettings(**options)

    def test_pvgis_template_gives_an_https_only_policy_for_its_host(self) -> None:
        settings = QuoteSettings(
            weather_url="https://re.jrc.ec.europa.eu/api/v5_2/tmy?lat={lat}&lon={lon}&outputformat=json"
        )
        policy = settings.weather_policy()
        assert policy.allowed_schemes == {"https"}
        assert policy.allowed_hosts == frozenset({"re.jrc.ec.europa.eu"})
        assert policy.allowed_ports == {443}
        assert policy.allow_private_hosts == frozenset()
        assert policy.max_response_bytes == 4_000_000

    def test_lists_come_from_comma_separated_variables(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setenv(
            "HELIO_QUOTE_WEATHER_URL", "http://weather.internal:8080/t?a={lat}&b={lon}"
        )
        monkeypatch.setenv("HELIO_QUOTE_WEATHER_PRIVATE_HOSTS", "weather.internal, other.internal")
        monkeypatch.setenv("HELIO_QUOTE_WEATHER_PORTS", "8080")
        policy = QuoteSettings().weather_policy()
        assert policy.allowed_schemes == {"https", "http"}
        assert policy.allow_private_hosts == frozenset({"weather.internal", "other.internal"})
        assert policy.allowed_hosts == frozenset({"weather.internal"})


# --- the cache encoding -------------------------------------------------------------------------


def _year(greensboro: pd.DataFrame) -> TmyYear:
    columns = {c: greensboro[c].to_numpy(float) for c in ("ghi", "dni", "dhi", "temp_air")}
    return checked_year("Greensboro", columns)


class TestCacheEncoding:
    def test_round_trip_is_exact(self, greensboro: pd.DataFrame) -> None:
        year = _year(greensboro)
        back = decode_year(encode_year(year))
        assert back.name == year.name
        assert back.columns.keys() == year.columns.keys()
        for column, values in year.columns.items():
            assert np.array_equal(back.columns[column], values)

    @pytest.mark.parametrize(
        "entry",
        [
            "not base64!",
            base64.b64encode(b"not zlib").decode(),
            base64.b64encode(zlib.compress(b"[1, 2]")).decode(),
            base64.b64encode(zlib.compress(b"\0" * 20_000_000, 9)).decode(),  # inflation bomb
            base64.b64encode(zlib.compress(b'{"format": 1, "name": "x", "columns": {}}')).decode(),
        ],
        ids=["base64", "zlib", "shape", "bomb", "columns"],
    )
    def test_damaged_entry_is_refused(self, entry: str) -> None:
        with pytest.raises(WeatherFailure):
            decode_year(entry)

    async def test_damaged_cache_entry_is_fetched_again(
        self, weather: Harness, weather_server: tuple[int, Seen]
    ) -> None:
        port, seen = weather_server
        use_weather(weather, port)
        key = cache_key(weather.app_state.quote_settings.weather_url, (36.1, -80.0))
        await weather.app_state.state.set(key, "garbage", 60)
        quote = await quote_at(await bearer_customer(weather), STATION)
        assert quote["inputs"]["weather"]["source"] == "tmy"
        assert len(seen.requests) == 1

    @pytest.mark.parametrize("column", ["ghi", "dhi"])
    def test_negative_or_missing_irradiance_is_refused(
        self, greensboro: pd.DataFrame, column: str
    ) -> None:
        columns = {c: greensboro[c].to_numpy(float) for c in ("ghi", "dni", "dhi")}
        bad = columns[column].copy()
        bad[4000] = -5.0
        with pytest.raises(WeatherFailure):
            checked_year("x", {**columns, column: bad})
        bad[4000] = np.nan
        with pytest.raises(WeatherFailure):
            checked_year("x", {**columns, column: bad})
        with pytest.raises(WeatherFailure):
            checked_year("x", {k: v for k, v in columns.items() if k != column})
