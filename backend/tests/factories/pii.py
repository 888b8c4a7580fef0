"""Customers with distinctive PII (account, site, quote) for the data-protection tests."""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pymysql
from sqlalchemy.engine import make_url

from helio.auth.accounts.profiles import create_account, find_by_email, read_profile, update_pii
from helio.authz.access import Access
from helio.authz.matrix import Perm, Reach, Role
from helio.authz.principal import Principal
from helio.kit.clock import utcnow
from helio.kit.ids import new_id
from helio.models import AuthSession, ConsentEvent, EnergyUsage, Quote, Site
from helio.platform.app import App
from helio.platform.context import Ctx


@dataclass
class Customer:
    """A test customer and every personal value stored for them."""

    user_id: str
    email: str
    full_name: str
    phone: str
    address: dict[str, str]
    notes: str
    site_id: str
    site_address: str
    quote_id: str
    session_id: str
    extra: dict[str, Any] = field(default_factory=dict)

    def needles(self) -> list[str]:
        """Every PII string that must never appear in clear at rest or in logs."""
        first, last = self.full_name.split()
        return [
            self.email, self.email.lower(), self.full_name, first, last,
            self.phone, self.phone.replace(" ", ""), self.address["line1"],
            self.address["city"], self.address["postal_code"], self.site_address, self.notes,
        ]  # fmt: skip

    def access(self, perm: Perm = Perm.PROFILE_READ, *, step_up: bool = True) -> Access:
        """Return what the guard would give this customer for `perm`."""
        principal = Principal(
            user_id=self.user_id,
            roles=frozenset({Role.CUSTOMER}),
            session_id=self.session_id,
            session_kind="cookie",
            mfa_verified=True,
            has_mfa=True,
            step_up_at=utcnow() if step_up else None,
            email_verified=True,
        )
        return Access(principal, perm, Reach.OWN)

    def ctx(self, app: App, perm: Perm = Perm.PROFILE_READ, *, step_up: bool = True) -> Ctx:
        """Return the context a guarded route would hand a service for this customer."""
        return Ctx(app, self.access(perm, step_up=step_up))


def _tag() -> str:
    # Letters only, so that no value is a substring of another customer's.
    return "".join(secrets.choice("bcdfghjklmnpqrstvwxz") for _ in range(8))


async def make_customer(app_state: App, n: int = 0) -> Customer:
    """Create a customer with a profile, an address, a site, usage, a quote and a session."""
    tag = _tag()
    values: dict[str, Any] = {
        "email": f"Qx.{tag}@Example.com",
        "full_name": f"Zor{tag} Quen{tag}",
        "phone": f"+44 20 79{n % 100:02d} {secrets.randbelow(10_000):04d}",
        "address": {"line1": f"{n + 1} Feather{tag} Lane", "city": f"Burgh{tag}",
                    "postal_code": f"PC{tag}", "country": "GB"},
        "notes": f"gate code is {tag}",
        "site_address": f"{n + 7} Roof{tag} Road, Burgh{tag}",
    }  # fmt: skip
    async with app_state.db.transaction() as session:
        user = await create_account(
            session,
            app_state,
            kind="customer",
            email=values["email"],
            full_name=values["full_name"],
            password_hash=None,
            phone=values["phone"],
        )
        await update_pii(session, app_state, user, {"address": values["address"]})
        await update_pii(session, app_state, user, {"notes": values["notes"]})
        user.marketing_consent = True
        site = await _site(session, app_state, user.id, values["site_address"])
        quote = _quote(user.id, site.id)
        auth = _session(user.id)
        session.add_all(
            [quote, auth, ConsentEvent(user_id=user.id, purpose="marketing", granted=True)]
        )
        session.add(EnergyUsage(site_id=site.id, source="manual", monthly_kwh=[300.0] * 12))
    return Customer(
        user_id=user.id,
        email=values["email"],
        full_name=values["full_name"],
        phone=values["phone"],
        address=values["address"],
        notes=values["notes"],
        site_id=site.id,
        site_address=values["site_address"],
        quote_id=quote.id,
        session_id=auth.id,
    )


async def _site(session: Any, app_state: App, owner_id: str, address: str) -> Site:
    site = Site(
        id=new_id(),
        owner_id=owner_id,
        label="home",
        latitude=51.5,
        longitude=-0.12,
        timezone="Europe/London",
        roof_planes=[{"area_m2": 30, "tilt_deg": 35, "azimuth_deg": 180}],
        tariff_price_per_kwh=Decimal("0.30000"),
        tariff_currency="GBP",
        tariff_escalation_pct=Decimal("2.500"),
    )
    site.address_ct = await app_state.vault.seal(
        session, owner_id, address, table="sites", column="address_ct", row_id=site.id
    )
    session.add(site)
    await session.flush()
    return site


def _quote(owner_id: str, site_id: str) -> Quote:
    return Quote(
        id=new_id(),
        owner_type="customer",
        owner_id=owner_id,
        created_by=owner_id,
        site_id=site_id,
        status="offered",
        model_version="test-1",
        inputs_digest="0" * 64,
        inputs={"location": {"latitude": 51.5, "longitude": -0.12}, "usage": [300] * 12},
        result={"annual_kwh": 4200.0},
        system_kwp=Decimal("5.200"),
        net_price=Decimal("9100.00"),
        currency="GBP",
        valid_until=utcnow() + timedelta(days=30),
    )


def _session(user_id: str) -> AuthSession:
    now = utcnow()
    return AuthSession(
        id=new_id(),
        user_id=user_id,
        kind="cookie",
        secret_hash=secrets.token_bytes(32),
        mfa_verified=True,
        device="Firefox on Linux",
        ip_prefix="203.0.113.0/24",
        idle_expires_at=now + timedelta(minutes=30),
        absolute_expires_at=now + timedelta(hours=12),
    )


async def read_everything(app_state: App, customer: Customer) -> dict[str, Any]:
    """Decrypt every encrypted value of a customer with a cold key cache."""
    app_state.vault.cache.clear()
    async with app_state.db.transaction() as session:
        user = await find_by_email(session, app_state, customer.email.upper())
        assert user is not None
        assert user.id == customer.user_id
        profile = await read_profile(session, app_state, user)
        site = await session.get(Site, customer.site_id)
        assert site is not None
        site_address = await app_state.vault.open(
            session, customer.user_id, site.address_ct,
            table="sites", column="address_ct", row_id=site.id,
        )  # fmt: skip
    return {
        "email": profile.email,
        "full_name": profile.full_name,
        "phone": profile.phone,
        "address": profile.address,
        "notes": profile.notes,
        "site_address": site_address,
    }


def expected(customer: Customer) -> dict[str, Any]:
    """What `read_everything` must return for a customer."""
    return {
        "email": customer.email,
        "full_name": customer.full_name,
        "phone": customer.phone,
        "address": json.loads(json.dumps(customer.address)),
        "notes": customer.notes,
        "site_address": customer.site_address,
    }


def raw_connect(database_url: str, *, user: str | None = None, password: str = "") -> Any:
    """Open a plain pymysql connection to the test schema (no app code in between)."""
    url = make_url(database_url)
    return pymysql.connect(
        host=url.host or "127.0.0.1",
        port=url.port or 3306,
        user=user or url.username or "root",
        password=password if user else (url.password or ""),
        database=url.database,
        autocommit=True,
    )
