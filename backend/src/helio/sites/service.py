"""Sites: a customer's properties, their encrypted address, roof, tariff and energy use."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from pydantic_core import PydanticCustomError
from sqlalchemy.ext.asyncio import AsyncSession

from helio import audit
from helio.audit import AuditAction, Target
from helio.authz import scoping
from helio.errors import ValidationFailed
from helio.kit.clock import utcnow
from helio.kit.ids import new_id
from helio.models import EnergyUsage, Site
from helio.platform.context import Ctx
from helio.security.vault import FieldVault
from helio.sites import repository
from helio.sites.exceptions import MAX_SITES_PER_CUSTOMER, NoUsableUsage, SiteLimitReached
from helio.sites.greenbutton import UsageProfile, parse_green_button
from helio.sites.rules import time_zone_fits
from helio.sites.schemas import (
    AddressCreate,
    AddressRead,
    RoofPlaneRead,
    SiteCreate,
    SitePage,
    SiteRead,
    SiteUpdate,
    TariffRead,
    UsageRead,
    UsageUpdate,
)

MANUAL, GREEN_BUTTON = "manual", "green_button"
SITE = "site"
_ADDRESS = {"table": "sites", "column": "address_ct"}


async def require_site(session: AsyncSession, ctx: Ctx, *, site_id: str) -> Site:
    """Return a site the caller may reach (for this domain and for quotes).

    Raises:
        NotFound: the site does not exist or belongs to someone else (the same 404).
    """
    access = ctx.caller
    return scoping.visible_or_404(
        await repository.get_visible(session, access, site_id), access, SITE
    )


async def usage_for(session: AsyncSession, ctx: Ctx, *, site: Site) -> EnergyUsage | None:
    """Return the energy use stored for a site the caller already reached."""
    return await repository.usage_of(session, site.id)


async def list_sites(
    session: AsyncSession, ctx: Ctx, *, limit: int, cursor: str | None
) -> SitePage:
    """Return one page of the caller's sites, newest first.

    Raises:
        InvalidCursor: a cursor this list did not issue (400).
    """
    rows, next_cursor = await repository.page(session, ctx.caller, cursor=cursor, limit=limit)
    usages = await repository.usages_of(session, [site.id for site in rows])
    vault = ctx.app.vault
    items = [await _read(session, vault, site, usages.get(site.id)) for site in rows]
    return SitePage(items=items, next_cursor=next_cursor)


async def get_site(session: AsyncSession, ctx: Ctx, *, site_id: str) -> SiteRead:
    """Return one of the caller's sites."""
    site = await require_site(session, ctx, site_id=site_id)
    usage = await repository.usage_of(session, site.id)
    return await _read(session, ctx.app.vault, site, usage)


async def create_site(session: AsyncSession, ctx: Ctx, *, data: SiteCreate) -> SiteRead:
    """Create a site for the caller, at most five per customer; audited by field name.

    Raises:
        SiteLimitReached: the caller already has the maximum number of sites (409).
    """
    owner_id = ctx.caller.user_id
    await repository.lock_owner(session, owner_id)
    if await repository.count_owned(session, owner_id) >= MAX_SITES_PER_CUSTOMER:
        raise SiteLimitReached
    site = Site(id=new_id(), owner_id=owner_id, label=data.label, **_columns(data))
    site.address_ct = await _seal(session, ctx.app.vault, site, data.address)
    repository.add(session, site)
    await session.flush()
    await audit.record(
        session,
        ctx,
        AuditAction.SITE_CREATED,
        target=Target(SITE, site.id),
        details={"fields": sorted(data.model_fields_set)},
    )
    return await _read(session, ctx.app.vault, site, None)


async def update_site(
    session: AsyncSession, ctx: Ctx, *, site_id: str, data: SiteUpdate
) -> SiteRead:
    """Change the fields sent; audit the names of those whose value changed."""
    site = await require_site(session, ctx, site_id=site_id)
    vault = ctx.app.vault
    _check_zone(data.timezone or site.timezone, _pick(data.longitude, site.longitude))
    changed = _apply_plain(site, data)
    if data.address is not None and data.address != await _open(session, vault, site):
        site.address_ct = await _seal(session, vault, site, data.address)
        changed.append("address")
    if changed:
        site.updated_at = utcnow()
        await session.flush()
        await audit.record(
            session,
            ctx,
            AuditAction.SITE_UPDATED,
            target=Target(SITE, site.id),
            details={"fields": sorted(changed)},
        )
    return await _read(session, vault, site, await repository.usage_of(session, site.id))


async def delete_site(session: AsyncSession, ctx: Ctx, *, site_id: str) -> None:
    """Delete one of the caller's sites and its usage; quotes keep their stored inputs."""
    site = await require_site(session, ctx, site_id=site_id)
    await repository.delete(session, site)
    await audit.record(
        session, ctx, AuditAction.SITE_DELETED, target=Target(SITE, site_id), details={"fields": []}
    )


async def set_usage(
    session: AsyncSession, ctx: Ctx, *, site_id: str, body: UsageUpdate | bytes
) -> UsageRead:
    """Store the energy use: twelve monthly figures, or a Green Button file parsed off the loop.

    Raises:
        NotFound: not the caller's site (checked before a file is parsed).
        UnsafeXml, MalformedXml, GreenButtonInvalid: the file is refused (422).
    """
    site = await require_site(session, ctx, site_id=site_id)
    if isinstance(body, UsageUpdate):
        return await _store_usage(session, ctx, site, MANUAL, body.monthly_kwh, None)
    profile = await ctx.app.cpu.run(parse_green_button, body)
    monthly = _usable_months(profile)
    hourly = None if profile.hourly_kwh is None else [v for row in profile.hourly_kwh for v in row]
    return await _store_usage(session, ctx, site, GREEN_BUTTON, monthly, hourly)


def _usable_months(profile: UsageProfile) -> list[float]:
    try:
        return UsageUpdate(monthly_kwh=list(profile.monthly_kwh)).monthly_kwh
    except ValidationError:
        raise NoUsableUsage from None


async def _store_usage(
    session: AsyncSession,
    ctx: Ctx,
    site: Site,
    source: str,
    monthly: list[float],
    hourly: list[float] | None,
) -> UsageRead:
    usage = await repository.usage_of(session, site.id)
    if usage is None:
        usage = EnergyUsage(site_id=site.id, source=source, monthly_kwh=monthly)
        repository.add_usage(session, usage)
    usage.source, usage.monthly_kwh, usage.hourly_profile = source, monthly, hourly
    usage.updated_at = utcnow()
    await session.flush()
    fields = ["monthly_kwh"] + ([] if hourly is None else ["hourly_profile"])
    await audit.record(
        session,
        ctx,
        AuditAction.SITE_USAGE_UPDATED,
        target=Target(SITE, site.id),
        details={"fields": fields, "source": source},
    )
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


async def _seal(
    session: AsyncSession, vault: FieldVault, site: Site, address: AddressCreate
) -> bytes:
    sealed = await vault.seal(
        session, site.owner_id, address.model_dump_json(), row_id=site.id, **_ADDRESS
    )
    if sealed is None:
        raise ValueError("an address always seals to a ciphertext")
    return sealed


async def _open(session: AsyncSession, vault: FieldVault, site: Site) -> AddressCreate | None:
    plain = await vault.open(session, site.owner_id, site.address_ct, row_id=site.id, **_ADDRESS)
    return None if plain is None else AddressCreate.model_validate_json(plain)


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
