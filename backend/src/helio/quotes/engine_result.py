"""The computed quote: frozen, and JSON-serialisable through `to_dict()`."""

from __future__ import annotations

from dataclasses import dataclass, fields, is_dataclass
from decimal import Decimal
from typing import Any

from helio.quotes.engine_finance import PriceBreakdown, SavingsYear


def _jsonable(value: Any) -> Any:
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: _jsonable(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, tuple | list):
        return [_jsonable(item) for item in value]
    return value


@dataclass(frozen=True, slots=True)
class PlaneResult:
    """What one roof plane gets: panels (and how many would fit), kWp and production."""

    plane_index: int
    panel_count: int
    max_panels: int
    kwp: float
    annual_kwh: float
    specific_yield_kwh_per_kwp: float


@dataclass(frozen=True, slots=True)
class Quote:
    """A priced quote: system, production, price, savings, payback and its provenance."""

    model_version: str
    inputs_digest: str
    weather_source: str
    panel_model: str
    panel_watts: int
    panel_count: int
    system_kwp: float
    planes: tuple[PlaneResult, ...]
    annual_production_kwh: float
    specific_yield_kwh_per_kwp: float
    monthly_production_kwh: tuple[float, ...]
    annual_usage_kwh: float
    target_offset_pct: float
    offset_achieved_pct: float
    price: PriceBreakdown
    savings: tuple[SavingsYear, ...]
    total_savings: Decimal
    payback_year: int | None
    co2_avoided_kg: float
    horizon_years: int
    valid_days: int
    assumptions: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """Return plain JSON types: money as strings with two decimals, tuples as lists."""
        result: dict[str, Any] = _jsonable(self)
        return result
