"""Quote settings from HELIO_QUOTE_* variables: prices, hardware, the quota, the worker pool.

`App.quote_settings` holds the one instance of an app; the quote engine's
configuration is derived from it (`helio.quotes.engine_config`).
"""

from __future__ import annotations

from decimal import Decimal
from string import Formatter
from typing import Annotated, Self

import httpx
from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from helio.security.outbound import OutboundPolicy, OutboundRefused, validate_url


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
    # Optional TMY service (PVGIS JSON layout): a URL template with {lat} and {lon}. Empty means
    # the offline clear-sky default. Hosts default to the template's host; https only unless
    # the host is listed in weather_private_hosts (an internal mirror, or a test server).
    weather_url: str = Field(default="", max_length=1000)
    weather_hosts: Annotated[list[str], NoDecode] = Field(default_factory=list)
    weather_private_hosts: Annotated[list[str], NoDecode] = Field(default_factory=list)
    weather_ports: Annotated[list[int], NoDecode] = Field(default_factory=lambda: [443])
    weather_timeout_seconds: float = Field(default=10.0, ge=0.2, le=60)
    weather_max_bytes: int = Field(default=4_000_000, ge=1000, le=20_000_000)
    # After a failed fetch, quotes for that cell use clear sky for this long without retrying.
    weather_retry_seconds: int = Field(default=300, ge=0, le=86_400)

    @field_validator("weather_hosts", "weather_private_hosts", "weather_ports", mode="before")
    @classmethod
    def _split_csv(cls, value: object) -> object:
        if isinstance(value, str):
            return [item.strip() for item in value.split(",") if item.strip()]
        return value

    @model_validator(mode="after")
    def _check_weather_url(self) -> Self:
        if not self.weather_url:
            return self
        parts = [p for p in Formatter().parse(self.weather_url) if p[1] is not None]
        names = sorted(str(name) for _, name, _, _ in parts)
        if names != ["lat", "lon"] or any(spec or conversion for _, _, spec, conversion in parts):
            raise ValueError("weather_url must contain {lat} and {lon} once, without formats")
        try:
            validate_url(self.weather_url.format(lat=0.0, lon=0.0), self.weather_policy())
        except OutboundRefused:
            raise ValueError("weather_url is not allowed by the weather outbound policy") from None
        return self

    def weather_policy(self) -> OutboundPolicy:
        """Return what the weather fetch may reach: the template's host (or the allowlist).

        Returns:
            An https-only policy (http too for a host in `weather_private_hosts`) with the
            configured ports, time bound and response size cap.
        """
        host = httpx.URL(self.weather_url).host if self.weather_url else ""
        private = frozenset(self.weather_private_hosts)
        plain_http = host in {name.strip().lower().removesuffix(".") for name in private}
        return OutboundPolicy(
            allowed_schemes=frozenset({"https", "http"} if plain_http else {"https"}),
            allowed_ports=frozenset(self.weather_ports),
            allowed_hosts=frozenset(self.weather_hosts or ([host] if host else [])),
            allow_private_hosts=private,
            connect_timeout=min(3.0, self.weather_timeout_seconds),
            read_timeout=min(5.0, self.weather_timeout_seconds),
            total_timeout=self.weather_timeout_seconds,
            max_response_bytes=self.weather_max_bytes,
            max_redirects=2,
            user_agent="Helio-Weather/1",
        )

    @property
    def daily_rate(self) -> str:
        """The quota as a `limits` rate string."""
        return f"{self.daily_limit}/day"
