"""Hourly PV simulation of one roof plane with pvlib, normalised to 1 kWp DC."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pvlib

from helio.quotes.engine_inputs import EngineConfig, RoofPlane
from helio.quotes.engine_weather import FloatArray, Sky

TRANSPOSITION_MODEL = "haydavies"
# Residential panels sit a few centimetres above the roof: SAPM's close-mount parameters.
TEMPERATURE_MODEL = "close_mount_glass_glass"
_SAPM = pvlib.temperature.TEMPERATURE_MODEL_PARAMETERS["sapm"][TEMPERATURE_MODEL]
_KWP_W = 1000.0


@dataclass(frozen=True, slots=True)
class PlaneYield:
    """AC energy per kWp DC of one plane: 12 monthly sums and the annual total (kWh/kWp)."""

    monthly_kwh_per_kwp: tuple[float, ...]
    annual_kwh_per_kwp: float


def hourly_ac_per_kwp(sky: Sky, plane: RoofPlane, config: EngineConfig) -> FloatArray:
    """Return the hourly AC power (W) of 1 kWp DC on this plane over the year."""
    geometry = sky.geometry
    with np.errstate(divide="ignore", invalid="ignore"):
        poa = pvlib.irradiance.get_total_irradiance(
            plane.tilt_deg,
            plane.azimuth_deg,
            geometry.apparent_zenith,
            geometry.azimuth,
            sky.dni,
            sky.ghi,
            sky.dhi,
            dni_extra=geometry.dni_extra,
            albedo=config.albedo,
            model=TRANSPOSITION_MODEL,
        )
        aoi = pvlib.irradiance.aoi(
            plane.tilt_deg, plane.azimuth_deg, geometry.apparent_zenith, geometry.azimuth
        )
        iam = pvlib.iam.physical(aoi)
    unshaded = 1.0 - plane.shading_loss_pct / 100.0
    effective = np.nan_to_num(poa["poa_direct"] * iam + poa["poa_diffuse"]) * unshaded
    poa_global = np.nan_to_num(poa["poa_global"]) * unshaded
    temp_cell = pvlib.temperature.sapm_cell(
        poa_global, sky.temp_air, sky.wind_speed, _SAPM["a"], _SAPM["b"], _SAPM["deltaT"]
    )
    dc = pvlib.pvsystem.pvwatts_dc(effective, temp_cell, _KWP_W, config.panel.temp_coefficient) * (
        1.0 - config.system_losses_pct / 100.0
    )
    # One inverter per plane (microinverters or optimisers), sized by the DC/AC ratio.
    inverter_pdc0 = _KWP_W / (config.dc_ac_ratio * config.inverter_efficiency)
    ac = pvlib.inverter.pvwatts(dc, inverter_pdc0, eta_inv_nom=config.inverter_efficiency)
    result: FloatArray = np.clip(np.nan_to_num(np.asarray(ac, dtype=np.float64)), 0.0, None)
    return result


def plane_yield(sky: Sky, plane: RoofPlane, config: EngineConfig) -> PlaneYield:
    """Simulate one plane for the year and sum its AC energy per month (kWh per kWp)."""
    ac = hourly_ac_per_kwp(sky, plane, config)
    monthly = np.bincount(sky.geometry.month, weights=ac, minlength=12) / 1000.0
    return PlaneYield(
        monthly_kwh_per_kwp=tuple(float(v) for v in monthly),
        annual_kwh_per_kwp=float(monthly.sum()),
    )
