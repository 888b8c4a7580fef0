"""The sky over one year at one place: cached clear-sky irradiance or a supplied TMY."""

from __future__ import annotations

import hashlib
import warnings
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal, NamedTuple

import numpy as np
import numpy.typing as npt
import pandas as pd
import pvlib
from pandas.errors import Pandas4Warning

from helio.quotes.engine_inputs import EngineConfig, Location
from helio.quotes.exceptions import WeatherInvalid

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

HOURS_PER_YEAR = 8760
CLEAR_SKY_YEAR = 2023  # any non-leap year: the sun repeats to well within the model's accuracy
CLEAR_SKY_SOURCE = "clear-sky (Ineichen, pvlib Linke turbidity) scaled by monthly clearness"
_HOUR_NS = 3_600_000_000_000
_HALF_HOUR = pd.Timedelta(minutes=30)
# Bounds that no real hourly record exceeds; they catch unit mistakes (kW/m², tenths of °C).
_LIMITS = {
    "ghi": (0.0, 1500.0),
    "dni": (0.0, 1500.0),
    "dhi": (0.0, 1000.0),
    "temp_air": (-70.0, 65.0),
    "wind_speed": (0.0, 75.0),
}


class LocationKey(NamedTuple):
    """A location rounded for caching: 0.01° (about 1 km) and 10 m of altitude."""

    latitude: float
    longitude: float
    time_zone: str
    altitude_m: float


@dataclass(frozen=True, slots=True)
class Geometry:
    """Sun position at the middle of each hour, extraterrestrial DNI and the local month."""

    apparent_zenith: FloatArray
    azimuth: FloatArray
    dni_extra: FloatArray
    month: IntArray  # 0 = January
    first_ns: int


@dataclass(frozen=True, slots=True)
class Sky:
    """Hourly irradiance (W/m²) and ambient conditions for one year at one place."""

    geometry: Geometry
    ghi: FloatArray
    dni: FloatArray
    dhi: FloatArray
    temp_air: FloatArray | float
    wind_speed: FloatArray | float
    source: str


@dataclass(frozen=True, slots=True)
class TmyWeather:
    """A typical meteorological year fetched elsewhere.

    `data` has an hourly tz-aware index of 8760 rows and columns ghi, dni, dhi (W/m²) and
    optionally temp_air (°C) and wind_speed (m/s); `label` says whether each timestamp marks
    the start (TMY2, most APIs) or the end (TMY3) of its hour.
    """

    data: pd.DataFrame
    name: str
    label: Literal["start", "end"] = "end"


def location_key(location: Location) -> LocationKey:
    """Round a location to its cache key, looking up the altitude when none is given."""
    lat = round(location.latitude, 2)
    lon = round(location.longitude, 2)
    altitude = location.altitude_m
    if altitude is None:
        altitude = float(pvlib.location.lookup_altitude(lat, lon))
    return LocationKey(lat, lon, location.time_zone, float(round(altitude, -1)))


def _readonly(values: Any) -> FloatArray:
    array: FloatArray = np.ascontiguousarray(values, dtype=np.float64)
    array.flags.writeable = False
    return array


@lru_cache(maxsize=64)
def _geometry(key: LocationKey, first_ns: int, tz: str) -> Geometry:
    start = pd.Timestamp(first_ns, tz="UTC").tz_convert(tz)
    mids = pd.date_range(start, periods=HOURS_PER_YEAR, freq="h")
    solpos = pvlib.solarposition.get_solarposition(
        mids, key.latitude, key.longitude, altitude=key.altitude_m, method="nrel_numpy"
    )
    months: IntArray = np.asarray(mids.month, dtype=np.int64) - 1
    months.flags.writeable = False
    return Geometry(
        apparent_zenith=_readonly(solpos["apparent_zenith"]),
        azimuth=_readonly(solpos["azimuth"]),
        dni_extra=_readonly(pvlib.irradiance.get_extra_radiation(np.asarray(mids.day_of_year))),
        month=months,
        first_ns=first_ns,
    )


@lru_cache(maxsize=64)
def _clear_sky(key: LocationKey) -> tuple[Geometry, FloatArray, FloatArray, FloatArray]:
    start = pd.Timestamp(f"{CLEAR_SKY_YEAR}-01-01", tz=key.time_zone) + _HALF_HOUR
    geometry = _geometry(key, start.value, key.time_zone)
    mids = pd.date_range(start, periods=HOURS_PER_YEAR, freq="h")
    with warnings.catch_warnings():
        # pvlib 0.16 reads DatetimeIndex.dayofyear, deprecated in pandas 3; harmless here.
        warnings.simplefilter("ignore", Pandas4Warning)
        linke = pvlib.clearsky.lookup_linke_turbidity(mids, key.latitude, key.longitude)
    with np.errstate(divide="ignore", invalid="ignore"):
        airmass = pvlib.atmosphere.get_relative_airmass(geometry.apparent_zenith)
        airmass_abs = pvlib.atmosphere.get_absolute_airmass(
            airmass, pvlib.atmosphere.alt2pres(key.altitude_m)
        )
        sky = pvlib.clearsky.ineichen(
            geometry.apparent_zenith,
            airmass_abs,
            np.asarray(linke, dtype=np.float64),
            altitude=key.altitude_m,
            dni_extra=geometry.dni_extra,
        )
    return (
        geometry,
        _readonly(np.nan_to_num(sky["ghi"])),
        _readonly(np.nan_to_num(sky["dni"])),
        _readonly(np.nan_to_num(sky["dhi"])),
    )


def clearness_by_month(location: Location, config: EngineConfig) -> FloatArray:
    """Return the 12 clearness factors that apply at this latitude (mirrored in the south)."""
    factors = np.asarray(config.monthly_clearness, dtype=np.float64)
    if config.mirror_clearness_south and location.latitude < 0:
        factors = np.roll(factors, 6)
    return factors


def clear_sky(location: Location, config: EngineConfig) -> Sky:
    """Return the cached clear-sky year at this location scaled by the monthly clearness."""
    geometry, ghi, dni, dhi = _clear_sky(location_key(location))
    scale = clearness_by_month(location, config)[geometry.month]
    return Sky(
        geometry=geometry,
        ghi=ghi * scale,
        dni=dni * scale,
        dhi=dhi * scale,
        temp_air=config.ambient_temp_c,
        wind_speed=config.wind_speed_ms,
        source=CLEAR_SKY_SOURCE,
    )


def _checked_index(data: pd.DataFrame) -> pd.DatetimeIndex:
    index = data.index
    if not isinstance(index, pd.DatetimeIndex) or index.tz is None:
        raise WeatherInvalid("The weather index must be time-zone aware timestamps.")
    if len(index) != HOURS_PER_YEAR:
        raise WeatherInvalid("The weather must hold exactly 8760 hourly rows (one non-leap year).")
    steps = np.diff(index.as_unit("ns").asi8)
    if not bool(np.all(steps == _HOUR_NS)):
        raise WeatherInvalid("The weather rows must be consecutive hours in order.")
    return index


def _column(data: pd.DataFrame, name: str) -> FloatArray:
    if name not in data.columns:
        raise WeatherInvalid(f"The weather lacks the column {name}.")
    try:
        values = np.asarray(data[name], dtype=np.float64)
    except (TypeError, ValueError):
        raise WeatherInvalid(f"The weather column {name} is not numeric.") from None
    low, high = _LIMITS[name]
    if not bool(np.all(np.isfinite(values))) or values.min() < low or values.max() > high:
        raise WeatherInvalid(f"The weather column {name} has missing or out-of-range values.")
    return _readonly(values)


def _optional_column(data: pd.DataFrame, name: str, default: float) -> FloatArray | float:
    return _column(data, name) if name in data.columns else default


def tmy_sky(location: Location, weather: TmyWeather, config: EngineConfig) -> Sky:
    """Validate a supplied TMY and pair it with the (cached) sun position of its hours."""
    if not isinstance(weather.data, pd.DataFrame):
        raise WeatherInvalid("The weather must be a pandas DataFrame.")
    if not 1 <= len(weather.name) <= 100 or not weather.name.isprintable():
        raise WeatherInvalid("The weather needs a printable name of 1-100 characters.")
    index = _checked_index(weather.data)
    shift = _HALF_HOUR if weather.label == "start" else -_HALF_HOUR
    first = index[0] + shift
    geometry = _geometry(location_key(location), first.value, str(index.tz))
    data = weather.data
    return Sky(
        geometry=geometry,
        ghi=_column(data, "ghi"),
        dni=_column(data, "dni"),
        dhi=_column(data, "dhi"),
        temp_air=_optional_column(data, "temp_air", config.ambient_temp_c),
        wind_speed=_optional_column(data, "wind_speed", config.wind_speed_ms),
        source=f"TMY: {weather.name}",
    )


def sky_digest(sky: Sky) -> str:
    """Return a SHA-256 over a supplied weather year, so its quotes can be reproduced."""
    digest = hashlib.sha256(f"{sky.source}|{sky.geometry.first_ns}|".encode())
    for part in (sky.ghi, sky.dni, sky.dhi, sky.temp_air, sky.wind_speed, sky.geometry.month):
        digest.update(np.ascontiguousarray(part).tobytes())
    return digest.hexdigest()
