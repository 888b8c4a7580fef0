"""Green Button (ESPI) parsing: the right totals from valid exports, a clear 422 for the rest."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from tests.factories.sites import DAYS, GREEN_BUTTON_SAMPLE, SAMPLE_DAILY_WH

from helio.errors import ValidationFailed
from helio.security.xml import MalformedXml, UnsafeXml
from helio.sites.exceptions import GreenButtonInvalid
from helio.sites.greenbutton import ESPI_NS, parse_green_button

SAMPLE = GREEN_BUTTON_SAMPLE
PST = -8 * 3600
JAN_1_2023_PST = int(datetime(2023, 1, 1, 8, tzinfo=UTC).timestamp())


def _feed(
    readings: list[tuple[int, int, int]],
    *,
    uom: int = 72,
    power: int = 0,
    tz_offset: int | None = PST,
    namespace: str = ESPI_NS,
    flow: int = 1,
) -> bytes:
    """Build an ESPI Atom feed with one ReadingType and one IntervalBlock of (start, s, value)."""
    local = (
        f"<entry><content><espi:LocalTimeParameters><espi:dstOffset>3600</espi:dstOffset>"
        f"<espi:tzOffset>{tz_offset}</espi:tzOffset></espi:LocalTimeParameters></content></entry>"
        if tz_offset is not None
        else ""
    )
    body = "".join(
        f"<espi:IntervalReading><espi:timePeriod><espi:duration>{d}</espi:duration>"
        f"<espi:start>{s}</espi:start></espi:timePeriod><espi:value>{v}</espi:value>"
        "</espi:IntervalReading>"
        for s, d, v in readings
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<feed xmlns="http://www.w3.org/2005/Atom" xmlns:espi="{namespace}">{local}'
        "<entry><content><espi:ReadingType><espi:flowDirection>"
        f"{flow}</espi:flowDirection><espi:kind>12</espi:kind>"
        f"<espi:powerOfTenMultiplier>{power}</espi:powerOfTenMultiplier><espi:uom>{uom}</espi:uom>"
        "</espi:ReadingType></content></entry>"
        f"<entry><content><espi:IntervalBlock>{body}</espi:IntervalBlock></content></entry></feed>"
    ).encode()


def _hourly_wh(hour: int, month: int) -> int:
    """A household shape: 300 Wh base, evening peak 17-21 h, more in winter months."""
    return 300 + (700 if 17 <= hour <= 21 else 0) + (200 if month in (0, 1, 11) else 0)


def _hourly_year() -> list[tuple[int, int, int]]:
    readings = []
    for i in range(8760):
        start = JAN_1_2023_PST + i * 3600
        local = datetime.fromtimestamp(start + PST, UTC)
        readings.append((start, 3600, _hourly_wh(local.hour, local.month - 1)))
    return readings


def _daily_year(value: int = 24000, days: int = 365) -> list[tuple[int, int, int]]:
    return [(JAN_1_2023_PST + d * 86400, 86400, value) for d in range(days)]


def _invalid(data: bytes) -> ValidationFailed:
    with pytest.raises(ValidationFailed) as caught:
        parse_green_button(data)
    assert caught.value.status == 422
    return caught.value


def test_checked_in_sample_parses_to_its_monthly_totals() -> None:
    profile = parse_green_button(SAMPLE.read_bytes())
    expected = tuple(wh * days / 1000 for wh, days in zip(SAMPLE_DAILY_WH, DAYS, strict=True))
    assert profile.monthly_kwh == pytest.approx(expected, abs=1e-6)
    assert profile.annual_kwh == pytest.approx(9641.0)
    assert profile.reading_count == 365
    assert profile.interval_seconds == 86400
    assert profile.utc_offset_seconds == PST
    assert profile.hourly_kwh is None  # daily readings have no hour-of-day shape
    assert profile.first_start == datetime(2023, 1, 1, 8, tzinfo=UTC)
    assert profile.last_end == datetime(2024, 1, 1, 8, tzinfo=UTC)


def test_a_year_of_hourly_readings_gives_totals_and_hour_of_day_profile() -> None:
    profile = parse_green_button(_feed(_hourly_year()))
    assert profile.reading_count == 8760
    assert profile.interval_seconds == 3600
    for month, days in enumerate(DAYS):
        daily_wh = sum(_hourly_wh(h, month) for h in range(24))
        assert profile.monthly_kwh[month] == pytest.approx(daily_wh * days / 1000)
    assert profile.hourly_kwh is not None
    assert profile.hourly_kwh[0][3] == pytest.approx(0.5)
    assert profile.hourly_kwh[6][18] == pytest.approx(1.0)
    assert profile.hourly_kwh[6][3] == pytest.approx(0.3)


def test_power_of_ten_multiplier_scales_values() -> None:
    in_wh = parse_green_button(_feed(_daily_year(24000)))
    in_kwh = parse_green_button(_feed(_daily_year(24), power=3))
    assert in_kwh.monthly_kwh == pytest.approx(in_wh.monthly_kwh)
    assert in_wh.annual_kwh == pytest.approx(24 * 365)


def test_more_than_a_year_averages_each_calendar_month() -> None:
    readings = _daily_year(24000, days=365) + [
        (JAN_1_2023_PST + d * 86400, 86400, 48000) for d in range(365, 365 + 31)
    ]
    profile = parse_green_button(_feed(readings))
    assert profile.monthly_kwh[0] == pytest.approx(31 * 36.0)  # two Januaries, 24 and 48 kWh/day
    assert profile.monthly_kwh[1] == pytest.approx(28 * 24.0)


def test_without_tz_offset_months_are_utc() -> None:
    profile = parse_green_button(_feed(_daily_year(), tz_offset=None))
    assert profile.utc_offset_seconds == 0
    assert profile.annual_kwh == pytest.approx(24 * 365)


@pytest.mark.asvs("V2.2.1")
@pytest.mark.parametrize(("uom", "reason"), [(38, "watt-hours"), (119, "watt-hours")])
def test_other_units_are_refused(uom: int, reason: str) -> None:
    error = _invalid(_feed(_daily_year(), uom=uom))
    assert isinstance(error, GreenButtonInvalid)
    assert reason in error.message


@pytest.mark.asvs("V2.2.1")
def test_wrong_namespace_is_refused_with_the_reason() -> None:
    error = _invalid(_feed(_daily_year(), namespace="http://example.com/not-espi"))
    assert "namespace" in error.message


@pytest.mark.asvs("V2.2.1")
def test_foreign_root_is_refused() -> None:
    error = _invalid(b'<html xmlns="http://www.w3.org/1999/xhtml"><body/></html>')
    assert "ESPI" in error.message


@pytest.mark.asvs("V2.2.1")
def test_no_readings_is_refused() -> None:
    error = _invalid(_feed([]))
    assert "no interval readings" in error.message


@pytest.mark.asvs("V2.2.1")
def test_negative_reading_is_refused() -> None:
    readings = _daily_year()
    readings[40] = (readings[40][0], 86400, -5)
    assert "Negative" in _invalid(_feed(readings)).message


@pytest.mark.asvs("V2.2.1")
def test_absurd_reading_is_refused() -> None:
    readings = _daily_year()
    readings[100] = (readings[100][0], 86400, 10_000_000_000)
    assert "100 kW" in _invalid(_feed(readings)).message


@pytest.mark.asvs("V2.2.3")
def test_duplicate_or_overlapping_intervals_are_refused() -> None:
    readings = _daily_year()
    readings.append(readings[10])
    assert "overlap" in _invalid(_feed(readings)).message


@pytest.mark.asvs("V2.2.3")
def test_less_than_a_year_is_refused() -> None:
    error = _invalid(_feed(_daily_year(days=90)))
    assert "full year" in error.message


@pytest.mark.asvs("V2.2.1")
@pytest.mark.parametrize(
    ("text", "reason"),
    [("12.5", "not an integer"), ("1e9", "not an integer"), ("", "missing")],
)
def test_non_integer_values_are_refused(text: str, reason: str) -> None:
    data = _feed(_daily_year()).replace(b"<espi:value>24000<", f"<espi:value>{text}<".encode(), 1)
    assert reason in _invalid(data).message


@pytest.mark.asvs("V2.2.1")
def test_reverse_flow_is_refused() -> None:
    assert "delivered" in _invalid(_feed(_daily_year(), flow=19)).message


@pytest.mark.asvs("V2.2.1")
def test_durations_outside_minute_to_day_are_refused() -> None:
    readings = [(JAN_1_2023_PST, 7 * 86400, 10_000)]
    assert "durations" in _invalid(_feed(readings)).message


@pytest.mark.asvs("V1.5.1")
@pytest.mark.parametrize(
    ("attack", "kind"),
    [
        (
            b'<?xml version="1.0"?><!DOCTYPE feed [<!ENTITY a "aaaaaaaaaa">'
            b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><feed>&b;</feed>',
            UnsafeXml,
        ),
        (
            b'<!DOCTYPE feed [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
            b'<feed xmlns="http://www.w3.org/2005/Atom">&x;</feed>',
            UnsafeXml,
        ),
        (
            b'<!DOCTYPE feed [<!ENTITY x SYSTEM "http://127.0.0.1:9/x">]><feed>&x;</feed>',
            UnsafeXml,
        ),
        (b'<!DOCTYPE feed SYSTEM "espi.dtd"><feed/>', UnsafeXml),
        (b"<feed>" * 1000 + b"</feed>" * 1000, UnsafeXml),
        (b"<feed>" + b"<e/>" * 250_001 + b"</feed>", UnsafeXml),
        (b"<feed>" + b" " * 5_000_001 + b"</feed>", UnsafeXml),
        (b"\x00\x01garbage\xff", MalformedXml),
        (b"", MalformedXml),
    ],
    ids=[
        "billion-laughs",
        "xxe-file",
        "xxe-http",
        "dtd",
        "deep",
        "too-many-elements",
        "oversize",
        "garbage",
        "empty",
    ],
)
def test_hostile_uploads_are_422_never_another_error(
    attack: bytes, kind: type[ValidationFailed]
) -> None:
    error = _invalid(attack)
    assert isinstance(error, kind)
