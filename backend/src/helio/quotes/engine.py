"""The solar quote engine: pure (no database, no HTTP), reproducible from its inputs.

`compute_quote(inputs, config, weather=None)` simulates every roof plane hourly over a year
with pvlib, sizes the system to the roof and the customer's offset target, prices it and
projects the savings. See docs/quotes.md for the model, its assumptions and its limits.
"""

from __future__ import annotations

import hashlib
import json

import pvlib

from helio.quotes.engine_finance import (
    payback_year,
    plane_capacity,
    price_system,
    savings_table,
    size_system,
)
from helio.quotes.engine_inputs import (
    DEFAULT_CONFIG,
    EngineConfig,
    Location,
    PanelModel,
    QuoteInputs,
    QuoteOptions,
    RoofPlane,
    Tariff,
    Usage,
)
from helio.quotes.engine_pv import PlaneYield, plane_yield
from helio.quotes.engine_result import PlaneResult, Quote
from helio.quotes.engine_weather import Sky, TmyWeather, clear_sky, sky_digest, tmy_sky
from helio.quotes.exceptions import RoofTooSmall, WeatherInvalid

# Bump the first part on any change of the model; pvlib's version is part of the model too.
MODEL_VERSION = f"helio-pv-1/pvlib-{pvlib.__version__}"

__all__ = [
    "DEFAULT_CONFIG",
    "MODEL_VERSION",
    "EngineConfig",
    "Location",
    "PanelModel",
    "Quote",
    "QuoteInputs",
    "QuoteOptions",
    "RoofPlane",
    "RoofTooSmall",
    "Tariff",
    "TmyWeather",
    "Usage",
    "WeatherInvalid",
    "compute_quote",
    "inputs_digest",
]


def inputs_digest(inputs: QuoteInputs, config: EngineConfig, weather_sha256: str | None) -> str:
    """Return the SHA-256 of the canonical JSON of inputs, config, weather and model version."""
    document = {
        "config": config.model_dump(mode="json"),
        "inputs": inputs.model_dump(mode="json"),
        "model_version": MODEL_VERSION,
        "weather_sha256": weather_sha256,
    }
    canonical = json.dumps(
        document, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def _weather_sentence(config: EngineConfig, sky: Sky, tmy: bool) -> str:
    if tmy:
        return (
            f"Production is simulated hour by hour from the supplied weather year ({sky.source})."
        )
    return (
        "This is a clear-sky-based estimate: hourly clear-sky irradiance (Ineichen model, "
        "pvlib Linke turbidity) scaled by typical monthly clearness factors, not measured "
        "weather for this address; actual yearly production varies with local cloud "
        f"climate. Module temperature assumes {config.ambient_temp_c:g} °C ambient air "
        f"and {config.wind_speed_ms:g} m/s wind."
    )


def _assumptions(inputs: QuoteInputs, config: EngineConfig, sky: Sky, tmy: bool) -> list[str]:
    panel, currency = config.panel, inputs.tariff.currency
    incentive_pct = float(config.incentive_fraction) * 100
    return [
        _weather_sentence(config, sky, tmy),
        "Irradiance on each roof plane uses the Hay-Davies transposition model with ground "
        f"albedo {config.albedo:g}; cell temperature the SAPM close-roof-mount model.",
        f"PVWatts DC and inverter models: {panel.temp_coefficient * 100:g} %/°C "
        f"temperature coefficient, {config.system_losses_pct:g} % system losses plus each "
        f"plane's shading, one inverter per plane at DC/AC {config.dc_ac_ratio:g} and "
        f"{config.inverter_efficiency * 100:g} % nominal efficiency.",
        f"Panels: {panel.name}, {panel.watts} W, {panel.area_m2:g} m² each, on at most "
        f"{config.usable_area_fraction * 100:g} % of each plane's area.",
        f"Price: {config.price_per_watt} {currency} per watt plus {config.fixed_costs} "
        f"{currency} fixed costs; incentives of {incentive_pct:g} % of the gross price are "
        "assumed to be granted.",
        f"Savings over {config.horizon_years} years: production is valued at the tariff up to "
        f"each month's use and at {config.export_value_fraction * 100:g} % of it beyond; the "
        f"tariff rises {inputs.tariff.escalation_pct:g} % a year and the panels lose "
        f"{config.degradation_pct_per_year:g} % a year.",
        f"CO2 avoided counts {config.co2_kg_per_kwh:g} kg per kWh produced.",
        f"The quote is valid for {config.validity_days} days.",
    ]


def _plane_results(
    inputs: QuoteInputs, config: EngineConfig, yields: list[PlaneYield]
) -> tuple[PlaneResult, ...]:
    kwp_per_panel = config.panel.watts / 1000
    capacities = [plane_capacity(p.area_m2, config) for p in inputs.planes]
    if not any(capacities):
        raise RoofTooSmall()
    target = inputs.usage.annual_kwh * inputs.options.target_offset_pct / 100
    per_panel = [y.annual_kwh_per_kwp * kwp_per_panel for y in yields]
    counts = size_system(per_panel, capacities, target)
    return tuple(
        PlaneResult(
            plane_index=i,
            panel_count=counts[i],
            max_panels=capacities[i],
            kwp=round(counts[i] * kwp_per_panel, 3),
            annual_kwh=round(counts[i] * per_panel[i], 1),
            specific_yield_kwh_per_kwp=round(yields[i].annual_kwh_per_kwp, 1),
        )
        for i in range(len(yields))
    )


def _sky(
    inputs: QuoteInputs, config: EngineConfig, weather: TmyWeather | None
) -> tuple[Sky, str | None]:
    if weather is None:
        return clear_sky(inputs.location, config), None
    sky = tmy_sky(inputs.location, weather, config)
    return sky, sky_digest(sky)


def _monthly_production(planes: tuple[PlaneResult, ...], yields: list[PlaneYield]) -> list[float]:
    return [
        sum(p.kwp * y.monthly_kwh_per_kwp[m] for p, y in zip(planes, yields, strict=True))
        for m in range(12)
    ]


def compute_quote(
    inputs: QuoteInputs, config: EngineConfig = DEFAULT_CONFIG, *, weather: TmyWeather | None = None
) -> Quote:
    """Compute a quote; CPU-bound (a few ms warm), so call it from a worker thread.

    Raises:
        WeatherInvalid: the supplied weather is not a complete, plausible hourly year.
        RoofTooSmall: no plane can hold one panel.
    """
    sky, weather_sha = _sky(inputs, config, weather)
    yields = [plane_yield(sky, plane, config) for plane in inputs.planes]
    planes = _plane_results(inputs, config, yields)
    panel_count = sum(p.panel_count for p in planes)
    kwp = panel_count * config.panel.watts / 1000
    monthly = _monthly_production(planes, yields)
    annual = sum(monthly)
    price = price_system(panel_count * config.panel.watts, inputs.tariff.currency, config)
    table = savings_table(monthly, inputs.usage.monthly_kwh, inputs.tariff, config)
    lifetime_kwh = sum(row.production_kwh for row in table)
    return Quote(
        model_version=MODEL_VERSION,
        inputs_digest=inputs_digest(inputs, config, weather_sha),
        weather_source=sky.source,
        panel_model=config.panel.name,
        panel_watts=config.panel.watts,
        panel_count=panel_count,
        system_kwp=round(kwp, 3),
        planes=planes,
        annual_production_kwh=round(annual, 1),
        specific_yield_kwh_per_kwp=round(annual / kwp, 1) if kwp else 0.0,
        monthly_production_kwh=tuple(round(v, 1) for v in monthly),
        annual_usage_kwh=round(inputs.usage.annual_kwh, 1),
        target_offset_pct=inputs.options.target_offset_pct,
        offset_achieved_pct=round(100 * annual / inputs.usage.annual_kwh, 1),
        price=price,
        savings=table,
        total_savings=table[-1].cumulative_savings,
        payback_year=payback_year(table, price.net),
        co2_avoided_kg=round(lifetime_kwh * config.co2_kg_per_kwh, 0),
        horizon_years=config.horizon_years,
        valid_days=config.validity_days,
        assumptions=tuple(_assumptions(inputs, config, sky, weather is not None)),
    )
