"""Staff customer view: scoped search, masked by default, audited reveal, account actions."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest
from pydantic import ValidationError
from tests.factories.accounts import (
    ADDRESS,
    PHONE,
    audit_events,
    caller,
    get_user,
    live_session,
    new_account,
)
from tests.factories.mail import captured_mail

from helio.audit.actions import AuditAction
from helio.auth.login import lockout
from helio.auth.sessions import lifecycle as sessions
from helio.authz.matrix import Perm, Role
from helio.errors import NotFound, RateLimited
from helio.platform.app import App
from helio.platform.context import Ctx
from helio.platform.policy import StaffPolicy
from helio.staff.customers import account, service
from helio.staff.customers.exceptions import AlreadyVerified
from helio.staff.customers.schemas import RevealCreate, RevealField, SearchQuery

pytestmark = [pytest.mark.mysql, pytest.mark.redis]

REASON = "Customer called about an invoice, ticket 4711"


async def _customer(app_state: App) -> str:
    return await new_account(
        app_state,
        full_name="Jane Doe",
        email="jane.doe@example.com",
        phone=PHONE,
        address=ADDRESS,
        notes="prefers mornings",
    )


class TestSearchAndView:
    @pytest.mark.asvs("V8.1.2", "V8.2.3")
    async def test_support_sees_masked_pii_and_the_view_is_audited(self, clean: App) -> None:
        customer = await _customer(clean)
        support = await new_account(clean, Role.SUPPORT)
        async with clean.db.transaction() as session:
            view = await service.view(
                session,
                caller(clean, support, Perm.CUSTOMERS_READ, Role.SUPPORT),
                customer_id=customer,
            )
        assert view.email == "j***@e***.com"
        assert view.phone == "+1 *** *** 4567"
        assert view.full_name == "J. D."
        assert view.address == {
            "line1": "Dolores Street",
            "city": "San Francisco",
            "region": "CA",
            "postal_code": "94***",
            "country": "US",
        }
        assert view.has_notes is True
        assert "prefers" not in view.model_dump_json()
        [event] = await audit_events(clean, AuditAction.CUSTOMER_VIEWED)
        assert (event.actor_id, event.resource_id) == (support, customer)
        assert event.details == {"via": "view"}

    @pytest.mark.parametrize(
        "query", ["JANE.DOE@example.com", "+1 (415) 555-4567", "jane", "Jane D", "  jan  "]
    )
    async def test_search_by_exact_email_phone_or_name_prefix(self, clean: App, query: str) -> None:
        customer = await _customer(clean)
        await new_account(clean, full_name="Janet Other", email="janet@example.com")
        support = await new_account(clean, Role.SUPPORT)
        async with clean.db.transaction() as session:
            page = await service.search(
                session,
                caller(clean, support, Perm.CUSTOMERS_READ, Role.SUPPORT),
                query=SearchQuery(query=query),
            )
        ids = [item.id for item in page.items]
        assert customer in ids
        assert all(item.email and "***" in item.email for item in page.items)
        if query.strip() == "jan":
            assert len(ids) == 2
        elif "@" in query or "+" in query or query == "Jane D":
            assert ids == [customer]

    @pytest.mark.parametrize("query", ["  ab  ", "\u3000ab\u2029", "\tab\n", "*"])
    def test_a_query_is_three_characters_once_stripped_as_its_schema_says(self, query: str) -> None:
        pattern = SearchQuery.model_json_schema()["properties"]["query"]["pattern"]
        assert re.fullmatch(pattern, query) is None
        with pytest.raises(ValidationError):
            SearchQuery(query=query)

    @pytest.mark.parametrize("query", ["*))\x00nosuchvalue", "ab\u200b", " a\x1bb "])
    async def test_a_query_with_characters_no_data_holds_finds_nothing(
        self, clean: App, query: str
    ) -> None:
        pattern = SearchQuery.model_json_schema()["properties"]["query"]["pattern"]
        assert re.fullmatch(pattern, query) is not None
        await _customer(clean)
        support = await new_account(clean, Role.SUPPORT)
        async with clean.db.transaction() as session:
            page = await service.search(
                session,
                caller(clean, support, Perm.CUSTOMERS_READ, Role.SUPPORT),
                query=SearchQuery(query=query),
            )
        assert page.items == []

    @pytest.mark.asvs("V8.2.2")
    async def test_staff_accounts_and_partial_emails_are_not_found(self, clean: App) -> None:
        await _customer(clean)
        admin = await new_account(clean, Role.ADMIN, email="boss@helio.example")
        support = await new_account(clean, Role.SUPPORT)
        support_access = caller(clean, support, Perm.CUSTOMERS_READ, Role.SUPPORT)
        async with clean.db.transaction() as session:
            for query in ("boss@helio.example", "jane.doe@example", "doe@example.com"):
                page = await service.search(session, support_access, query=SearchQuery(query=query))
                assert page.items == []
            with pytest.raises(NotFound):
                await service.view(session, support_access, customer_id=admin)

    @pytest.mark.asvs("V8.2.2", "V8.1.2")
    async def test_engineer_without_grant_finds_nothing(self, clean: App) -> None:
        customer = await _customer(clean)
        engineer = await new_account(clean, Role.ENGINEER)
        engineer_access = caller(clean, engineer, Perm.CUSTOMERS_READ, Role.ENGINEER)
        async with clean.db.transaction() as session:
            page = await service.search(
                session, engineer_access, query=SearchQuery(query="jane.doe@example.com")
            )
            assert page.items == []
            with pytest.raises(NotFound):
                await service.view(session, engineer_access, customer_id=customer)
        assert await audit_events(clean, AuditAction.CUSTOMER_VIEWED) == []
        assert await audit_events(clean, AuditAction.GRANT_USED) == []


class TestReveal:
    @pytest.mark.asvs("V8.2.3", "V16.2.1")
    async def test_reveals_only_the_chosen_fields_with_the_reason_audited(self, clean: App) -> None:
        customer = await _customer(clean)
        support = await new_account(clean, Role.SUPPORT)
        async with clean.db.transaction() as session:
            revealed = await service.reveal(
                session,
                caller(clean, support, Perm.CUSTOMERS_REVEAL, Role.SUPPORT),
                customer_id=customer,
                fields=[RevealField.PHONE, RevealField.ADDRESS],
                reason=REASON,
            )
        assert revealed.fields == {"phone": PHONE, "address": ADDRESS}
        [event] = await audit_events(clean, AuditAction.CUSTOMER_REVEALED)
        assert (event.actor_id, event.resource_id, event.outcome) == (support, customer, "success")
        assert event.reason == REASON
        assert event.details == {"fields": ["phone", "address"]}
        assert PHONE not in str(event.details)

    @pytest.mark.asvs("V8.2.3")
    @pytest.mark.parametrize(
        "body",
        [
            {"fields": ["email"]},
            {"fields": ["email"], "reason": ""},
            {"fields": ["email"], "reason": "   because  "},
            {"fields": [], "reason": REASON},
            {"fields": ["password_hash"], "reason": REASON},
            {"fields": ["totp_secret_ct"], "reason": REASON},
            {"fields": ["email"], "reason": REASON, "customer_id": "x" * 32},
        ],
    )
    def test_reason_is_required_and_only_pii_fields_can_be_asked(
        self, body: dict[str, object]
    ) -> None:
        with pytest.raises(ValidationError):
            RevealCreate.model_validate(body)

    @pytest.mark.asvs("V8.2.3", "V16.3.3")
    async def test_reveals_are_rate_limited_per_staff_member(self, clean: App) -> None:
        customer = await _customer(clean)
        support = await new_account(clean, Role.SUPPORT)
        other = await new_account(clean, Role.SUPPORT)
        strict = replace(clean, staff_policy=StaffPolicy(reveal_rate="3/hour"))
        for _ in range(3):
            await _reveal(strict, support, customer)
        with pytest.raises(RateLimited) as refused:
            await _reveal(strict, support, customer)
        assert refused.value.retry_after > 0
        await _reveal(strict, other, customer)
        outcomes = [e.outcome for e in await audit_events(clean, AuditAction.CUSTOMER_REVEALED)]
        assert outcomes == ["success"] * 3 + ["denied", "success"]

    async def test_default_rate_is_ten_an_hour(self, clean: App) -> None:
        customer = await _customer(clean)
        support = await new_account(clean, Role.SUPPORT)
        for _ in range(10):
            await _reveal(clean, support, customer)
        with pytest.raises(RateLimited):
            await _reveal(clean, support, customer)


async def _reveal(app_state: App, staff_id: str, customer_id: str) -> None:
    async with app_state.db.transaction() as session:
        await service.reveal(
            session,
            caller(app_state, staff_id, Perm.CUSTOMERS_REVEAL, Role.SUPPORT),
            customer_id=customer_id,
            fields=[RevealField.EMAIL],
            reason=REASON,
        )


class TestAccountActions:
    async def test_unlock_lifts_the_lockout(self, clean: App) -> None:
        customer = await _customer(clean)
        support = await new_account(clean, Role.SUPPORT)
        key = lockout.account_key(clean, "jane.doe@example.com")
        for _ in range(12):
            await lockout.record_failure(clean, "198.51.100.9", key)
        with pytest.raises(RateLimited):
            await lockout.check_account(clean, key)
        async with clean.db.transaction() as session:
            await account.unlock(session, _manage(clean, support), customer_id=customer)
        await lockout.check_account(clean, key)
        assert len(await audit_events(clean, AuditAction.CUSTOMER_UNLOCKED)) == 1

    @pytest.mark.asvs("V7.4.2")
    async def test_force_reset_disables_password_ends_sessions_and_mails_a_link(
        self, clean: App
    ) -> None:
        customer = await _customer(clean)
        live = await live_session(clean, customer)
        support = await new_account(clean, Role.SUPPORT)
        async with captured_mail(clean) as mail, clean.db.transaction() as session:
            ended = await account.force_password_reset(
                session, _manage(mail.app, support), customer_id=customer
            )
        assert ended == 1
        assert await sessions.resolve_token_session(clean, live.session_id) is None
        assert (await get_user(clean, customer)).password_hash is None
        [message] = mail.transport.messages
        assert message["To"] == "jane.doe@example.com"
        assert "#token=" in message.get_content()
        [event] = await audit_events(clean, AuditAction.CUSTOMER_PASSWORD_RESET_FORCED)
        assert event.details == {"sessions_ended": 1}

    async def test_resend_verification_only_while_unverified(self, clean: App) -> None:
        verified = await _customer(clean)
        unverified = await new_account(clean, email="new@example.com", verified=False)
        support = await new_account(clean, Role.SUPPORT)
        async with captured_mail(clean) as mail:
            async with clean.db.transaction() as session:
                with pytest.raises(AlreadyVerified):
                    await account.resend_verification(
                        session, _manage(mail.app, support), customer_id=verified
                    )
            async with clean.db.transaction() as session:
                await account.resend_verification(
                    session, _manage(mail.app, support), customer_id=unverified
                )
        assert [m["To"] for m in mail.transport.messages] == ["new@example.com"]
        assert len(await audit_events(clean, AuditAction.CUSTOMER_VERIFICATION_RESENT)) == 1

    @pytest.mark.asvs("V8.2.2")
    async def test_account_actions_never_reach_staff(self, clean: App) -> None:
        admin = await new_account(clean, Role.ADMIN)
        support = await new_account(clean, Role.SUPPORT)
        for action in (account.unlock, account.force_password_reset, account.resend_verification):
            async with clean.db.transaction() as session:
                with pytest.raises(NotFound):
                    await action(session, _manage(clean, support), customer_id=admin)
        assert (await get_user(clean, admin)).status == "active"


def _manage(app_state: App, staff_id: str) -> Ctx:
    return caller(app_state, staff_id, Perm.CUSTOMERS_MANAGE, Role.SUPPORT)
