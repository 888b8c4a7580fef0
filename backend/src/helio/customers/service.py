"""The customer's own account: read and change the profile, export every own record."""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal
from typing import Any

from fastapi import Request
from sqlalchemy.ext.asyncio import AsyncSession

from helio.accounts.service import Profile, read_profile, update_pii
from helio.audit.service import record, record_separately
from helio.authz.access import Access
from helio.customers import repository
from helio.customers.schemas import AccountExport, ProfileRead, ProfileUpdate
from helio.errors import NotFound
from helio.kit.clock import utcnow
from helio.logging import get_logger
from helio.models import ConsentEvent, User
from helio.security.crypto import DecryptionError
from helio.security.vault import KeyDestroyed
from helio.services import Services

log = get_logger("customers")

PII_FIELDS = ("full_name", "phone", "address")
MARKETING = "marketing"


async def load_own_account(session: AsyncSession, access: Access, *, lock: bool = False) -> User:
    """Return the caller's live account.

    Raises:
        NotFound: the account is gone or deleted.
    """
    user = await repository.get_user(session, access.user_id, lock=lock)
    if user is None or user.deleted_at is not None:
        raise NotFound
    return user


async def decrypt_profile(
    session: AsyncSession,
    services: Services,
    user: User,
    *,
    access: Access | None = None,
    request: Request | None = None,
) -> Profile:
    """Decrypt an account's profile; an integrity failure is logged and audited, then raised.

    Raises:
        DecryptionError: a stored value was tampered with, moved or its key destroyed
            (rendered as 409 `data_integrity_error` / `data_erased`, never a 500).
    """
    try:
        try:
            return await read_profile(session, services, user)
        except KeyDestroyed:
            # A data-key rotation may have committed between reading the row and its key.
            await session.refresh(user)
            return await read_profile(session, services, user)
    except DecryptionError as exc:
        log.warning("data_integrity_error", user_id=user.id, error_code=exc.code)
        await record_separately(
            services.db,
            action="data.integrity_failed",
            outcome="failure",
            actor=access.principal if access else None,
            resource_type="user",
            resource_id=user.id,
            request=request,
            details={"code": exc.code},
        )
        raise


def profile_read(profile: Profile) -> ProfileRead:
    """Return the API view of a decrypted profile."""
    return ProfileRead(
        id=profile.id,
        email=profile.email,
        full_name=profile.full_name,
        phone=profile.phone,
        address=profile.address,
        marketing_consent=profile.marketing_consent,
        email_verified=profile.email_verified,
    )


async def read_me(
    session: AsyncSession, services: Services, access: Access, *, request: Request | None = None
) -> ProfileRead:
    """Return the caller's own profile."""
    user = await load_own_account(session, access)
    return profile_read(
        await decrypt_profile(session, services, user, access=access, request=request)
    )


async def update_me(
    session: AsyncSession,
    services: Services,
    access: Access,
    update: ProfileUpdate,
    *,
    request: Request | None = None,
) -> ProfileRead:
    """Change the caller's name, phone, address or marketing consent; audit the changed names."""
    user = await load_own_account(session, access, lock=True)
    current = await decrypt_profile(session, services, user, access=access, request=request)
    wanted = update.changes()
    pii = {k: v for k, v in wanted.items() if k in PII_FIELDS and getattr(current, k) != v}
    changed = await update_pii(session, services, user, pii) if pii else []
    consent = wanted.get("marketing_consent")
    if consent is not None and consent != user.marketing_consent:
        user.marketing_consent = consent
        user.updated_at = utcnow()
        repository.add_consent_event(
            session, ConsentEvent(user_id=user.id, purpose=MARKETING, granted=consent)
        )
        changed.append("marketing_consent")
    if changed:
        await record(
            session,
            action="profile.updated",
            actor=access.principal,
            resource_type="user",
            resource_id=user.id,
            request=request,
            details={"fields": sorted(changed)},
        )
    await session.flush()
    return profile_read(
        await decrypt_profile(session, services, user, access=access, request=request)
    )


async def export_me(
    session: AsyncSession, services: Services, access: Access, *, request: Request | None = None
) -> AccountExport:
    """Return every record of the caller (profile, sites and usage, quotes, orders, sessions,
    consent history) and audit the export."""
    user = await load_own_account(session, access)
    profile = await decrypt_profile(session, services, user, access=access, request=request)
    export = AccountExport(
        exported_at=utcnow(),
        profile=profile_read(profile),
        sites=await _export_sites(session, services, user.id),
        quotes=[_quote(q) for q in await repository.quotes_of(session, user.id)],
        orders=await _export_orders(session, services, user.id),
        sessions=[_session(s) for s in await repository.sessions_of(session, user.id)],
        consent_history=[
            {"purpose": e.purpose, "granted": e.granted, "at": e.created_at}
            for e in await repository.consent_history(session, user.id)
        ],
    )
    await record(
        session,
        action="account.exported",
        actor=access.principal,
        resource_type="user",
        resource_id=user.id,
        request=request,
        details={key: len(getattr(export, key)) for key in ("sites", "quotes", "orders")},
    )
    return export


async def _export_sites(
    session: AsyncSession, services: Services, owner_id: str
) -> list[dict[str, Any]]:
    sites = await repository.sites_of(session, owner_id)
    usage = await repository.usage_of(session, [site.id for site in sites])
    out = []
    for site in sites:
        address = await services.vault.open(
            session, owner_id, site.address_ct, table="sites", column="address_ct", row_id=site.id
        )
        used = usage.get(site.id)
        out.append(
            {
                "id": site.id,
                "label": site.label,
                "address": _maybe_json(address),
                "latitude": site.latitude,
                "longitude": site.longitude,
                "timezone": site.timezone,
                "roof_planes": site.roof_planes,
                "tariff": {
                    "price_per_kwh": _plain(site.tariff_price_per_kwh),
                    "currency": site.tariff_currency,
                    "escalation_pct": _plain(site.tariff_escalation_pct),
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


async def _export_orders(
    session: AsyncSession, services: Services, owner_id: str
) -> list[dict[str, Any]]:
    out = []
    for row in await repository.orders_of(session, owner_id):
        order: dict[str, Any] = {}
        for column, value in row.items():
            if isinstance(value, bytes):
                if not column.endswith("_ct"):
                    continue  # digests and other binary internals are not the customer's data
                value = await services.vault.open(
                    session, owner_id, value, table="orders", column=column, row_id=str(row["id"])
                )
                column = column.removesuffix("_ct")
            order[column] = _plain(value)
        out.append(order)
    return out


def _quote(quote: Any) -> dict[str, Any]:
    return {
        "id": quote.id,
        "site_id": quote.site_id,
        "status": quote.status,
        "system_kwp": _plain(quote.system_kwp),
        "net_price": _plain(quote.net_price),
        "currency": quote.currency,
        "model_version": quote.model_version,
        "inputs": quote.inputs,
        "result": quote.result,
        "created_at": quote.created_at,
        "valid_until": quote.valid_until,
    }


def _session(auth_session: Any) -> dict[str, Any]:
    return {
        name: getattr(auth_session, name)
        for name in (
            "id",
            "kind",
            "device",
            "ip_prefix",
            "mfa_verified",
            "created_at",
            "last_seen_at",
            "idle_expires_at",
            "absolute_expires_at",
            "revoked_at",
            "revoked_reason",
        )
    }


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def _maybe_json(value: str | None) -> Any:
    if value is None or not value.startswith("{"):
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value
