"""Sites: a customer's properties, their encrypted address, roof, tariff and energy use."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from pydantic import ValidationError
from pydantic_core import PydanticCustomError
from sqlalchemy.ext.asyncio import AsyncSession

from helio.audit.service import record
from helio.authz import scoping
from helio.authz.access import Access
from helio.errors import Conflict, ValidationFailed
from helio.kit.clock import utcnow
from helio.kit.ids import new_id
from helio.models import EnergyUsage, Site
from helio.quotes.config import run_cpu_bound
from helio.security.vault import FieldVault
from helio.services import Services
from helio.sites import repository
from helio.sites.greenbutton import UsageProfile, parse_green_button
from helio.sites.rules import time_zone_fits
from helio.sites.schemas import (
    AddressIn,
    AddressRead,
    RoofPlaneRead,
    SiteCreate,
    SitePage,
    SiteRead,
    SiteUpdate,
    TariffRead,
    UsageIn,
    UsageRead,
)

# Business limit (ASVS V2.1.3, rule SITE-6).
MAX_SITES_PER_CUSTOMER = 5
MANUAL, GREEN_BUTTON = "manual", "green_button"
_ADDRESS = {"table": "sites", "column": "address_ct"}


class SiteLimitReached(Conflict):
    code = "site_limit_reached"
    message = f"A customer can have at most {MAX_SITES_PER_CUSTOMER} sites (rule SITE-6)."


class InvalidCursor(ValidationFailed):
    code, message = "invalid_cursor", "The cursor is not valid."


async def require_site(session: AsyncSession, access: Access, site_id: str) -> Site:
    """Return a site the caller may reach.

    Raises:
        NotFound: the site does not exist or belongs to someone else (the same 404).
    """
    return scoping.visible_or_404(
        await repository.get_visible(session, access, site_id), access, "site"
    )


async def usage_for(session: AsyncSession, site: Site) -> EnergyUsage | None:
    """Return the energy use stored for a site the caller already reached."""
    return await repository.usage_of(session, site.id)


async def list_sites(
    session: AsyncSession, access: Access, *, vault: FieldVault, limit: int, cursor: str | None
) -> SitePage:
    """Return one page of the caller's sites, newest first."""
    rows = await repository.page(session, access, limit=limit, after=cursor)
    if rows is None:
        raise InvalidCursor
    rows, more = rows[:limit], len(rows) > limit
    usages = await repository.usages_of(session, [site.id for site in rows])
    items = [await _read(session, vault, site, usages.get(site.id)) for site in rows]
    return SitePage(items=items, next_cursor=rows[-1].id if more else None)


async def get_site(
    session: AsyncSession, access: Access, site_id: str, *, vault: FieldVault
) -> SiteRead:
    """Return one of the caller's sites."""
    site = await require_site(session, access, site_id)
    return await _read(session, vault, site, await repository.usage_of(session, site.id))


async def create_site(
    session: AsyncSession,
    access: Access,
    data: SiteCreate,
    *,
    vault: FieldVault,
    request: Request | None = None,
) -> SiteRead:
    """Create a site for the caller, at most five per customer; audited by field name.

    Raises:
        SiteLimitReached: the caller already has the maximum number of sites (409).
    """
    owner_id = access.user_id
    await repository.lock_owner(session, owner_id)
    if await repository.count_owned(session, owner_id) >= MAX_SITES_PER_CUSTOMER:
        raise SiteLimitReached
    site = Site(id=new_id(), owner_id=owner_id, label=data.label, **_columns(data))
    site.address_ct = await _seal(session, vault, site, data.address)
    repository.add(session, site)
    await session.flush()
    await _audit(session, access, "sites.create", site.id, sorted(data.model_fields_set), request)
    return await _read(session, vault, site, None)


async def update_site(
    session: AsyncSession,
    access: Access,
    site_id: str,
    data: SiteUpdate,
    *,
    vault: FieldVault,
    request: Request | None = None,
) -> SiteRead:
    """Change the fields sent; audit the names of those whose value changed."""
    site = await require_site(session, access, site_id)
    _check_zone(data.timezone or site.timezone, _pick(data.longitude, site.longitude))
    changed = _apply_plain(site, data)
    if data.address is not None and data.address != await _open(session, vault, site):
        site.address_ct = await _seal(session, vault, site, data.address)
        changed.append("address")
    if changed:
        site.updated_at = utcnow()
        await session.flush()
        await _audit(session, access, "sites.update", site.id, sorted(changed), request)
    return await _read(session, vault, site, await repository.usage_of(session, site.id))


async def delete_site(
    session: AsyncSession, access: Access, site_id: str, *, request: Request | None = None
) -> None:
    """Delete one of the caller's sites and its usage; quotes keep their stored inputs."""
    site = await require_site(session, access, site_id)
    await repository.delete(session, site)
    await _audit(session, access, "sites.delete", site_id, [], request)


async def set_monthly_usage(
    session: AsyncSession,
    access: Access,
    site_id: str,
    data: UsageIn,
    *,
    request: Request | None = None,
) -> UsageRead:
    """Store twelve monthly kWh figures typed by the customer (no hourly profile)."""
    site = await require_site(session, access, site_id)
    return await _store_usage(session, access, site, MANUAL, data.monthly_kwh, None, request)


async def set_green_button_usage(
    session: AsyncSession,
    access: Access,
    site_id: str,
    document: bytes,
    *,
    services: Services,
    request: Request | None = None,
) -> UsageRead:
    """Parse a Green Button export in the bounded worker pool and store its profiles.

    Raises:
        NotFound: not the caller's site (checked before the file is parsed).
        UnsafeXml, MalformedXml, GreenButtonInvalid: the file is refused (422).
    """
    site = await require_site(session, access, site_id)
    profile = await run_cpu_bound(services, parse_green_button, document)
    monthly = _usable_months(profile)
    hourly = None if profile.hourly_kwh is None else [v for row in profile.hourly_kwh for v in row]
    return await _store_usage(session, access, site, GREEN_BUTTON, monthly, hourly, request)


def _usable_months(profile: UsageProfile) -> list[float]:
    try:
        return UsageIn(monthly_kwh=list(profile.monthly_kwh)).monthly_kwh
    except ValidationError:
        raise ValidationFailed(
            "The file shows no usable electricity use for a year.", code="invalid_green_button"
        ) from None


async def _store_usage(
    session: AsyncSession,
    access: Access,
    site: Site,
    source: str,
    monthly: list[float],
    hourly: list[float] | None,
    request: Request | None,
) -> UsageRead:
    usage = await repository.usage_of(session, site.id)
    if usage is None:
        usage = EnergyUsage(site_id=site.id, source=source, monthly_kwh=monthly)
        repository.add_usage(session, usage)
    usage.source, usage.monthly_kwh, usage.hourly_profile = source, monthly, hourly
    usage.updated_at = utcnow()
    await session.flush()
    fields = ["monthly_kwh"] + ([] if hourly is None else ["hourly_profile"])
    await _audit(session, access, "sites.usage.update", site.id, fields, request, source=source)
    return usage_read(usage)


def usage_read(usage: EnergyUsage) -> UsageRead:
    """Return the API view of a usage row."""
    return UsageRead(
        source=usage.source,
        monthly_kwh=list(usage.monthly_kwh),
        annual_kwh=round(sum(usage.monthly_kwh), 3),
        has_hourly_profile=usage.hourly_profile is not None,
        updated_at=usage.updated_at,
    )


def _columns(data: SiteCreate) -> dict[str, Any]:
    return {
        "latitude": data.latitude,
        "longitude": data.longitude,
        "timezone": data.timezone,
        "roof_planes": [plane.model_dump() for plane in data.roof_planes],
        "tariff_price_per_kwh": data.tariff.price_per_kwh,
        "tariff_currency": data.tariff.currency,
        "tariff_escalation_pct": data.tariff.escalation_pct,
    }


def _pick(new: float | None, old: float) -> float:
    return old if new is None else new


def _check_zone(time_zone: str, longitude: float) -> None:
    try:
        time_zone_fits(time_zone, longitude)
    except PydanticCustomError as error:
        raise ValidationFailed(
            error.message(), code=error.type, fields={"timezone": error.message()}
        ) from None


_TARIFF_COLUMNS = {
    "tariff_price_per_kwh": "price_per_kwh",
    "tariff_currency": "currency",
    "tariff_escalation_pct": "escalation_pct",
}


def _apply_plain(site: Site, data: SiteUpdate) -> list[str]:
    sent = data.model_fields_set
    wanted: dict[str, Any] = {
        name: getattr(data, name)
        for name in ("label", "latitude", "longitude", "timezone")
        if name in sent
    }
    if data.roof_planes is not None:
        wanted["roof_planes"] = [plane.model_dump() for plane in data.roof_planes]
    if data.tariff is not None:
        for column, field in _TARIFF_COLUMNS.items():
            wanted[column] = getattr(data.tariff, field)
    changed = [name for name, value in wanted.items() if getattr(site, name) != value]
    for name in changed:
        setattr(site, name, wanted[name])
    return sorted({"tariff" if name in _TARIFF_COLUMNS else name for name in changed})


async def _seal(session: AsyncSession, vault: FieldVault, site: Site, address: AddressIn) -> bytes:
    sealed = await vault.seal(
        session, site.owner_id, address.model_dump_json(), row_id=site.id, **_ADDRESS
    )
    if sealed is None:
        raise ValueError("an address always seals to a ciphertext")
    return sealed


async def _open(session: AsyncSession, vault: FieldVault, site: Site) -> AddressIn | None:
    plain = await vault.open(session, site.owner_id, site.address_ct, row_id=site.id, **_ADDRESS)
    return None if plain is None else AddressIn.model_validate_json(plain)


async def _read(
    session: AsyncSession, vault: FieldVault, site: Site, usage: EnergyUsage | None
) -> SiteRead:
    address = await _open(session, vault, site)
    return SiteRead(
        id=site.id,
        label=site.label,
        address=None if address is None else AddressRead(**address.model_dump()),
        latitude=site.latitude,
        longitude=site.longitude,
        timezone=site.timezone,
        roof_planes=[RoofPlaneRead(**plane) for plane in site.roof_planes],
        tariff=TariffRead.model_validate(
            {field: getattr(site, column) for column, field in _TARIFF_COLUMNS.items()}
        ),
        usage=None if usage is None else usage_read(usage),
        created_at=site.created_at,
        updated_at=site.updated_at,
    )


async def _audit(
    session: AsyncSession,
    access: Access,
    action: str,
    site_id: str,
    fields: list[str],
    request: Request | None,
    **extra: str,
) -> None:
    details: dict[str, Any] = {"fields": fields, **extra}
    await record(
        session,
        action=action,
        actor=access.principal,
        resource_type="site",
        resource_id=site_id,
        request=request,
        details=details,
    )
