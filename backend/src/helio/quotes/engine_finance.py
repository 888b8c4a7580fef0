"""Sizing the system to the roof and the offset target, then its price and savings."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

import numpy as np

from helio.quotes.engine_inputs import EngineConfig, Tariff

CENT = Decimal("0.01")
_TARIFF_STEP = Decimal("0.0001")
_EPSILON = 1e-9


def to_money(value: float | Decimal) -> Decimal:
    """Round an amount half-up to cents as a Decimal."""
    amount = value if isinstance(value, Decimal) else Decimal(repr(float(value)))
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def plane_capacity(area_m2: float, config: EngineConfig) -> int:
    """Return how many panels fit on a plane's usable share of its area."""
    return math.floor(area_m2 * config.usable_area_fraction / config.panel.area_m2 + _EPSILON)


def size_system(
    kwh_per_panel: Sequence[float], capacities: Sequence[int], target_kwh: float
) -> tuple[int, ...]:
    """Choose panels per plane: best-yield planes first, just enough to reach the target.

    Never exceeds a plane's capacity; when the whole roof cannot reach the target every
    producing plane is filled.
    """
    counts = [0] * len(kwh_per_panel)
    remaining = target_kwh
    order = sorted(range(len(kwh_per_panel)), key=lambda i: (-kwh_per_panel[i], i))
    for i in order:
        if remaining <= 0:
            break
        if kwh_per_panel[i] <= 0:
            continue
        needed = remaining / kwh_per_panel[i]
        counts[i] = capacities[i] if needed >= capacities[i] else math.ceil(needed - _EPSILON)
        remaining -= counts[i] * kwh_per_panel[i]
    return tuple(counts)


@dataclass(frozen=True, slots=True)
class PriceBreakdown:
    """Price of the system: per-watt part, fixed costs, gross, incentives and net."""

    currency: str
    price_per_watt: Decimal
    system_watts: int
    equipment_and_installation: Decimal
    fixed_costs: Decimal
    gross: Decimal
    incentive_fraction: Decimal
    incentives: Decimal
    net: Decimal


@dataclass(frozen=True, slots=True)
class SavingsYear:
    """One year of the savings table."""

    year: int
    production_kwh: float
    price_per_kwh: Decimal
    savings: Decimal
    cumulative_savings: Decimal


def price_system(system_watts: int, currency: str, config: EngineConfig) -> PriceBreakdown:
    """Price a system of this many watts: per-watt price plus fixed costs, less incentives."""
    variable = to_money(system_watts * config.price_per_watt)
    gross = variable + to_money(config.fixed_costs)
    incentives = to_money(gross * config.incentive_fraction)
    return PriceBreakdown(
        currency=currency,
        price_per_watt=config.price_per_watt,
        system_watts=system_watts,
        equipment_and_installation=variable,
        fixed_costs=to_money(config.fixed_costs),
        gross=gross,
        incentive_fraction=config.incentive_fraction,
        incentives=incentives,
        net=gross - incentives,
    )


def savings_table(
    monthly_production: Sequence[float],
    monthly_use: Sequence[float],
    tariff: Tariff,
    config: EngineConfig,
) -> tuple[SavingsYear, ...]:
    """Build the year-by-year savings with degradation, escalation and monthly netting.

    A produced kWh is worth the tariff up to the month's use and `export_value_fraction`
    of it beyond; amounts are rounded per year so the table adds up to the cent.
    """
    production = np.asarray(monthly_production, dtype=np.float64)
    use = np.asarray(monthly_use, dtype=np.float64)
    price = float(tariff.price_per_kwh)
    rows: list[SavingsYear] = []
    cumulative = Decimal("0.00")
    for year in range(1, config.horizon_years + 1):
        produced = production * (1 - config.degradation_pct_per_year / 100) ** (year - 1)
        consumed = np.minimum(produced, use)
        valued_kwh = consumed.sum() + config.export_value_fraction * (produced - consumed).sum()
        year_price = price * (1 + tariff.escalation_pct / 100) ** (year - 1)
        savings = to_money(valued_kwh * year_price)
        cumulative += savings
        rows.append(
            SavingsYear(
                year=year,
                production_kwh=round(float(produced.sum()), 1),
                price_per_kwh=Decimal(repr(year_price)).quantize(_TARIFF_STEP, ROUND_HALF_UP),
                savings=savings,
                cumulative_savings=cumulative,
            )
        )
    return tuple(rows)


def payback_year(table: Sequence[SavingsYear], net_price: Decimal) -> int | None:
    """Return the first year whose cumulative savings reach the net price, or None."""
    for row in table:
        if row.cumulative_savings >= net_price:
            return row.year
    return None
