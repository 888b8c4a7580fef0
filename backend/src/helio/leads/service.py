"""The public call-me-back form: screened like sign-up, limited per address, stored sealed.

An address gets a proof-of-work demand after a few public requests (the challenge
mechanism of sign-in and sign-up, scope "lead"), and a hard limit per address and per
network after that (429 with Retry-After). Counters are keyed by an HMAC of the address,
so Redis never holds it in clear.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from helio import audit
from helio.audit import AuditAction, Target
from helio.auth.login import lockout
from helio.auth.login.service import guard_request
from helio.auth.sessions.lifecycle import network_of
from helio.kit.ids import new_id
from helio.leads import repository, sealed
from helio.leads.exceptions import LeadsFromAddressLimited
from helio.leads.schemas import LeadCreate, LeadReceiptRead
from helio.models import Lead
from helio.platform.app import App
from helio.platform.context import Ctx

LEAD = "lead"
POW_SCOPE = "lead"
PER_ADDRESS = "20/hour"
PER_NETWORK = "60/hour"


def _counter_key(app: App, value: str) -> str:
    key = app.server_keys.hmac("leads")
    return hmac.new(key, value.encode("utf-8"), hashlib.sha256).hexdigest()[:32]


async def _within_limits(ctx: Ctx, ip: str) -> None:
    app = ctx.app
    network = network_of(ip)
    checks = [(PER_ADDRESS, "ip", ip)] + ([(PER_NETWORK, "net", network)] if network else [])
    for rate, kind, value in checks:
        allowed, retry_after = await app.limiter.hit(rate, "leads", kind, _counter_key(app, value))
        if not allowed:
            raise LeadsFromAddressLimited(retry_after, "Too many requests from your network.")


def person_of(data: LeadCreate) -> sealed.LeadPerson:
    """Return the personal fields of a lead form."""
    return sealed.LeadPerson(
        name=data.name,
        email=str(data.email) if data.email else None,
        phone=data.phone,
        postcode=data.postcode,
        message=data.message,
    )


async def new_lead(
    session: AsyncSession,
    ctx: Ctx,
    *,
    data: LeadCreate,
    source: str,
    assignee_id: str | None,
) -> Lead:
    """Store a new lead under a data key of its own; personal fields sealed, emails indexed."""
    lead = Lead(id=new_id(), status="new", source=source, assignee_id=assignee_id)
    await ctx.app.vault.create_key(session, lead.id)
    await sealed.seal(session, ctx.app, lead, person_of(data))
    repository.add(session, lead)
    await session.flush()
    return lead


async def receive(
    session: AsyncSession, ctx: Ctx, *, data: LeadCreate, pow_solution: str | None
) -> LeadReceiptRead:
    """Take a call-me-back request from the public form.

    Raises:
        TooManyAttempts: the address or its network is blocked (429).
        PowRequired (and the other proof-of-work errors): a solution is due (403).
        LeadsFromAddressLimited: the address or network sent too many this hour (429).
    """
    ip = await guard_request(ctx, scope=POW_SCOPE, pow_solution=pow_solution)
    await _within_limits(ctx, ip)
    await lockout.count_public_request(ctx.app, ip)
    lead = await new_lead(session, ctx, data=data, source="web", assignee_id=None)
    await audit.record(session, ctx, AuditAction.LEAD_RECEIVED, target=Target(LEAD, lead.id))
    return LeadReceiptRead(received=True)


@dataclass(frozen=True)
class PipelineCount:
    """Leads that came in one month, now at one status: how many, their estimated value."""

    month: str
    status: str
    currency: str | None
    count: int
    value: Decimal


async def pipeline(session: AsyncSession, ctx: Ctx, *, since: datetime) -> list[PipelineCount]:
    """Count the leads since a date by month, status and currency (no one named)."""
    return [
        PipelineCount(f"{year:04d}-{month:02d}", status, currency, count, Decimal(value or 0))
        for year, month, status, currency, count, value in await repository.pipeline(session, since)
    ]
