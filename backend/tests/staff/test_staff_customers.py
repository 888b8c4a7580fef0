"""Staff customer view: scoped search, masked by default, audited reveal, account actions."""

from __future__ import annotations

import pytest
from pydantic import ValidationError
from tests.staff.staff_factory import (
    ADDRESS,
    PHONE,
    access,
    audit_events,
    captured_mail,
    get_user,
    live_session,
    new_account,
)

from helio.audit.actions import GRANT_USE
from helio.auth import lockout, sessions
from helio.authz.access import Access
from helio.authz.matrix import Perm, Role
from helio.errors import NotFound, RateLimited
from helio.services import Services
from helio.staff import actions
from helio.staff.customers import account, service
from helio.staff.customers.account import AlreadyVerified
from helio.staff.customers.schemas import RevealField, RevealRequest, SearchQuery

pytestmark = [pytest.mark.mysql, pytest.mark.redis]

REASON = "Customer called about an invoice, ticket 4711"


async def _customer(services: Services) -> str:
    return await new_account(
        services,
        full_name="Jane Doe",
        email="jane.doe@example.com",
        phone=PHONE,
        address=ADDRESS,
        notes="prefers mornings",
    )


class TestSearchAndView:
    @pytest.mark.asvs("V8.1.2", "V8.2.3")
    async def test_support_sees_masked_pii_and_the_view_is_audited(self, clean: Services) -> None:
        customer = await _customer(clean)
        support = await new_account(clean, Role.SUPPORT)
        async with clean.db.transaction() as session:
            view = await service.view(
                session, clean, access(support, Perm.CUSTOMERS_READ, Role.SUPPORT), customer
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
        [event] = await audit_events(clean, actions.CUSTOMER_VIEWED)
        assert (event.actor_id, event.resource_id) == (support, customer)
        assert event.details == {"via": "view"}

    @pytest.mark.parametrize(
        "query", ["JANE.DOE@example.com", "+1 (415) 555-4567", "jane", "Jane D", "  jan  "]
    )
    async def test_search_by_exact_email_phone_or_name_prefix(
        self, clean: Services, query: str
    ) -> None:
        customer = await _customer(clean)
        await new_account(clean, full_name="Janet Other", email="janet@example.com")
        support = await new_account(clean, Role.SUPPORT)
        async with clean.db.transaction() as session:
            page = await service.search(
                session,
                clean,
                access(support, Perm.CUSTOMERS_READ, Role.SUPPORT),
                SearchQuery(query=query),
            )
        ids = [item.id for item in page.items]
        assert customer in ids
        assert all(item.email and "***" in item.email for item in page.items)
        if query.strip() == "jan":
            assert len(ids) == 2
        elif "@" in query or "+" in query or query == "Jane D":
            assert ids == [customer]

    @pytest.mark.asvs("V8.2.2")
    async def test_staff_accounts_and_partial_emails_are_not_found(self, clean: Services) -> None:
        await _customer(clean)
        admin = await new_account(clean, Role.ADMIN, email="boss@helio.example")
        support = await new_account(clean, Role.SUPPORT)
        support_access = access(support, Perm.CUSTOMERS_READ, Role.SUPPORT)
        async with clean.db.transaction() as session:
            for query in ("boss@helio.example", "jane.doe@example", "doe@example.com"):
                page = await service.search(
                    session, clean, support_access, SearchQuery(query=query)
                )
                assert page.items == []
            with pytest.raises(NotFound):
                await service.view(session, clean, support_access, admin)

    @pytest.mark.asvs("V8.2.2", "V8.1.2")
    async def test_engineer_without_grant_finds_nothing(self, clean: Services) -> None:
        customer = await _customer(clean)
        engineer = await new_account(clean, Role.ENGINEER)
        engineer_access = access(engineer, Perm.CUSTOMERS_READ, Role.ENGINEER)
        async with clean.db.transaction() as session:
            page = await service.search(
                session, clean, engineer_access, SearchQuery(query="jane.doe@example.com")
            )
            assert page.items == []
            with pytest.raises(NotFound):
                await service.view(session, clean, engineer_access, customer)
        assert await audit_events(clean, actions.CUSTOMER_VIEWED) == []
        assert await audit_events(clean, GRANT_USE) == []


class TestReveal:
    @pytest.mark.asvs("V8.2.3", "V16.2.1")
    async def test_reveals_only_the_chosen_fields_with_the_reason_audited(
        self, clean: Services
    ) -> None:
        customer = await _customer(clean)
        support = await new_account(clean, Role.SUPPORT)
        async with clean.db.transaction() as session:
            revealed = await service.reveal(
                session,
                clean,
                access(support, Perm.CUSTOMERS_REVEAL, Role.SUPPORT),
                customer,
                fields=[RevealField.PHONE, RevealField.ADDRESS],
                reason=REASON,
            )
        assert revealed.fields == {"phone": PHONE, "address": ADDRESS}
        [event] = await audit_events(clean, actions.CUSTOMER_REVEALED)
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
            RevealRequest.model_validate(body)

    @pytest.mark.asvs("V8.2.3", "V16.3.3")
    async def test_reveals_are_rate_limited_per_staff_member(self, clean: Services) -> None:
        customer = await _customer(clean)
        support = await new_account(clean, Role.SUPPORT)
        other = await new_account(clean, Role.SUPPORT)
        clean.extras[service.REVEAL_RATE_KEY] = "3/hour"
        try:
            for _ in range(3):
                await _reveal(clean, support, customer)
            with pytest.raises(RateLimited) as refused:
                await _reveal(clean, support, customer)
            assert refused.value.retry_after > 0
            await _reveal(clean, other, customer)
        finally:
            del clean.extras[service.REVEAL_RATE_KEY]
        outcomes = [e.outcome for e in await audit_events(clean, actions.CUSTOMER_REVEALED)]
        assert outcomes == ["success"] * 3 + ["denied", "success"]

    async def test_default_rate_is_ten_an_hour(self, clean: Services) -> None:
        customer = await _customer(clean)
        support = await new_account(clean, Role.SUPPORT)
        for _ in range(10):
            await _reveal(clean, support, customer)
        with pytest.raises(RateLimited):
            await _reveal(clean, support, customer)


async def _reveal(services: Services, staff_id: str, customer_id: str) -> None:
    async with services.db.transaction() as session:
        await service.reveal(
            session,
            services,
            access(staff_id, Perm.CUSTOMERS_REVEAL, Role.SUPPORT),
            customer_id,
            fields=[RevealField.EMAIL],
            reason=REASON,
        )


class TestAccountActions:
    async def test_unlock_lifts_the_lockout(self, clean: Services) -> None:
        customer = await _customer(clean)
        support = await new_account(clean, Role.SUPPORT)
        key = lockout.account_key(clean, "jane.doe@example.com")
        for _ in range(12):
            await lockout.record_failure(clean, "198.51.100.9", key)
        with pytest.raises(RateLimited):
            await lockout.check_account(clean, key)
        async with clean.db.transaction() as session:
            await account.unlock(session, clean, _manage(support), customer)
        await lockout.check_account(clean, key)
        assert len(await audit_events(clean, actions.CUSTOMER_UNLOCKED)) == 1

    @pytest.mark.asvs("V7.4.2")
    async def test_force_reset_disables_password_ends_sessions_and_mails_a_link(
        self, clean: Services
    ) -> None:
        customer = await _customer(clean)
        live = await live_session(clean, customer)
        support = await new_account(clean, Role.SUPPORT)
        async with captured_mail(clean) as mail, clean.db.transaction() as session:
            ended = await account.force_password_reset(session, clean, _manage(support), customer)
        assert ended == 1
        assert await sessions.resolve_token_session(clean, live.session_id) is None
        assert (await get_user(clean, customer)).password_hash is None
        [message] = mail.messages
        assert message["To"] == "jane.doe@example.com"
        assert "#token=" in message.get_content()
        [event] = await audit_events(clean, actions.CUSTOMER_RESET_FORCED)
        assert event.details == {"sessions_ended": 1}

    async def test_resend_verification_only_while_unverified(self, clean: Services) -> None:
        verified = await _customer(clean)
        unverified = await new_account(clean, email="new@example.com", verified=False)
        support = await new_account(clean, Role.SUPPORT)
        async with captured_mail(clean) as mail:
            async with clean.db.transaction() as session:
                with pytest.raises(AlreadyVerified):
                    await account.resend_verification(session, clean, _manage(support), verified)
            async with clean.db.transaction() as session:
                await account.resend_verification(session, clean, _manage(support), unverified)
        assert [m["To"] for m in mail.messages] == ["new@example.com"]
        assert len(await audit_events(clean, actions.CUSTOMER_VERIFICATION_RESENT)) == 1

    @pytest.mark.asvs("V8.2.2")
    async def test_account_actions_never_reach_staff(self, clean: Services) -> None:
        admin = await new_account(clean, Role.ADMIN)
        support = await new_account(clean, Role.SUPPORT)
        for action in (account.unlock, account.force_password_reset, account.resend_verification):
            async with clean.db.transaction() as session:
                with pytest.raises(NotFound):
                    await action(session, clean, _manage(support), admin)
        assert (await get_user(clean, admin)).status == "active"


def _manage(staff_id: str) -> Access:
    return access(staff_id, Perm.CUSTOMERS_MANAGE, Role.SUPPORT)
