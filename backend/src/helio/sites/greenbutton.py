"""Green Button (NAESB ESPI) usage exports to 12 monthly kWh and an hourly profile.

The document is parsed only through `helio.security.xml.parse_untrusted_xml`. Readings are
assigned to the local month and hour of their start (ESPI times are UTC seconds; the file's
LocalTimeParameters.tzOffset is applied, its daylight-saving rule is not). A month's total is
its mean daily use over the days it covers, times its length in a non-leap year, so exports
that start mid-month or span more than a year still give one typical year.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np
import numpy.typing as npt

from helio.security.xml import Element, parse_untrusted_xml
from helio.sites.exceptions import GreenButtonInvalid

ESPI_NS = "http://naesb.org/espi"
ATOM_NS = "http://www.w3.org/2005/Atom"
UOM_WATT_HOURS = 72
FLOW_FORWARD = 1
MAX_AVERAGE_WATTS = 100_000  # a home's service rarely exceeds 50 kW; twice that is not a home
MIN_DAYS_PER_MONTH = 7
_DAY = 86_400
_DAYS_IN_MONTH = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=np.float64)
_EARLIEST = int(datetime(2000, 1, 1, tzinfo=UTC).timestamp())
_LATEST = int(datetime(2100, 1, 1, tzinfo=UTC).timestamp())
_INTEGER = re.compile(r"\s*-?\d{1,15}\s*")


@dataclass(frozen=True, slots=True)
class UsageProfile:
    """A typical year of use derived from the readings.

    `hourly_kwh[m][h]` is the mean kWh used in hour h (local standard time) of a day in month
    m; it is None when the readings are coarser than an hour (e.g. daily).
    """

    monthly_kwh: tuple[float, ...]
    hourly_kwh: tuple[tuple[float, ...], ...] | None
    annual_kwh: float
    reading_count: int
    interval_seconds: int
    utc_offset_seconds: int
    first_start: datetime
    last_end: datetime


def _q(name: str) -> str:
    return f"{{{ESPI_NS}}}{name}"


def _local_name(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _integer(element: Element | None, what: str, default: int | None = None) -> int:
    text = element.text if element is not None else None
    if text is None:
        if default is not None:
            return default
        raise GreenButtonInvalid(f"A required {what} is missing.")
    if not _INTEGER.fullmatch(text):
        raise GreenButtonInvalid(f"A {what} is not an integer.")
    return int(text)


def _check_document(root: Element) -> list[Element]:
    if root.tag not in (f"{{{ATOM_NS}}}feed", f"{{{ATOM_NS}}}entry") and not root.tag.startswith(
        f"{{{ESPI_NS}}}"
    ):
        raise GreenButtonInvalid("The document is not an ESPI (Green Button) Atom feed.")
    readings = list(root.iter(_q("IntervalReading")))
    if not readings:
        foreign = (e for e in root.iter() if not e.tag.startswith(f"{{{ESPI_NS}}}"))
        if any(_local_name(e.tag) in ("IntervalReading", "IntervalBlock") for e in foreign):
            raise GreenButtonInvalid(f"Interval data must be in the ESPI namespace {ESPI_NS}.")
        raise GreenButtonInvalid("The document holds no interval readings.")
    return readings


def _unit_multiplier(root: Element) -> float:
    kinds = {
        (
            _integer(rt.find(_q("uom")), "ReadingType uom"),
            _integer(rt.find(_q("powerOfTenMultiplier")), "powerOfTenMultiplier", 0),
            _integer(rt.find(_q("flowDirection")), "flowDirection", FLOW_FORWARD),
        )
        for rt in root.iter(_q("ReadingType"))
    }
    if not kinds:
        raise GreenButtonInvalid("The document has no ReadingType, so its unit is unknown.")
    if len(kinds) > 1:
        raise GreenButtonInvalid("Only one kind of reading per upload is supported.")
    uom, power, flow = kinds.pop()
    if uom != UOM_WATT_HOURS:
        raise GreenButtonInvalid("Only readings in watt-hours (ESPI uom 72) are supported.")
    if not -3 <= power <= 6:
        raise GreenButtonInvalid("The powerOfTenMultiplier is outside -3..6.")
    if flow != FLOW_FORWARD:
        raise GreenButtonInvalid("The readings are not energy delivered to the home.")
    return float(10**power)


def _utc_offset(root: Element) -> int:
    offsets = {_integer(e, "tzOffset") for e in root.iter(_q("tzOffset"))}
    if len(offsets) > 1:
        raise GreenButtonInvalid("The document has conflicting time-zone offsets.")
    offset = offsets.pop() if offsets else 0
    if abs(offset) > 14 * 3600:
        raise GreenButtonInvalid("The tzOffset is outside ±14 hours.")
    return offset


def _reading_arrays(
    readings: list[Element],
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.float64]]:
    starts, durations, values = [], [], []
    for reading in readings:
        period = reading.find(_q("timePeriod"))
        if period is None:
            raise GreenButtonInvalid("An IntervalReading has no timePeriod.")
        starts.append(_integer(period.find(_q("start")), "reading start"))
        durations.append(_integer(period.find(_q("duration")), "reading duration"))
        values.append(_integer(reading.find(_q("value")), "reading value"))
    return (
        np.array(starts, dtype=np.int64),
        np.array(durations, dtype=np.int64),
        np.array(values, dtype=np.float64),
    )


def _validate(
    starts: npt.NDArray[np.int64], durations: npt.NDArray[np.int64], wh: npt.NDArray[np.float64]
) -> None:
    if durations.min() < 60 or durations.max() > _DAY:
        raise GreenButtonInvalid("Interval durations must be between one minute and one day.")
    if starts.min() < _EARLIEST or (starts + durations).max() > _LATEST:
        raise GreenButtonInvalid("Reading times must fall between 2000 and 2100.")
    if wh.min() < 0:
        raise GreenButtonInvalid("Negative readings are not accepted.")
    if (wh * 3600 / durations).max() > MAX_AVERAGE_WATTS:
        raise GreenButtonInvalid("A reading implies an average demand above 100 kW.")
    order = np.argsort(starts, kind="stable")
    ends = starts[order] + durations[order]
    if bool(np.any(starts[order][1:] < ends[:-1])):
        raise GreenButtonInvalid("Readings overlap or repeat the same interval.")


def _monthly(
    month: npt.NDArray[np.int64], durations: npt.NDArray[np.int64], kwh: npt.NDArray[np.float64]
) -> npt.NDArray[np.float64]:
    covered = np.bincount(month, weights=durations.astype(np.float64), minlength=12)
    missing = int(np.count_nonzero(covered < MIN_DAYS_PER_MONTH * _DAY))
    if missing:
        raise GreenButtonInvalid(
            f"{missing} calendar month(s) have under {MIN_DAYS_PER_MONTH} days of readings; "
            "upload a full year."
        )
    energy = np.bincount(month, weights=kwh, minlength=12)
    result: npt.NDArray[np.float64] = energy / covered * _DAYS_IN_MONTH * _DAY
    return result


def _hourly(
    month: npt.NDArray[np.int64],
    hour: npt.NDArray[np.int64],
    durations: npt.NDArray[np.int64],
    kwh: npt.NDArray[np.float64],
) -> tuple[tuple[float, ...], ...] | None:
    if durations.max() > 3600 or bool(np.any(3600 % durations)):
        return None
    cell = month * 24 + hour
    energy = np.bincount(cell, weights=kwh, minlength=288)
    hours_covered = np.bincount(cell, weights=durations / 3600, minlength=288)
    mean = np.divide(energy, hours_covered, out=np.zeros(288), where=hours_covered > 0)
    return tuple(tuple(round(float(v), 4) for v in row) for row in mean.reshape(12, 24))


def parse_green_button(data: bytes) -> UsageProfile:
    """Parse a Green Button (ESPI) XML export into a typical year of electricity use.

    Args:
        data: the uploaded bytes, untrusted.

    Returns:
        Twelve monthly kWh (January first), an hour-of-day profile per month when the
        readings are hourly or finer, and what the readings covered.

    Raises:
        UnsafeXml, MalformedXml: from the safe parser (DTD, entities, limits, syntax).
        GreenButtonInvalid: wrong namespace, no readings, unsupported unit, negative, absurd,
            overlapping or too few readings.
    """
    root = parse_untrusted_xml(data)
    readings = _check_document(root)
    multiplier = _unit_multiplier(root)
    offset = _utc_offset(root)
    starts, durations, values = _reading_arrays(readings)
    wh = values * multiplier
    _validate(starts, durations, wh)
    local = (starts + offset).astype("datetime64[s]")
    month = local.astype("datetime64[M]").astype(np.int64) % 12
    hour = (local.astype(np.int64) % _DAY) // 3600
    kwh = wh / 1000
    monthly = _monthly(month, durations, kwh)
    counts = np.bincount(durations)
    return UsageProfile(
        monthly_kwh=tuple(round(float(v), 3) for v in monthly),
        hourly_kwh=_hourly(month, hour, durations, kwh),
        annual_kwh=round(float(monthly.sum()), 3),
        reading_count=len(readings),
        interval_seconds=int(np.argmax(counts)),
        utc_offset_seconds=offset,
        first_start=datetime.fromtimestamp(int(starts.min()), UTC),
        last_end=datetime.fromtimestamp(int((starts + durations).max()), UTC),
    )
