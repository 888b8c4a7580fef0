"""Staff administration: invitations, role changes, deactivation, and their rules."""

from __future__ import annotations

import asyncio
import re
from dataclasses import replace

import pytest
from pydantic import ValidationError
from tests.factories.accounts import (
    audit_events,
    caller,
    cookie_session,
    ctx,
    get_user,
    live_session,
    new_account,
    principal,
)
from tests.factories.mail import captured_mail

from helio.audit.actions import AuditAction
from helio.auth.accounts import repository as accounts
from helio.auth.accounts import service as account_service
from helio.auth.accounts.exceptions import InvalidLinkToken
from helio.auth.login.passwords import hash_password, verify_password
from helio.auth.sessions import lifecycle as sessions
from helio.authz.access import MfaRequired, check
from helio.authz.matrix import Perm, Role
from helio.authz.rules import LastAdmin, OwnRoles
from helio.errors import NotFound, ValidationFailed
from helio.models import User
from helio.platform.app import App
from helio.platform.context import Ctx
from helio.staff.admin import invitations, service
from helio.staff.admin.exceptions import EmailTaken
from helio.staff.admin.schemas import StaffCreate, StaffRead, StaffUpdate

pytestmark = [pytest.mark.mysql, pytest.mark.redis]

TOKEN = re.compile(r"#token=([A-Za-z0-9_\-]+)")
PASSWORD = "correct horse battery staple 42"


def _manage(app_state: App, admin: str) -> Ctx:
    return caller(app_state, admin, Perm.STAFF_MANAGE, Role.ADMIN)


async def _update(app_state: App, admin: str, target: str, **body: object) -> StaffRead:
    async with app_state.db.transaction() as session:
        return await service.update(
            session,
            _manage(app_state, admin),
            staff_id=target,
            data=StaffUpdate.model_validate(body),
        )


async def _roles(app_state: App, user_id: str) -> set[str]:
    async with app_state.db.transaction() as session:
        return set(await accounts.roles(session, user_id))


class TestInvite:
    @pytest.mark.parametrize(
        "body",
        [
            {"email": "new@helio.example", "full_name": "New", "roles": ["customer"]},
            {"email": "new@helio.example", "full_name": "New", "roles": []},
            {"email": "new@helio.example", "full_name": "New", "roles": ["root"]},
            {"email": "not-an-email", "full_name": "New", "roles": ["support"]},
            {
                "email": "new@helio.example",
                "full_name": "N",
                "roles": ["sales"],
                "status": "active",
            },
            {"email": "new@helio.example", "full_name": "N", "roles": ["sales"], "id": "a" * 32},
            {
                "email": "new@helio.example",
                "full_name": "N",
                "roles": ["sales"],
                "email_verified": True,
            },
        ],
    )
    @pytest.mark.asvs("V8.2.3")
    def test_invite_schema_refuses_extra_fields_and_non_staff_roles(
        self, body: dict[str, object]
    ) -> None:
        with pytest.raises(ValidationError):
            StaffCreate.model_validate(body)

    @pytest.mark.asvs("V8.2.3")
    @pytest.mark.parametrize(
        "body",
        [{}, {"roles": ["admin"], "status": "active"}, {"active": True, "mfa": False}],
    )
    def test_update_schema_accepts_only_roles_and_active(self, body: dict[str, object]) -> None:
        with pytest.raises(ValidationError):
            StaffUpdate.model_validate(body)

    async def test_invitation_leads_to_password_then_mandatory_mfa(self, clean: App) -> None:
        admin = await new_account(clean, Role.ADMIN, full_name="Ada Admin")
        invite = StaffCreate(email="new@helio.example", full_name="Nia New", roles=["support"])
        async with captured_mail(clean) as mail, clean.db.transaction() as session:
            user = await service.invite(session, _manage(mail.app, admin), data=invite)
        invited = await get_user(clean, user.id)
        assert (invited.kind, invited.status, invited.password_hash) == ("staff", "invited", None)
        assert await _roles(clean, user.id) == {Role.SUPPORT}
        [message] = mail.transport.messages
        assert message["To"] == "new@helio.example"
        assert "Ada Admin" in message.get_content()
        token = TOKEN.search(message.get_content())
        assert token is not None
        [event] = await audit_events(clean, AuditAction.STAFF_INVITED)
        assert event.details == {"roles": ["support"]}

        async with clean.db.transaction() as session:
            await invitations.accept(session, _anonymous(clean), token=token[1], password=PASSWORD)
        accepted = await get_user(clean, user.id)
        assert accepted.status == "active"
        assert accepted.email_verified_at is not None
        assert accepted.password_hash
        assert await verify_password(accepted.password_hash, PASSWORD)
        unenrolled = replace(principal(user.id, Role.SUPPORT), mfa_verified=False, has_mfa=False)
        with pytest.raises(MfaRequired):
            check(unenrolled, Perm.CUSTOMERS_READ)
        check(unenrolled, Perm.SESSION_SELF)

    @pytest.mark.asvs("V8.2.1")
    async def test_invitation_link_works_once_and_survives_a_weak_password(
        self, clean: App
    ) -> None:
        admin = await new_account(clean, Role.ADMIN)
        invite = StaffCreate(email="once@helio.example", full_name="Ona Once", roles=["sales"])
        async with captured_mail(clean) as mail, clean.db.transaction() as session:
            await service.invite(session, _manage(mail.app, admin), data=invite)
        token = TOKEN.search(mail.transport.messages[0].get_content())
        assert token is not None
        async with clean.db.transaction() as session:
            with pytest.raises(ValidationFailed):
                await invitations.accept(session, _anonymous(clean), token=token[1], password="pw")
        async with clean.db.transaction() as session:
            await invitations.accept(session, _anonymous(clean), token=token[1], password=PASSWORD)
        for value in (token[1], "forged-token"):
            async with clean.db.transaction() as session:
                with pytest.raises(InvalidLinkToken):
                    await invitations.accept(
                        session, _anonymous(clean), token=value, password=PASSWORD
                    )

    async def test_an_existing_email_cannot_be_invited(self, clean: App) -> None:
        admin = await new_account(clean, Role.ADMIN)
        await new_account(clean, email="taken@example.com")
        invite = StaffCreate(email="TAKEN@example.com", full_name="Dup", roles=["sales"])
        async with clean.db.transaction() as session:
            with pytest.raises(EmailTaken):
                await service.invite(session, _manage(clean, admin), data=invite)


class TestRoles:
    @pytest.mark.asvs("V8.2.1", "V16.2.1")
    async def test_role_change_is_audited_and_ends_the_sessions(self, clean: App) -> None:
        admin = await new_account(clean, Role.ADMIN)
        target = await new_account(clean, Role.SUPPORT)
        live = await live_session(clean, target)
        await _update(clean, admin, target, roles=["sales", "engineer"])
        assert await _roles(clean, target) == {Role.SALES, Role.ENGINEER}
        assert await sessions.resolve_token_session(clean, live.session_id) is None
        [event] = await audit_events(clean, AuditAction.STAFF_ROLES_CHANGED)
        assert (event.actor_id, event.resource_id) == (admin, target)
        assert event.details == {
            "added": ["engineer", "sales"],
            "removed": ["support"],
            "sessions_ended": 1,
        }

    @pytest.mark.asvs("V8.2.1")
    async def test_nobody_changes_their_own_roles_or_deactivates_themselves(
        self, clean: App
    ) -> None:
        admin = await new_account(clean, Role.ADMIN)
        await new_account(clean, Role.ADMIN)
        for body in ({"roles": ["admin", "engineer"]}, {"roles": ["support"]}, {"active": False}):
            with pytest.raises(OwnRoles):
                await _update(clean, admin, admin, **body)
        assert await _roles(clean, admin) == {Role.ADMIN}
        assert await audit_events(clean, AuditAction.STAFF_ROLES_CHANGED) == []

    @pytest.mark.asvs("V8.2.1")
    async def test_the_last_admin_cannot_be_removed_even_by_a_race(self, clean: App) -> None:
        first = await new_account(clean, Role.ADMIN)
        second = await new_account(clean, Role.ADMIN)
        outcomes = await asyncio.gather(
            _update(clean, first, second, roles=["support"]),
            _update(clean, second, first, active=False),
            return_exceptions=True,
        )
        failures = [o for o in outcomes if isinstance(o, BaseException)]
        assert len(failures) == 1, outcomes
        assert isinstance(failures[0], LastAdmin)
        admins = [u for u in (first, second) if Role.ADMIN in await _roles(clean, u)]
        active = [u for u in admins if (await get_user(clean, u)).status == "active"]
        assert len(active) == 1

    async def test_staff_admin_never_reaches_customers(self, clean: App) -> None:
        admin = await new_account(clean, Role.ADMIN)
        customer = await new_account(clean)
        with pytest.raises(NotFound):
            await _update(clean, admin, customer, roles=["admin"])
        assert await _roles(clean, customer) == {Role.CUSTOMER}


class TestDeactivate:
    @pytest.mark.asvs("V7.4.2")
    async def test_deactivation_ends_every_session_at_once(self, clean: App) -> None:
        admin = await new_account(clean, Role.ADMIN)
        target = await new_account(clean, Role.ENGINEER)
        await _set_password(clean, target)  # it accepted its invitation
        token = await live_session(clean, target)
        cookie = await cookie_session(clean, target)
        assert await sessions.resolve_token_session(clean, token.session_id) is not None
        await _update(clean, admin, target, active=False)
        assert await sessions.resolve_token_session(clean, token.session_id) is None
        assert await sessions.resolve_cookie_session(clean, cookie) is None
        assert (await get_user(clean, target)).status == "deactivated"
        [event] = await audit_events(clean, AuditAction.STAFF_DEACTIVATED)
        assert event.details == {"sessions_ended": 2}
        await _update(clean, admin, target, active=True)
        assert (await get_user(clean, target)).status == "active"
        assert len(await audit_events(clean, AuditAction.STAFF_REACTIVATED)) == 1

    @pytest.mark.asvs("V6.4.1")
    async def test_an_invitation_survives_deactivation_and_reactivation(self, clean: App) -> None:
        admin = await new_account(clean, Role.ADMIN, full_name="Ada Admin")
        invite = StaffCreate(email="skip@helio.example", full_name="Sam Skip", roles=["support"])
        async with captured_mail(clean) as mail, clean.db.transaction() as session:
            user = await service.invite(session, _manage(mail.app, admin), data=invite)
        first = TOKEN.search(mail.transport.messages[0].get_content())
        assert first is not None
        await _update(clean, admin, user.id, active=False)
        async with captured_mail(clean) as mail:
            read = await _update(mail.app, admin, user.id, active=True)
            assert read.status == "invited"
            [message] = mail.transport.messages
        again = await get_user(clean, user.id)
        assert (again.status, again.password_hash) == ("invited", None)
        [event] = await audit_events(clean, AuditAction.STAFF_REACTIVATED)
        assert event.details == {"invitation_resent": True}
        # The first link died with the deactivation; only the fresh one works, once.
        async with clean.db.transaction() as session:
            with pytest.raises(InvalidLinkToken):
                await invitations.accept(
                    session, _anonymous(clean), token=first[1], password=PASSWORD
                )
        fresh = TOKEN.search(message.get_content())
        assert fresh is not None
        assert fresh[1] != first[1]
        async with clean.db.transaction() as session:
            await invitations.accept(session, _anonymous(clean), token=fresh[1], password=PASSWORD)
        assert (await get_user(clean, user.id)).status == "active"

    @pytest.mark.asvs("V6.4.1")
    async def test_a_password_reset_never_accepts_an_invitation(self, clean: App) -> None:
        admin = await new_account(clean, Role.ADMIN)
        invite = StaffCreate(email="reset@helio.example", full_name="Rae Reset", roles=["sales"])
        async with clean.db.transaction() as session:
            user = await service.invite(session, _manage(clean, admin), data=invite)
        for status in ("invited", "active"):
            # "active" without a password: the state the skipped invitation used to leave.
            async with clean.db.transaction() as session:
                row = await session.get(User, user.id)
                assert row is not None
                row.status = status
            async with captured_mail(clean) as mail, clean.db.transaction() as session:
                await account_service.forgot_password(
                    session, _anonymous(mail.app), email="reset@helio.example", pow_solution=None
                )
            assert mail.transport.messages == []
        refused = await audit_events(clean, AuditAction.AUTH_PASSWORD_RESET_REQUESTED)
        assert [event.reason for event in refused] == ["unknown_account", "unknown_account"]


async def _set_password(app_state: App, user_id: str) -> None:
    async with app_state.db.transaction() as session:
        user = await session.get(User, user_id)
        assert user is not None
        user.password_hash = await hash_password(PASSWORD)


def _anonymous(app_state: App) -> Ctx:
    return ctx(app_state, client_ip="203.0.113.9", request_id="req-accept")
