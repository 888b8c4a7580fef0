"""First-run data: the first admin, and the demo accounts with a demo site (never in production).

The demo customer can ask for a quote at once: it owns a site with roof planes
and a year of monthly use, and a first order placed from a quote of that site, so
the portal shows an order and its timeline at once. Staff enrol MFA at their first
sign-in, as all staff must.
"""

from __future__ import annotations

import dataclasses
import secrets
from collections.abc import Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from helio.auth.accounts import profiles as accounts
from helio.auth.login.passwords import hash_password
from helio.authz.access import check
from helio.authz.matrix import Perm, Role
from helio.authz.principal import Principal
from helio.config import Settings
from helio.errors import Conflict
from helio.kit.clock import utcnow
from helio.kit.ids import new_token
from helio.mail.outbox import DiscardOutbox
from helio.main import build_app
from helio.models import User
from helio.orders import service as orders
from helio.orders.schemas import OrderCreate
from helio.platform.app import App
from helio.platform.context import Ctx
from helio.quotes import service as quotes
from helio.quotes.schemas import QuoteCreate
from helio.sites import service as sites
from helio.sites.schemas import SiteCreate, UsageUpdate

DEMO_ACCOUNTS: tuple[tuple[str, str, str, tuple[Role, ...]], ...] = (
    ("customer", "demo.customer@helio.localhost", "Dana Customer", (Role.CUSTOMER,)),
    ("staff", "demo.support@helio.localhost", "Sam Support", (Role.SUPPORT,)),
    ("staff", "demo.sales@helio.localhost", "Sasha Sales", (Role.SALES,)),
    ("staff", "demo.engineer@helio.localhost", "Eli Engineer", (Role.ENGINEER,)),
    ("staff", "demo.admin@helio.localhost", "Ada Admin", (Role.ADMIN,)),
)
# The demo customer's house: two roof planes, a tariff and twelve months of use.
DEMO_SITE: dict[str, Any] = {
    "label": "Demo home",
    "address": {
        "line1": "1 Demo Street",
        "city": "Sacramento",
        "region": "CA",
        "postal_code": "95814",
        "country": "US",
    },
    "latitude": 38.5816,
    "longitude": -121.4944,
    "timezone": "America/Los_Angeles",
    "roof_planes": [
        {"area_m2": 30, "tilt_deg": 25, "azimuth_deg": 180},
        {"area_m2": 15, "tilt_deg": 25, "azimuth_deg": 270, "shading_loss_pct": 5},
    ],
    "tariff": {"price_per_kwh": "0.30", "currency": "USD", "escalation_pct": "2.5"},
}
DEMO_MONTHLY_KWH = [720, 640, 610, 540, 500, 560, 690, 720, 600, 560, 640, 710]


class DemoRefused(RuntimeError):
    """Demo accounts are never created in production."""


async def create_staff(
    settings: Settings, *, email: str, full_name: str, password: str, roles: Sequence[str]
) -> str:
    """Create a verified staff account (MFA enrolment is forced at first sign-in)."""
    from helio.auth.login.password_policy import check_password

    check_password(password, email=email, name=full_name)
    app = build_app(settings)
    try:
        async with app.db.transaction() as session:
            if await accounts.find_by_email(session, app, email) is not None:
                raise Conflict("An account with this email exists already.")
            user = await accounts.create_account(
                session,
                app,
                kind="staff",
                email=email,
                full_name=full_name,
                password_hash=await hash_password(password),
                roles=[Role(r) for r in roles],
            )
            user.email_verified_at = utcnow()
            return user.id
    finally:
        await app.close()


async def seed_demo(settings: Settings) -> list[tuple[str, str, str]]:
    """Create the demo accounts unless present; return (email, roles, password) of new ones.

    Raises:
        DemoRefused: in production, before anything is read or written.
    """
    if settings.is_production:
        raise DemoRefused("demo accounts are never created in production (HELIO_ENV=production)")
    app = build_app(settings)
    created: list[tuple[str, str, str]] = []
    try:
        async with app.db.transaction() as session:
            for kind, email, name, roles in DEMO_ACCOUNTS:
                if await accounts.find_by_email(session, app, email) is not None:
                    continue
                password = secrets.token_urlsafe(15)
                user = await accounts.create_account(
                    session,
                    app,
                    kind=kind,
                    email=email,
                    full_name=name,
                    password_hash=await hash_password(password),
                    roles=roles,
                )
                user.email_verified_at = utcnow()
                if kind == "customer":
                    await _demo_order(session, app, user, await _demo_site(session, app, user))
                created.append((email, ",".join(roles), password))
    finally:
        await app.close()
    return created


def _demo_principal(user: User, *, has_mfa: bool = False) -> Principal:
    # The seed acts for the customer; "seed-demo" stands where a session id would be.
    return Principal(
        user_id=user.id,
        roles=frozenset({Role.CUSTOMER}),
        session_id="seed-demo",
        session_kind="cookie",
        mfa_verified=False,
        has_mfa=has_mfa,
        step_up_at=None,
        email_verified=True,
    )


async def _demo_site(session: AsyncSession, app: App, user: User) -> str:
    """Give the demo customer a site with roof planes and monthly use, through the service."""
    ctx = Ctx(app, check(_demo_principal(user), Perm.SITES_WRITE))
    site = await sites.create_site(session, ctx, data=SiteCreate.model_validate(DEMO_SITE))
    usage = UsageUpdate(monthly_kwh=[float(kwh) for kwh in DEMO_MONTHLY_KWH])
    await sites.set_usage(session, ctx, site_id=site.id, body=usage)
    return site.id


async def _demo_order(session: AsyncSession, app: App, user: User, site_id: str) -> None:
    """Quote the demo site and place the demo customer's first order, through the services.

    Demo data stands for an order placed earlier: through the API, a customer sets up a
    second factor before ordering (the principal below says it has, for this one order).
    """
    # Demo data mails nobody: the sink of `make run` is not up yet while seeding.
    app = dataclasses.replace(app, outbox=DiscardOutbox())
    quoting = Ctx(app, check(_demo_principal(user), Perm.QUOTES_CREATE))
    quote = await quotes.create_quote(session, quoting, data=QuoteCreate(site_id=site_id))
    ordering = Ctx(app, check(_demo_principal(user, has_mfa=True), Perm.ORDERS_CREATE))
    await orders.place(
        session, ordering, data=OrderCreate(quote_id=quote.id), idempotency_key=new_token()[:40]
    )
