"""The access review: every staff account with roles, MFA, last use, grants, flags; attestation."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from tests.factories.accounts import audit_events, caller, live_session, new_account

from helio.audit.actions import AuditAction
from helio.authz.matrix import Perm, Role
from helio.kit.clock import clock, utcnow
from helio.models import AccessAttestation, User
from helio.platform.app import App
from helio.staff.admin import review
from helio.staff.admin.schemas import AccessReviewRead
from helio.staff.grants import service as grants
from helio.staff.grants.schemas import GrantCreate

pytestmark = [pytest.mark.mysql, pytest.mark.redis, pytest.mark.asvs("V8.1.1")]

DAY = 24 * 3600


async def _set(app_state: App, user_id: str, **columns: object) -> None:
    async with app_state.db.transaction() as session:
        user = await session.get(User, user_id)
        assert user is not None
        for name, value in columns.items():
            setattr(user, name, value)


async def _staff(app_state: App) -> dict[str, str]:
    cast = {
        "admin": await new_account(app_state, Role.ADMIN, email="admin@helio.example"),
        "second_admin": await new_account(app_state, Role.ADMIN, Role.ENGINEER),
        "no_mfa": await new_account(app_state, Role.SUPPORT),
        "dormant": await new_account(app_state, Role.SALES),
        "invited": await new_account(app_state, Role.SALES),
        "gone": await new_account(app_state, Role.ADMIN),
        "engineer": await new_account(app_state, Role.ENGINEER),
    }
    await _set(app_state, cast["no_mfa"], totp_confirmed_at=None)
    await _set(app_state, cast["invited"], status="invited", totp_confirmed_at=None)
    await _set(app_state, cast["gone"], status="deactivated")
    clock.advance(60 * DAY)
    await live_session(app_state, cast["engineer"])
    await _set(app_state, cast["admin"], last_login_at=utcnow() - timedelta(hours=2))
    return cast


async def _report(app_state: App, admin: str) -> AccessReviewRead:
    async with app_state.db.transaction() as session:
        return await review.report(
            session, caller(app_state, admin, Perm.ACCESS_REVIEW, Role.ADMIN)
        )


async def test_every_staff_account_with_flags_and_no_customers(clean: App) -> None:
    customer = await new_account(clean)
    cast = await _staff(clean)
    await _grant(clean, cast["engineer"], customer)
    report = await _report(clean, cast["admin"])
    entries = {entry.id: entry for entry in report.staff}
    assert set(entries) == set(cast.values())
    assert entries[cast["admin"]].email == "admin@helio.example"
    assert entries[cast["admin"]].mfa_methods == ["totp"]
    assert entries[cast["admin"]].flags == []
    assert entries[cast["no_mfa"]].flags == ["no_mfa", "dormant"]
    assert entries[cast["dormant"]].flags == ["dormant"]
    assert entries[cast["dormant"]].days_since_last_use == 60
    assert entries[cast["invited"]].flags == ["invitation_pending"]
    assert entries[cast["gone"]].flags == []
    assert entries[cast["gone"]].status == "deactivated"
    assert entries[cast["engineer"]].days_since_last_use == 0
    assert entries[cast["engineer"]].open_grants == 1
    assert entries[cast["second_admin"]].roles == ["admin", "engineer"]
    assert entries[cast["second_admin"]].flags == ["dormant"]
    summary = report.summary
    assert (summary.staff, summary.active, summary.admin_count) == (7, 5, 2)
    assert (summary.no_mfa, summary.dormant, summary.dormant_after_days) == (1, 3, 45)


async def _grant(app_state: App, engineer: str, customer: str) -> str:
    async with app_state.db.transaction() as session:
        row = await grants.request_grant(
            session,
            caller(app_state, engineer, Perm.GRANTS_REQUEST, Role.ENGINEER),
            data=GrantCreate(
                customer_id=customer, reason="Investigating ticket 77 for this customer", minutes=30
            ),
        )
    return row.id


@pytest.mark.asvs("V16.2.1")
async def test_attestation_records_who_when_and_a_snapshot_without_pii(clean: App) -> None:
    cast = await _staff(clean)
    async with clean.db.transaction() as session:
        attested = await review.attest(
            session,
            caller(clean, cast["admin"], Perm.ACCESS_REVIEW, Role.ADMIN),
            note="Q3 review: removed nobody",
        )
    assert attested.attested_by == cast["admin"]
    async with clean.db.transaction() as session:
        row = (await session.execute(select(AccessAttestation))).scalars().one()
    assert row.note == "Q3 review: removed nobody"
    assert row.snapshot["summary"]["admin_count"] == 2
    assert {entry["id"] for entry in row.snapshot["staff"]} == set(cast.values())
    assert "helio.example" not in str(row.snapshot)
    [event] = await audit_events(clean, AuditAction.ACCESS_REVIEW_ATTESTED)
    assert (event.actor_id, event.resource_id) == (cast["admin"], attested.id)
    later = await _report(clean, cast["admin"])
    assert later.last_attestation is not None
    assert later.last_attestation.id == attested.id
