"""Typed, range-checked inputs and configuration of the quote engine."""

from __future__ import annotations

import re
from decimal import Decimal
from functools import lru_cache
from typing import Annotated
from zoneinfo import available_timezones

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

_MODEL_CONFIG = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)
_TZ_PATTERN = re.compile(r"^[A-Za-z0-9_+\-]{1,32}(/[A-Za-z0-9_+\-]{1,32}){0,2}$")

MonthlyKwh = Annotated[float, Field(ge=0, le=1_000_000)]
Clearness = Annotated[float, Field(ge=0.2, le=1.0)]

# One documented set for every location (northern-hemisphere calendar, mirrored by six months
# south of the equator): the mean, per month, of the all-sky to Ineichen clear-sky global
# horizontal irradiation ratios of the three TMY files shipped with pvlib (Greensboro NC,
# Miami FL, Sand Point AK), rounded to 0.01. tests/quotes re-derives it; docs/quotes.md explains.
DEFAULT_CLEARNESS: tuple[float, ...] = (
    0.71,
    0.68,
    0.68,
    0.73,
    0.67,
    0.68,
    0.77,
    0.70,
    0.74,
    0.73,
    0.70,
    0.76,
)


@lru_cache(maxsize=1)
def _known_time_zones() -> frozenset[str]:
    return frozenset(available_timezones())


class Location(BaseModel):
    """Where the roof is: coordinates, IANA time zone and optional altitude (m)."""

    model_config = _MODEL_CONFIG

    latitude: float = Field(ge=-90, le=90)
    longitude: float = Field(ge=-180, le=180)
    time_zone: str = Field(min_length=1, max_length=64)
    altitude_m: float | None = Field(default=None, ge=-500, le=9000)

    @field_validator("time_zone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        if not _TZ_PATTERN.fullmatch(value) or value not in _known_time_zones():
            raise ValueError("must be an IANA time zone name such as Europe/Berlin")
        return value


class RoofPlane(BaseModel):
    """One roof plane: area (m²), tilt (°), azimuth (° clockwise from north) and shading (%)."""

    model_config = _MODEL_CONFIG

    area_m2: float = Field(gt=0, le=1000)
    tilt_deg: float = Field(ge=0, le=60)
    azimuth_deg: float = Field(ge=0, lt=360)
    shading_loss_pct: float = Field(default=0.0, ge=0, le=80)


class Usage(BaseModel):
    """Electricity use: exactly twelve monthly kWh figures, January first."""

    model_config = _MODEL_CONFIG

    monthly_kwh: tuple[MonthlyKwh, ...] = Field(min_length=12, max_length=12)

    @field_validator("monthly_kwh")
    @classmethod
    def _some_use(cls, value: tuple[float, ...]) -> tuple[float, ...]:
        if sum(value) < 1:
            raise ValueError("annual use must be at least 1 kWh")
        return value

    @classmethod
    def from_annual(cls, annual_kwh: float) -> Usage:
        """Spread an annual figure evenly over the days of a non-leap year."""
        days = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
        return cls(monthly_kwh=tuple(annual_kwh * d / 365 for d in days))

    @property
    def annual_kwh(self) -> float:
        """Return the total annual use in kWh."""
        return float(sum(self.monthly_kwh))


class Tariff(BaseModel):
    """Retail price per kWh, its ISO 4217 currency and its yearly escalation (%)."""

    model_config = _MODEL_CONFIG

    price_per_kwh: Decimal = Field(gt=0, le=10, max_digits=12, decimal_places=6)
    currency: str = Field(pattern=r"^[A-Z]{3}$")
    escalation_pct: float = Field(default=2.5, ge=-5, le=15)


class QuoteOptions(BaseModel):
    """What the customer asks for: the share of annual use the system should produce."""

    model_config = _MODEL_CONFIG

    target_offset_pct: float = Field(default=100.0, ge=1, le=200)


class QuoteInputs(BaseModel):
    """Everything about the customer that a quote depends on."""

    model_config = _MODEL_CONFIG

    location: Location
    planes: tuple[RoofPlane, ...] = Field(min_length=1, max_length=4)
    usage: Usage
    tariff: Tariff
    options: QuoteOptions = QuoteOptions()


class PanelModel(BaseModel):
    """The module we install: STC watts, area (m²), power temperature coefficient (1/°C)."""

    model_config = _MODEL_CONFIG

    name: str = Field(default="Generic 420 W mono PERC", min_length=1, max_length=80)
    watts: int = Field(default=420, ge=100, le=1000)
    area_m2: float = Field(default=1.95, ge=0.5, le=4)
    temp_coefficient: float = Field(default=-0.0035, ge=-0.01, le=0)

    @model_validator(mode="after")
    def _plausible_efficiency(self) -> PanelModel:
        if not 0.05 <= self.watts / (self.area_m2 * 1000) <= 0.30:
            raise ValueError("watts per m² implies an efficiency outside 5-30 %")
        return self


class EngineConfig(BaseModel):
    """Company-side assumptions: hardware, prices, losses, climate factors and horizon."""

    model_config = _MODEL_CONFIG

    panel: PanelModel = PanelModel()
    price_per_watt: Decimal = Field(default=Decimal("2.80"), gt=0, le=20, decimal_places=4)
    fixed_costs: Decimal = Field(default=Decimal("1500.00"), ge=0, le=1_000_000, decimal_places=2)
    incentive_fraction: Decimal = Field(default=Decimal("0.30"), ge=0, le=1, decimal_places=4)
    degradation_pct_per_year: float = Field(default=0.5, ge=0, le=3)
    # pvlib.pvsystem.pvwatts_losses() without its shading term (shading is per plane): 11.42 %.
    system_losses_pct: float = Field(default=11.42, ge=0, le=50)
    inverter_efficiency: float = Field(default=0.96, ge=0.8, le=0.995)
    dc_ac_ratio: float = Field(default=1.2, ge=0.8, le=2.0)
    albedo: float = Field(default=0.2, ge=0, le=0.9)
    ambient_temp_c: float = Field(default=20.0, ge=-30, le=45)
    wind_speed_ms: float = Field(default=1.0, ge=0, le=20)
    monthly_clearness: tuple[Clearness, ...] = Field(
        default=DEFAULT_CLEARNESS, min_length=12, max_length=12
    )
    mirror_clearness_south: bool = True
    export_value_fraction: float = Field(default=1.0, ge=0, le=1)
    co2_kg_per_kwh: float = Field(default=0.37, ge=0, le=2)
    validity_days: int = Field(default=30, ge=1, le=180)
    usable_area_fraction: float = Field(default=0.8, gt=0, le=1)
    horizon_years: int = Field(default=25, ge=1, le=40)


DEFAULT_CONFIG = EngineConfig()
