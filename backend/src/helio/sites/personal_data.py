"""Sites hold a customer's address, coordinates, roof, tariff and energy use."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from helio.kit.plain import maybe_json, plain
from helio.models import Site
from helio.platform.personal_data import PersonalData
from helio.security.vault import FieldVault
from helio.sites import repository


async def export_sites(
    session: AsyncSession, vault: FieldVault, owner_id: str
) -> list[dict[str, Any]]:
    """Return every site of the owner with its decrypted address and its energy use."""
    sites = await repository.owned_by(session, owner_id)
    usage = await repository.usages_of(session, [site.id for site in sites])
    out = []
    for site in sites:
        address = await vault.open(
            session, owner_id, site.address_ct, table="sites", column="address_ct", row_id=site.id
        )
        used = usage.get(site.id)
        out.append(
            {
                "id": site.id,
                "label": site.label,
                "address": maybe_json(address),
                "latitude": site.latitude,
                "longitude": site.longitude,
                "timezone": site.timezone,
                "roof_planes": site.roof_planes,
                "tariff": {
                    "price_per_kwh": plain(site.tariff_price_per_kwh),
                    "currency": site.tariff_currency,
                    "escalation_pct": plain(site.tariff_escalation_pct),
                },
                "usage": None
                if used is None
                else {
                    "source": used.source,
                    "monthly_kwh": used.monthly_kwh,
                    "hourly_profile": used.hourly_profile,
                    "updated_at": used.updated_at,
                },
                "created_at": site.created_at,
            }
        )
    return out


SITES = PersonalData(
    owner=Site.owner_id,
    export_as="sites",
    export=export_sites,
    erase=repository.delete_owned,
)
