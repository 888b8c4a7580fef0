"""Orders through the services on MariaDB: idempotency, figures from the quote, every step,
row-locked transitions raced on two connections, and all-or-nothing writes."""

from __future__ import annotations

import asyncio
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from tests.factories.accounts import audit_events, new_account, new_customer
from tests.factories.orders import (
    advance,
    customer_ctx,
    idempotency_key,
    make_quote,
    move,
    pay_deposit,
    place_order,
    staff_ctx,
    step_body,
)

from helio.authz.matrix import Perm, Role
from helio.errors import AppError, NotFound
from helio.models import Order, OrderEvent, PaymentRequest
from helio.orders import notifications, service, staff
from helio.orders.exceptions import (
    DepositNotPaid,
    IdempotencyKeyReused,
    MfaEnrolmentRequired,
    OrderChanged,
    QuoteAlreadyOrdered,
    QuoteExpired,
    StepNotPermitted,
    TransitionNotAllowed,
)
from helio.orders.schemas import OrderCancelCreate, OrderCreate, OrderRead
from helio.orders.workflow import CANCELLABLE_BY_STAFF, FORWARD, Status
from helio.platform.app import App

pytestmark = [pytest.mark.mysql, pytest.mark.redis]
S = Status


async def _place(app: App, owner: str, quote_id: str, key: str, **body: object) -> OrderRead:
    async with app.db.transaction() as session:
        return await service.place(
            session,
            customer_ctx(app, owner, Perm.ORDERS_CREATE),
            data=OrderCreate.model_validate({"quote_id": quote_id, **body}),
            idempotency_key=key,
        )


async def _count(app: App, model: type[Order] | type[OrderEvent] | type[PaymentRequest]) -> int:
    async with app.db.transaction() as session:
        return int((await session.execute(select(func.count()).select_from(model))).scalar_one())


async def _order(app: App, order_id: str) -> Order:
    async with app.db.transaction() as session:
        row = await session.get(Order, order_id)
        assert row is not None
        return row


class TestPlacing:
    @pytest.mark.asvs("V2.3.4")
    async def test_the_same_key_and_body_give_one_order(self, clean: App) -> None:
        owner = await new_customer(clean)
        quote = await make_quote(clean, owner)
        key = idempotency_key()
        first = await _place(clean, owner, quote, key)
        again = await _place(clean, owner, quote, key)
        assert again.id == first.id
        assert await _count(clean, Order) == 1
        assert len(await audit_events(clean, "order.placed")) == 1

    @pytest.mark.asvs("V2.3.4")
    async def test_the_same_key_with_another_body_is_refused(self, clean: App) -> None:
        owner = await new_customer(clean)
        key = idempotency_key()
        await _place(clean, owner, await make_quote(clean, owner), key)
        with pytest.raises(IdempotencyKeyReused):
            await _place(clean, owner, await make_quote(clean, owner), key)
        assert await _count(clean, Order) == 1

    @pytest.mark.asvs("V2.3.4")
    async def test_one_key_sent_concurrently_makes_exactly_one_order(self, clean: App) -> None:
        owner = await new_customer(clean)
        quote = await make_quote(clean, owner)
        key = idempotency_key()
        placed = await asyncio.gather(*(_place(clean, owner, quote, key) for _ in range(6)))
        assert len({order.id for order in placed}) == 1
        assert await _count(clean, Order) == 1
        assert await _count(clean, OrderEvent) == 1

    @pytest.mark.asvs("V2.3.4")
    async def test_one_quote_ordered_concurrently_under_two_keys_is_one_order(
        self, clean: App
    ) -> None:
        owner = await new_customer(clean)
        quote = await make_quote(clean, owner)
        results = await asyncio.gather(
            *(_place(clean, owner, quote, idempotency_key()) for _ in range(4)),
            return_exceptions=True,
        )
        placed = [r for r in results if isinstance(r, OrderRead)]
        refused = [r for r in results if isinstance(r, QuoteAlreadyOrdered)]
        assert (len(placed), len(refused)) == (1, 3)
        assert await _count(clean, Order) == 1

    @pytest.mark.asvs("V2.3.2", "V15.3.3")
    async def test_figures_are_copied_from_the_stored_quote(self, clean: App) -> None:
        owner = await new_customer(clean)
        quote = await make_quote(clean, owner, net_price=Decimal("23456.78"), currency="EUR")
        order = await _place(clean, owner, quote, idempotency_key())
        assert (order.net_price, order.currency) == (Decimal("23456.78"), "EUR")
        assert order.system_kwp == Decimal("6.400")
        assert order.status == S.PLACED
        assert order.version == 1
        assert [e.to_status for e in order.timeline] == ["placed"]
        assert order.timeline[0].actor_role == "customer"

    @pytest.mark.asvs("V2.3.1")
    async def test_an_expired_quote_cannot_be_ordered(self, clean: App) -> None:
        owner = await new_customer(clean)
        quote = await make_quote(clean, owner, valid_days=-1)
        with pytest.raises(QuoteExpired):
            await _place(clean, owner, quote, idempotency_key())
        assert await _count(clean, Order) == 0

    @pytest.mark.asvs("V8.2.2")
    async def test_another_customers_quote_is_not_found(self, clean: App) -> None:
        owner, other = await new_customer(clean), await new_customer(clean)
        with pytest.raises(NotFound):
            await _place(clean, other, await make_quote(clean, owner), idempotency_key())

    async def test_a_quote_is_ordered_once(self, clean: App) -> None:
        owner = await new_customer(clean)
        quote = await make_quote(clean, owner)
        await _place(clean, owner, quote, idempotency_key())
        with pytest.raises(QuoteAlreadyOrdered):
            await _place(clean, owner, quote, idempotency_key())

    @pytest.mark.asvs("V6.3.3")
    async def test_a_customer_without_a_second_factor_cannot_order(self, clean: App) -> None:
        owner = await new_customer(clean)
        async with clean.db.transaction() as session:
            with pytest.raises(MfaEnrolmentRequired):
                await service.place(
                    session,
                    customer_ctx(clean, owner, Perm.ORDERS_CREATE, has_mfa=False),
                    data=OrderCreate(quote_id=await make_quote(clean, owner)),
                    idempotency_key=idempotency_key(),
                )

    @pytest.mark.asvs("V2.3.3")
    async def test_a_failure_after_the_insert_leaves_no_order_behind(
        self, clean: App, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        owner = await new_customer(clean)
        quote = await make_quote(clean, owner)

        async def broken(*_args: object, **_kwargs: object) -> None:
            raise RuntimeError("the mail step failed")

        monkeypatch.setattr(notifications, "step_reached", broken)
        with pytest.raises(RuntimeError):
            await _place(clean, owner, quote, idempotency_key())
        assert await _count(clean, Order) == await _count(clean, OrderEvent) == 0
        assert await audit_events(clean, "order.placed") == []


class TestSteps:
    @pytest.mark.asvs("V2.3.1")
    async def test_every_legal_step_to_switch_on_is_recorded_once(self, clean: App) -> None:
        owner = await new_customer(clean)
        support = await new_account(clean, Role.SUPPORT)
        order = await place_order(clean, owner)
        await advance(clean, owner, support, order.id, S.ACTIVATED)
        async with clean.db.transaction() as session:
            read = await service.get_order(
                session, customer_ctx(clean, owner, Perm.ORDERS_READ), order_id=order.id
            )
        steps = [e.to_status for e in read.timeline if e.kind == "step"]
        assert steps == [S.PLACED, *FORWARD.values()]
        assert [e.seq for e in read.timeline] == list(range(1, read.version + 1))
        assert read.payment_status == "deposit_paid"
        assert {e.actor_role for e in read.timeline if e.kind == "step"} == {"customer", "support"}
        moves = await audit_events(clean, "order.transitioned")
        assert [(e.details or {})["to"] for e in moves] == [s.value for s in FORWARD.values()]

    @pytest.mark.asvs("V2.3.1")
    @pytest.mark.parametrize("state", [S.PLACED, *FORWARD.values()], ids=str)
    async def test_every_illegal_step_is_refused_and_changes_nothing(
        self, clean: App, state: Status
    ) -> None:
        owner = await new_customer(clean)
        support = await new_account(clean, Role.SUPPORT)
        order = await place_order(clean, owner)
        await advance(clean, owner, support, order.id, state)
        before = await _order(clean, order.id)
        legal = {FORWARD.get(state)} | ({S.CANCELLED} if state in CANCELLABLE_BY_STAFF else set())
        for target in set(Status) - legal:
            with pytest.raises(TransitionNotAllowed):
                await move(clean, support, order.id, target)
        after = await _order(clean, order.id)
        assert (after.status, after.version) == (before.status, before.version)

    @pytest.mark.asvs("V2.3.3")
    async def test_a_failure_inside_a_step_leaves_the_order_as_it_was(
        self, clean: App, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        owner = await new_customer(clean)
        support = await new_account(clean, Role.SUPPORT)
        order = await place_order(clean, owner)

        async def broken(*_args: object, **_kwargs: object) -> None:
            raise RuntimeError("the mail step failed")

        monkeypatch.setattr(notifications, "step_reached", broken)
        with pytest.raises(RuntimeError):
            await move(clean, support, order.id, S.SURVEY_SCHEDULED)
        stored = await _order(clean, order.id)
        assert (stored.status, stored.version, stored.survey_starts_at) == (S.PLACED, 1, None)
        assert await _count(clean, OrderEvent) == 1
        assert await audit_events(clean, "order.transitioned") == []

    @pytest.mark.asvs("V2.3.1")
    async def test_the_installation_waits_for_the_deposit(self, clean: App) -> None:
        owner = await new_customer(clean)
        support = await new_account(clean, Role.SUPPORT)
        order = await place_order(clean, owner)
        for target in (S.SURVEY_SCHEDULED, S.SURVEYED, S.PERMIT_SUBMITTED, S.PERMIT_APPROVED):
            await move(clean, support, order.id, target)
        with pytest.raises(DepositNotPaid):
            await move(clean, support, order.id, S.INSTALL_SCHEDULED)
        await pay_deposit(clean, owner, order.id)
        read = await move(clean, support, order.id, S.INSTALL_SCHEDULED)
        assert read.install_window is not None

    @pytest.mark.asvs("V8.2.1")
    async def test_an_admin_may_stop_an_order_but_not_record_progress(self, clean: App) -> None:
        owner = await new_customer(clean)
        admin = await new_account(clean, Role.ADMIN)
        order = await place_order(clean, owner)
        ctx = staff_ctx(clean, admin, Perm.ORDERS_TRANSITION, Role.ADMIN)
        async with clean.db.transaction() as session:
            with pytest.raises(StepNotPermitted):
                await staff.transition(
                    session, ctx, order_id=order.id, data=step_body(S.SURVEY_SCHEDULED)
                )
        async with clean.db.transaction() as session:
            read = await staff.transition(
                session, ctx, order_id=order.id, data=step_body(S.CANCELLED)
            )
        assert read.status == S.CANCELLED
        assert read.timeline[-1].actor_role == "admin"

    async def test_a_customer_cancels_only_before_the_permit(self, clean: App) -> None:
        owner = await new_customer(clean)
        support = await new_account(clean, Role.SUPPORT)
        early, late = await place_order(clean, owner), await place_order(clean, owner)
        await advance(clean, owner, support, late.id, S.PERMIT_SUBMITTED)
        cancel = customer_ctx(clean, owner, Perm.ORDERS_CANCEL)
        async with clean.db.transaction() as session:
            read = await service.cancel(
                session, cancel, order_id=early.id, data=OrderCancelCreate(note="Moving house")
            )
        assert read.status == S.CANCELLED
        assert read.timeline[-1].note == "Moving house"
        async with clean.db.transaction() as session:
            with pytest.raises(TransitionNotAllowed):
                await service.cancel(session, cancel, order_id=late.id, data=OrderCancelCreate())


class TestConcurrentSteps:
    """Real concurrency: each call holds its own MariaDB connection and transaction."""

    async def _race(
        self, app: App, support: str, order_id: str, bodies: list[object]
    ) -> list[object]:
        ctx = staff_ctx(app, support, Perm.ORDERS_TRANSITION)

        async def one(body: object) -> object:
            async with app.db.transaction() as session:
                return await staff.transition(session, ctx, order_id=order_id, data=body)  # type: ignore[arg-type]

        return list(await asyncio.gather(*(one(b) for b in bodies), return_exceptions=True))

    @pytest.mark.asvs("V2.3.4")
    async def test_the_same_step_raced_eight_times_is_taken_once(self, clean: App) -> None:
        owner = await new_customer(clean)
        support = await new_account(clean, Role.SUPPORT)
        order = await place_order(clean, owner)
        results = await self._race(
            clean, support, order.id, [step_body(S.SURVEY_SCHEDULED) for _ in range(8)]
        )
        won = [r for r in results if isinstance(r, OrderRead)]
        lost = [r for r in results if isinstance(r, TransitionNotAllowed)]
        assert (len(won), len(lost)) == (1, 7), results
        stored = await _order(clean, order.id)
        assert (stored.status, stored.version) == (S.SURVEY_SCHEDULED, 2)
        assert await _count(clean, OrderEvent) == 2

    @pytest.mark.asvs("V2.3.4")
    async def test_two_different_steps_on_the_same_version_one_wins_one_409(
        self, clean: App
    ) -> None:
        owner = await new_customer(clean)
        support = await new_account(clean, Role.SUPPORT)
        order = await place_order(clean, owner)
        results = await self._race(
            clean,
            support,
            order.id,
            [step_body(S.SURVEY_SCHEDULED, version=1), step_body(S.CANCELLED, version=1)],
        )
        won = [r for r in results if isinstance(r, OrderRead)]
        lost = [r for r in results if isinstance(r, OrderChanged)]
        assert (len(won), len(lost)) == (1, 1), results
        assert all(isinstance(r, OrderRead | AppError) for r in results)
        assert (await _order(clean, order.id)).version == 2
