"""Just-in-time grants: another admin decides, they expire by themselves, revoking is immediate."""

from __future__ import annotations

import pytest
from pydantic import ValidationError
from tests.factories.accounts import access, audit_events, caller, new_account, principal

from helio.audit.actions import AuditAction
from helio.authz.access import check
from helio.authz.matrix import Perm, Role
from helio.authz.rules import OwnGrant
from helio.errors import Forbidden, NotFound, StepUpRequired
from helio.kit.clock import clock
from helio.platform.app import App
from helio.platform.context import Ctx
from helio.staff.customers import service as customers
from helio.staff.customers.schemas import RevealField, SearchQuery
from helio.staff.grants import service
from helio.staff.grants.exceptions import GrantAlreadyRequested, GrantNotOpen, GrantNotPending
from helio.staff.grants.schemas import GrantCreate, GrantQuery, GrantRead, GrantState

pytestmark = [pytest.mark.mysql, pytest.mark.redis]

REASON = "Debugging failed quote computation, incident INC-88"


async def _request(app_state: App, engineer: str, customer: str, minutes: int = 60) -> str:
    async with app_state.db.transaction() as session:
        grant = await service.request_grant(
            session,
            caller(app_state, engineer, Perm.GRANTS_REQUEST, Role.ENGINEER),
            data=GrantCreate(customer_id=customer, reason=REASON, minutes=minutes),
        )
    return grant.id


async def _decide(app_state: App, admin: str, grant_id: str, *, approve: bool = True) -> None:
    async with app_state.db.transaction() as session:
        await service.decide(
            session,
            caller(app_state, admin, Perm.GRANTS_DECIDE, Role.ADMIN),
            grant_id=grant_id,
            approve=approve,
        )


async def _can_view(app_state: App, engineer: str, customer: str) -> bool:
    read = caller(app_state, engineer, Perm.CUSTOMERS_READ, Role.ENGINEER)
    async with app_state.db.transaction() as session:
        try:
            await customers.view(session, read, customer_id=customer)
        except NotFound:
            return False
    return True


@pytest.fixture
async def cast(clean: App) -> dict[str, str]:
    return {
        "customer": await new_account(clean, full_name="Jane Doe", email="jane@example.com"),
        "engineer": await new_account(clean, Role.ENGINEER),
        "admin": await new_account(clean, Role.ADMIN),
    }


class TestRequest:
    @pytest.mark.parametrize(
        "body",
        [
            {"customer_id": "a" * 32, "reason": REASON, "minutes": 241},
            {"customer_id": "a" * 32, "reason": REASON, "minutes": 0},
            {"customer_id": "a" * 32, "reason": "because", "minutes": 60},
            {"customer_id": "a" * 32, "minutes": 60},
            {"customer_id": "a" * 32, "reason": REASON, "minutes": 60, "status": "approved"},
            {"customer_id": "a" * 32, "reason": REASON, "minutes": 60, "requester_id": "b" * 32},
            {"customer_id": "a" * 32, "reason": REASON, "minutes": 60, "expires_at": "2099-01-01"},
        ],
    )
    @pytest.mark.asvs("V8.2.3")
    def test_at_most_four_hours_with_a_reason_and_nothing_else(
        self, body: dict[str, object]
    ) -> None:
        with pytest.raises(ValidationError):
            GrantCreate.model_validate(body)

    async def test_unknown_or_staff_customer_is_not_found(
        self, clean: App, cast: dict[str, str]
    ) -> None:
        for target in ("f" * 32, cast["admin"]):
            with pytest.raises(NotFound):
                await _request(clean, cast["engineer"], target)

    async def test_a_second_pending_request_is_refused(
        self, clean: App, cast: dict[str, str]
    ) -> None:
        await _request(clean, cast["engineer"], cast["customer"])
        with pytest.raises(GrantAlreadyRequested):
            await _request(clean, cast["engineer"], cast["customer"])
        [event] = await audit_events(clean, AuditAction.GRANT_REQUESTED)
        assert event.reason == REASON

    @pytest.mark.asvs("V8.2.1")
    @pytest.mark.parametrize("role", [Role.SUPPORT, Role.SALES, Role.ADMIN, Role.CUSTOMER])
    async def test_only_engineers_request(self, role: Role) -> None:
        with pytest.raises(Forbidden):
            access("x" * 32, Perm.GRANTS_REQUEST, role)


class TestDecide:
    @pytest.mark.asvs("V8.2.1", "V8.2.2")
    async def test_pending_grant_gives_no_access_and_approval_does(
        self, clean: App, cast: dict[str, str]
    ) -> None:
        grant_id = await _request(clean, cast["engineer"], cast["customer"])
        assert not await _can_view(clean, cast["engineer"], cast["customer"])
        await _decide(clean, cast["admin"], grant_id)
        assert await _can_view(clean, cast["engineer"], cast["customer"])
        [approved] = await audit_events(clean, AuditAction.GRANT_APPROVED)
        assert (approved.actor_id, approved.resource_id) == (cast["admin"], grant_id)

    @pytest.mark.asvs("V8.2.1")
    async def test_the_requester_cannot_approve_even_as_admin(self, clean: App) -> None:
        customer = await new_account(clean)
        both = await new_account(clean, Role.ENGINEER, Role.ADMIN)
        grant_id = await _request(clean, both, customer)
        decider = caller(clean, both, Perm.GRANTS_DECIDE, Role.ENGINEER, Role.ADMIN)
        for approve in (True, False):
            async with clean.db.transaction() as session:
                with pytest.raises(OwnGrant):
                    await service.decide(session, decider, grant_id=grant_id, approve=approve)
        assert await audit_events(clean, AuditAction.GRANT_APPROVED) == []

    @pytest.mark.asvs("V8.2.1")
    async def test_approval_needs_a_fresh_step_up(self, cast: dict[str, str]) -> None:
        with pytest.raises(StepUpRequired):
            check(principal(cast["admin"], Role.ADMIN, step_up=False), Perm.GRANTS_DECIDE)
        stale = principal(cast["admin"], Role.ADMIN)
        clock.advance(6 * 60)
        with pytest.raises(StepUpRequired):
            check(stale, Perm.GRANTS_DECIDE)

    async def test_denied_grant_gives_nothing_and_cannot_be_decided_again(
        self, clean: App, cast: dict[str, str]
    ) -> None:
        grant_id = await _request(clean, cast["engineer"], cast["customer"])
        await _decide(clean, cast["admin"], grant_id, approve=False)
        assert not await _can_view(clean, cast["engineer"], cast["customer"])
        with pytest.raises(GrantNotPending):
            await _decide(clean, cast["admin"], grant_id)
        assert len(await audit_events(clean, AuditAction.GRANT_DENIED)) == 1


class TestLifetime:
    @pytest.mark.asvs("V8.2.2")
    async def test_expiry_removes_access_by_itself(self, clean: App, cast: dict[str, str]) -> None:
        grant_id = await _request(clean, cast["engineer"], cast["customer"], minutes=30)
        await _decide(clean, cast["admin"], grant_id)
        clock.advance(29 * 60)
        assert await _can_view(clean, cast["engineer"], cast["customer"])
        clock.advance(2 * 60)
        assert not await _can_view(clean, cast["engineer"], cast["customer"])
        page = await _list(clean, caller(clean, cast["admin"], Perm.GRANTS_READ, Role.ADMIN))
        assert [item.state for item in page] == [GrantState.EXPIRED]

    @pytest.mark.asvs("V8.2.2")
    async def test_revocation_works_at_once(self, clean: App, cast: dict[str, str]) -> None:
        grant_id = await _request(clean, cast["engineer"], cast["customer"])
        await _decide(clean, cast["admin"], grant_id)
        assert await _can_view(clean, cast["engineer"], cast["customer"])
        revoker = caller(clean, cast["admin"], Perm.GRANTS_REVOKE, Role.ADMIN)
        async with clean.db.transaction() as session:
            await service.revoke(session, revoker, grant_id=grant_id)
        assert not await _can_view(clean, cast["engineer"], cast["customer"])
        async with clean.db.transaction() as session:
            with pytest.raises(GrantNotOpen):
                await service.revoke(session, revoker, grant_id=grant_id)
        assert len(await audit_events(clean, AuditAction.GRANT_REVOKED)) == 1

    @pytest.mark.asvs("V8.2.2")
    async def test_a_grant_covers_one_customer_for_one_engineer(
        self, clean: App, cast: dict[str, str]
    ) -> None:
        other_customer = await new_account(clean)
        other_engineer = await new_account(clean, Role.ENGINEER)
        await _decide(
            clean, cast["admin"], await _request(clean, cast["engineer"], cast["customer"])
        )
        assert await _can_view(clean, cast["engineer"], cast["customer"])
        assert not await _can_view(clean, cast["engineer"], other_customer)
        assert not await _can_view(clean, other_engineer, cast["customer"])


class TestUse:
    @pytest.mark.asvs("V16.2.1", "V8.1.2")
    async def test_every_use_is_audited_against_the_grant(
        self, clean: App, cast: dict[str, str]
    ) -> None:
        grant_id = await _request(clean, cast["engineer"], cast["customer"])
        await _decide(clean, cast["admin"], grant_id)
        engineer = cast["engineer"]
        async with clean.db.transaction() as session:
            page = await customers.search(
                session,
                caller(clean, engineer, Perm.CUSTOMERS_READ, Role.ENGINEER),
                query=SearchQuery(query="jane@example.com"),
            )
            assert [item.id for item in page.items] == [cast["customer"]]
            assert page.items[0].email == "j***@e***.com"
            revealed = await customers.reveal(
                session,
                caller(clean, engineer, Perm.CUSTOMERS_REVEAL, Role.ENGINEER),
                customer_id=cast["customer"],
                fields=[RevealField.EMAIL],
                reason=REASON,
            )
            assert revealed.fields == {"email": "jane@example.com"}
        uses = await audit_events(clean, AuditAction.GRANT_USED)
        assert [(e.resource_id, e.actor_id) for e in uses] == [(grant_id, engineer)] * 2
        assert [e.details for e in uses] == [
            {"customer_id": cast["customer"], "use": "search"},
            {"customer_id": cast["customer"], "use": "reveal"},
        ]

    async def test_standing_access_records_no_grant_use(
        self, clean: App, cast: dict[str, str]
    ) -> None:
        support = await new_account(clean, Role.SUPPORT)
        assert await _can_view(clean, cast["engineer"], cast["customer"]) is False
        read = caller(clean, support, Perm.CUSTOMERS_READ, Role.SUPPORT)
        async with clean.db.transaction() as session:
            await customers.view(session, read, customer_id=cast["customer"])
        assert await audit_events(clean, AuditAction.GRANT_USED) == []


class TestList:
    @pytest.mark.asvs("V8.2.2")
    async def test_engineers_see_their_own_admins_see_all(
        self, clean: App, cast: dict[str, str]
    ) -> None:
        other = await new_account(clean, Role.ENGINEER)
        mine = await _request(clean, cast["engineer"], cast["customer"])
        theirs = await _request(clean, other, cast["customer"])
        own = await _list(clean, caller(clean, cast["engineer"], Perm.GRANTS_READ, Role.ENGINEER))
        assert [g.id for g in own] == [mine]
        everyone = await _list(clean, caller(clean, cast["admin"], Perm.GRANTS_READ, Role.ADMIN))
        assert {g.id for g in everyone} == {mine, theirs}
        own_scope = caller(clean, cast["engineer"], Perm.GRANTS_READ, Role.ENGINEER)
        async with clean.db.transaction() as session:
            with pytest.raises(NotFound):
                await service.revoke(session, own_scope, grant_id=theirs)

    async def test_pages_follow_the_cursor(self, clean: App, cast: dict[str, str]) -> None:
        ids = set()
        for _ in range(5):
            ids.add(await _request(clean, cast["engineer"], await new_account(clean)))
            clock.advance(1)
        admin = caller(clean, cast["admin"], Perm.GRANTS_READ, Role.ADMIN)
        seen: list[str] = []
        cursor = None
        async with clean.db.transaction() as session:
            while True:
                query = GrantQuery(limit=2, cursor=cursor, state=GrantState.PENDING)
                page = await service.list_grants(session, admin, query=query)
                seen += [item.id for item in page.items]
                if page.next_cursor is None:
                    break
                cursor = page.next_cursor
        assert len(seen) == 5
        assert set(seen) == ids


async def _list(app_state: App, who: Ctx) -> list[GrantRead]:
    async with app_state.db.transaction() as session:
        page = await service.list_grants(session, who, query=GrantQuery())
    return list(page.items)
