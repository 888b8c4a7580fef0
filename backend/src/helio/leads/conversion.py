"""Turn a lead into a customer: an invitation to set up an account, or a link to an existing one.

The invitation reuses the staff invitation's mechanism: an account in the "invited" state
made from the lead's details, and a single-use, hashed, expiring token mailed as a link
(`POST /auth/invitations/accept` sets the password and activates it). Converting again
while the account is still invited sends a fresh link.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from helio import audit
from helio.audit import AuditAction, Target
from helio.auth.accounts.profiles import create_account, find_by_email
from helio.auth.tokens import issuing
from helio.authz.matrix import Role
from helio.kit.clock import utcnow
from helio.leads import sealed
from helio.leads.exceptions import LeadConverted, LeadEmailTaken, LeadHasNoEmail, LeadNotYours
from helio.leads.schemas import LeadRead, LeadStatus
from helio.leads.service import LEAD
from helio.leads.staff import lead_read, visible_lead
from helio.mail.messages import compose
from helio.mail.outbox import send_after_commit
from helio.models import Lead, User
from helio.platform.context import Ctx
from helio.security.blind_index import normalise_phone
from helio.staff.admin.service import INVITE, INVITE_HOURS, INVITED

CUSTOMER = "customer"


async def convert(session: AsyncSession, ctx: Ctx, *, lead_id: str) -> LeadRead:
    """Invite one's own lead to become a customer (or link it to its existing account).

    Raises:
        NotFound: missing, or another salesperson's.
        LeadNotYours: an unassigned lead (claim it first) (403).
        LeadConverted: converted already, to an active account (409).
        LeadHasNoEmail: nowhere to send the invitation (422).
        LeadEmailTaken: the email is a staff account's (409).
    """
    lead = await visible_lead(session, ctx, lead_id=lead_id, lock=True)
    if lead.assignee_id != ctx.caller.user_id:
        raise LeadNotYours
    person = await sealed.open_person(session, ctx.app, lead)
    if person.email is None:
        raise LeadHasNoEmail
    account = await find_by_email(session, ctx.app, person.email)
    if account is not None and account.kind != CUSTOMER:
        raise LeadEmailTaken
    if lead.status == LeadStatus.CONVERTED and (account is None or account.status != INVITED):
        raise LeadConverted
    if account is None:
        account = await _invited_account(session, ctx, person)
    invited = account.status == INVITED
    if invited:
        await _send_invitation(session, ctx, account, person)
    _mark_converted(lead, account.id)
    await audit.record(
        session,
        ctx,
        AuditAction.LEAD_CONVERTED,
        target=Target(LEAD, lead.id),
        details={"customer_id": account.id, "invited": invited},
    )
    return await lead_read(session, ctx, lead=lead, masked=False)


async def _invited_account(session: AsyncSession, ctx: Ctx, person: sealed.LeadPerson) -> User:
    assert person.email is not None
    phone = person.phone if person.phone and _normalisable(person.phone) else None
    user = await create_account(
        session,
        ctx.app,
        kind=CUSTOMER,
        email=person.email,
        full_name=person.name or "",
        password_hash=None,
        roles=[Role.CUSTOMER],
        phone=phone,
    )
    user.status = INVITED
    return user


def _normalisable(phone: str) -> bool:
    try:
        normalise_phone(phone)
    except ValueError:
        return False
    return True


async def _send_invitation(
    session: AsyncSession, ctx: Ctx, account: User, person: sealed.LeadPerson
) -> None:
    assert person.email is not None
    token, _ = await issuing.issue_one_time(
        session, account.id, INVITE, seconds=INVITE_HOURS * 3600
    )
    base = ctx.app.settings.public_url.rstrip("/")
    message = compose(
        ctx.app.settings,
        to=person.email,
        template="customer_invitation",
        name=person.name or "there",
        link=f"{base}/accept-invitation#token={token}",
        hours=str(INVITE_HOURS),
    )
    send_after_commit(session, ctx.app.outbox, message)


def _mark_converted(lead: Lead, customer_id: str) -> None:
    now = utcnow()
    lead.customer_id = customer_id
    lead.status = LeadStatus.CONVERTED.value
    lead.converted_at = lead.converted_at or now
    lead.updated_at = now
