"""Quote settings from HELIO_QUOTE_* variables: prices, hardware, quota and the worker pool."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import TypeVar, TypeVarTuple

import anyio
import anyio.to_thread
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from helio.errors import RateLimited
from helio.quotes.engine import EngineConfig
from helio.quotes.engine_inputs import PanelModel
from helio.services import Services

T = TypeVar("T")
Args = TypeVarTuple("Args")

_SETTINGS_KEY = "quotes.settings"
_LIMITER_KEY = "quotes.cpu_limiter"


class QuoteSettings(BaseSettings):
    """Company-side quote assumptions and the limits on the costly simulation."""

    model_config = SettingsConfigDict(env_prefix="HELIO_QUOTE_", extra="ignore", frozen=True)

    # Business limit (ASVS V2.1.3): quotes one customer may compute per rolling day.
    daily_limit: int = Field(default=20, ge=1, le=1000)
    # Simulations running at once per process, and requests allowed to wait for one.
    workers: int = Field(default=2, ge=1, le=32)
    max_waiting: int = Field(default=16, ge=0, le=1000)
    validity_days: int = Field(default=30, ge=1, le=180)
    price_per_watt: Decimal = Field(default=Decimal("2.80"), gt=0, le=20, decimal_places=4)
    fixed_costs: Decimal = Field(default=Decimal("1500.00"), ge=0, le=1_000_000, decimal_places=2)
    incentive_fraction: Decimal = Field(default=Decimal("0.30"), ge=0, le=1, decimal_places=4)
    panel_name: str = Field(default="Generic 420 W mono PERC", min_length=1, max_length=80)
    panel_watts: int = Field(default=420, ge=100, le=1000)
    panel_area_m2: float = Field(default=1.95, ge=0.5, le=4)
    degradation_pct_per_year: float = Field(default=0.5, ge=0, le=3)
    co2_kg_per_kwh: float = Field(default=0.37, ge=0, le=2)

    def engine_config(self) -> EngineConfig:
        """Return the engine configuration these settings describe."""
        return EngineConfig(
            panel=PanelModel(
                name=self.panel_name, watts=self.panel_watts, area_m2=self.panel_area_m2
            ),
            price_per_watt=self.price_per_watt,
            fixed_costs=self.fixed_costs,
            incentive_fraction=self.incentive_fraction,
            degradation_pct_per_year=self.degradation_pct_per_year,
            co2_kg_per_kwh=self.co2_kg_per_kwh,
            validity_days=self.validity_days,
        )

    @property
    def daily_rate(self) -> str:
        """The quota as a `limits` rate string."""
        return f"{self.daily_limit}/day"


def quote_settings(services: Services) -> QuoteSettings:
    """Return this app's quote settings, read from the environment once."""
    found = services.extras.get(_SETTINGS_KEY)
    if not isinstance(found, QuoteSettings):
        found = QuoteSettings()
        services.extras[_SETTINGS_KEY] = found
    return found


def use_quote_settings(services: Services, settings: QuoteSettings) -> None:
    """Replace this app's quote settings (the pool keeps its size until rebuilt)."""
    services.extras[_SETTINGS_KEY] = settings
    services.extras.pop(_LIMITER_KEY, None)


def cpu_limiter(services: Services) -> anyio.CapacityLimiter:
    """Return the app's bounded pool for CPU-heavy work (quotes, Green Button parsing)."""
    found = services.extras.get(_LIMITER_KEY)
    if not isinstance(found, anyio.CapacityLimiter):
        found = anyio.CapacityLimiter(quote_settings(services).workers)
        services.extras[_LIMITER_KEY] = found
    return found


class EngineBusy(RateLimited):
    """Every worker is busy and the waiting line is full."""

    def __init__(self) -> None:
        super().__init__(2, "The quote engine is busy; try again in a moment.", code="engine_busy")


async def run_cpu_bound(services: Services, work: Callable[[*Args], T], *args: *Args) -> T:
    """Run CPU-heavy work in the bounded worker pool, keeping the event loop free.

    Raises:
        EngineBusy: `max_waiting` requests already wait for a worker (429, Retry-After).
    """
    limiter = cpu_limiter(services)
    stats = limiter.statistics()
    if stats.borrowed_tokens >= stats.total_tokens and (
        stats.tasks_waiting >= quote_settings(services).max_waiting
    ):
        raise EngineBusy
    return await anyio.to_thread.run_sync(work, *args, limiter=limiter)
