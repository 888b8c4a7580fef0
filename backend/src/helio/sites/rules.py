"""Validation rules of a site that are more than a range: country, time zone, zone vs place."""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from importlib import resources
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from pydantic_core import PydanticCustomError

# Civil time stays within about three hours of solar time almost everywhere (the widest
# gap in use is western China on UTC+8, about 3.1 h); a larger gap means the coordinates
# and the time zone describe different places.
MAX_ZONE_DRIFT_HOURS = 3.5
_PROBE_DATES = (datetime(2025, 1, 15, 12), datetime(2025, 7, 15, 12))


@lru_cache(maxsize=1)
def _time_zones() -> frozenset[str]:
    return frozenset(available_timezones())


@lru_cache(maxsize=1)
def _countries() -> frozenset[str]:
    # ISO 3166-1 alpha-2 codes from the tzdata package (a locked runtime dependency).
    text = resources.files("tzdata.zoneinfo").joinpath("iso3166.tab").read_text("utf-8")
    return frozenset(
        line.split("\t", 1)[0] for line in text.splitlines() if line and not line.startswith("#")
    )


# The codes the document lists (its `enum`) are the ones the validator accepts.
COUNTRY_CODES = tuple(sorted(_countries()))


def check_country(value: str) -> str:
    """Accept an ISO 3166-1 alpha-2 country code (rule SITE-3)."""
    if value not in _countries():
        raise PydanticCustomError("unknown_country", "Use an ISO 3166-1 alpha-2 country code.")
    return value


def check_time_zone(value: str) -> str:
    """Accept an IANA time zone name known to zoneinfo (rule SITE-4)."""
    if value not in _time_zones():
        raise PydanticCustomError(
            "unknown_time_zone", "Use an IANA time zone name such as Europe/Berlin."
        )
    return value


def _drift_hours(offset_hours: float, solar_hours: float) -> float:
    return abs((offset_hours - solar_hours + 12) % 24 - 12)


def time_zone_fits(time_zone: str, longitude: float) -> None:
    """Refuse a time zone whose UTC offsets are far from the longitude's solar time (SITE-5).

    A boundary database (timezonefinder) is not a dependency; this offset test still
    catches coordinates and zones from different regions, which would shift every
    simulated hour of the quote.

    Raises:
        PydanticCustomError: `timezone_mismatch`.
    """
    try:
        zone = ZoneInfo(time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise PydanticCustomError("unknown_time_zone", "Unknown time zone.") from None
    solar = longitude / 15
    offsets = [zone.utcoffset(when) for when in _PROBE_DATES]
    drifts = [_drift_hours(o.total_seconds() / 3600, solar) for o in offsets if o is not None]
    if not drifts or min(drifts) > MAX_ZONE_DRIFT_HOURS:
        raise PydanticCustomError(
            "timezone_mismatch",
            "The time zone does not match the coordinates (rule SITE-5).",
        )
