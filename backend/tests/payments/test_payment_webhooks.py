"""Deposits and the signed payment webhook: every forgery, replay and mismatch is refused
with nothing changed; a valid event moves the order; late events do not undo newer ones."""

from __future__ import annotations

import asyncio
import dataclasses
import json
from decimal import Decimal
from typing import Any

import pytest
from httpx import AsyncClient, Response
from sqlalchemy import func, select
from tests.factories.accounts import audit_events, new_account, new_customer
from tests.factories.orders import advance, customer_ctx, move, place_order

from helio.authz.matrix import Perm, Role
from helio.errors import NotFound
from helio.kit.clock import clock
from helio.kit.ids import new_id
from helio.models import Order, PaymentEvent, PaymentRequest
from helio.orders.workflow import Status
from helio.payments import service, signing, simulate
from helio.payments.exceptions import (
    OrderNotPayable,
    SignatureInvalid,
    SimulatorRefused,
    TimestampOutOfWindow,
)
from helio.payments.provider import SimulatedProvider, simulator_for
from helio.payments.schemas import PaymentRequestRead
from helio.platform.app import App
from helio.platform.context import Ctx

pytestmark = [pytest.mark.mysql, pytest.mark.redis]

WEBHOOK = "/api/v1/webhooks/payments"


async def _deposit(app: App, owner: str, order_id: str) -> PaymentRequestRead:
    async with app.db.transaction() as session:
        return await service.request_deposit(
            session, customer_ctx(app, owner, Perm.PAYMENTS_CREATE), order_id=order_id
        )


class Deposit:
    """A customer's order with its deposit asked, and the simulator that pays it."""

    def __init__(self, app: App, order_id: str, payment: PaymentRequestRead) -> None:
        self.app = app
        self.order_id = order_id
        self.payment = payment
        self.simulator: SimulatedProvider = simulator_for(app)
        assert payment.checkout_url is not None
        self.ref = payment.checkout_url.split("#ref=")[1]

    def body(self, event_type: str = "payment.succeeded", **changes: Any) -> bytes:
        fields: dict[str, Any] = {
            "event_type": event_type,
            "order_id": self.order_id,
            "ref": self.ref,
            "amount": self.payment.amount,
            "currency": self.payment.currency,
            **changes,
        }
        return self.simulator.event(**fields)

    async def send(
        self, http: AsyncClient, body: bytes, headers: dict[str, str] | None = None
    ) -> Response:
        sent = headers if headers is not None else self.simulator.headers(body)
        return await http.post(WEBHOOK, content=body, headers=sent)

    async def state(self) -> tuple[str, str, int, int]:
        """(payment status, order payment status, order version, processed events)."""
        async with self.app.db.transaction() as session:
            payment = await session.get(PaymentRequest, self.payment.id)
            order = await session.get(Order, self.order_id)
            events = (
                await session.execute(select(func.count()).select_from(PaymentEvent))
            ).scalar_one()
        assert payment is not None
        assert order is not None
        return payment.status, order.payment_status, order.version, int(events)


@pytest.fixture
async def deposit(client: AsyncClient, clean: App) -> Deposit:
    owner = await new_customer(clean)
    order = await place_order(clean, owner)
    return Deposit(clean, order.id, await _deposit(clean, owner, order.id))


REQUESTED = ("requested", "deposit_requested", 2, 0)


class TestDeposit:
    def test_the_deposit_is_the_configured_share_rounded_to_the_cent(self) -> None:
        assert service.deposit_amount(Decimal("12345.67"), Decimal("10")) == Decimal("1234.57")
        assert service.deposit_amount(Decimal("100.05"), Decimal("12.5")) == Decimal("12.51")

    async def test_asking_twice_gives_the_same_open_payment(
        self, deposit: Deposit, clean: App
    ) -> None:
        assert (deposit.payment.amount, deposit.payment.currency) == (Decimal("1234.57"), "USD")
        async with clean.db.transaction() as session:
            order = await session.get(Order, deposit.order_id)
        assert order is not None
        again = await _deposit(clean, order.customer_id, deposit.order_id)
        assert again.id == deposit.payment.id
        assert await deposit.state() == REQUESTED
        assert len(await audit_events(clean, "payment.requested")) == 1

    @pytest.mark.asvs("V8.2.2")
    async def test_another_customers_order_takes_no_deposit_from_me(
        self, deposit: Deposit, clean: App
    ) -> None:
        with pytest.raises(NotFound):
            await _deposit(clean, await new_customer(clean), deposit.order_id)

    async def test_a_cancelled_order_takes_no_deposit(self, clean: App) -> None:
        owner = await new_customer(clean)
        order = await place_order(clean, owner)
        support = await new_account(clean, Role.SUPPORT)
        await advance(clean, owner, support, order.id, Status.SURVEY_SCHEDULED)
        await move(clean, support, order.id, Status.CANCELLED)
        with pytest.raises(OrderNotPayable):
            await _deposit(clean, owner, order.id)


class TestValidEvents:
    @pytest.mark.asvs("V13.2.1")
    async def test_a_signed_success_moves_the_order(
        self, deposit: Deposit, client: AsyncClient, clean: App
    ) -> None:
        answer = await deposit.send(client, deposit.body())
        assert answer.status_code == 200, answer.text
        assert answer.json() == {"received": True, "effect": "applied"}
        assert await deposit.state() == ("paid", "deposit_paid", 3, 1)
        [event] = await audit_events(clean, "payment.event_applied")
        assert (event.details or {})["effect"] == "applied"
        assert event.actor_id is None

    async def test_a_late_older_event_does_not_undo_a_newer_one(
        self, deposit: Deposit, client: AsyncClient
    ) -> None:
        now = int(clock.timestamp())
        paid = await deposit.send(client, deposit.body(created=now))
        late = await deposit.send(client, deposit.body("payment.failed", created=now - 60))
        assert (paid.json()["effect"], late.json()["effect"]) == ("applied", "stale")
        assert await deposit.state() == ("paid", "deposit_paid", 3, 2)

    async def test_a_refund_that_overtakes_its_success_wins(
        self, deposit: Deposit, client: AsyncClient
    ) -> None:
        now = int(clock.timestamp())
        refund = await deposit.send(client, deposit.body("payment.refunded", created=now))
        success = await deposit.send(client, deposit.body(created=now - 30))
        assert (refund.json()["effect"], success.json()["effect"]) == ("applied", "stale")
        assert (await deposit.state())[:2] == ("refunded", "deposit_refunded")

    async def test_a_failure_after_a_success_is_ignored(
        self, deposit: Deposit, client: AsyncClient
    ) -> None:
        now = int(clock.timestamp())
        await deposit.send(client, deposit.body(created=now))
        failed = await deposit.send(client, deposit.body("payment.failed", created=now + 1))
        assert failed.json()["effect"] == "ignored"
        assert (await deposit.state())[:2] == ("paid", "deposit_paid")

    @pytest.mark.asvs("V2.3.4")
    async def test_one_event_delivered_twice_at_once_applies_once(
        self, deposit: Deposit, client: AsyncClient
    ) -> None:
        body = deposit.body()
        answers = await asyncio.gather(*(deposit.send(client, body) for _ in range(3)))
        assert sorted(a.status_code for a in answers) == [200, 409, 409]
        assert await deposit.state() == ("paid", "deposit_paid", 3, 1)


def _resigned(body: bytes, secret: bytes, **changes: Any) -> tuple[bytes, dict[str, str]]:
    event = json.loads(body)
    event["data"].update(changes)
    raw = json.dumps(event).encode()
    stamp = int(clock.timestamp())
    return raw, {"Helio-Signature": signing.header_value(secret, stamp, raw)}


class TestRefusals:
    """Each refusal answers 4xx, is audited, and leaves the payment and the order as they were."""

    async def _refused(
        self, deposit: Deposit, answer: Response, status: int, code: str, clean: App
    ) -> None:
        assert answer.status_code == status, answer.text
        assert answer.json()["error"]["code"] == code
        assert await deposit.state() == REQUESTED
        refusals = await audit_events(clean, "payment.webhook_refused")
        assert refusals[-1].reason == code

    @pytest.mark.asvs("V13.2.1", "V11.4.3")
    @pytest.mark.parametrize(
        "forge",
        ["none", "other secret", "tampered body", "malformed", "v0 only"],
    )
    async def test_a_bad_signature_is_refused(
        self, deposit: Deposit, client: AsyncClient, clean: App, forge: str
    ) -> None:
        body = deposit.body()
        stamp = int(clock.timestamp())
        headers = {
            "none": {},
            "other secret": {"Helio-Signature": signing.header_value(b"x" * 32, stamp, body)},
            "tampered body": deposit.simulator.headers(deposit.body(amount=Decimal("0.01"))),
            "malformed": {"Helio-Signature": "t=abc,v1=zz"},
            "v0 only": {"Helio-Signature": f"t={stamp},v0={'0' * 64}"},
        }[forge]
        answer = await deposit.send(client, body, {"Content-Type": "application/json", **headers})
        await self._refused(deposit, answer, 400, "webhook_signature_invalid", clean)

    @pytest.mark.asvs("V13.2.1")
    @pytest.mark.parametrize("offset", [-301, 301], ids=["old", "future"])
    async def test_a_timestamp_outside_five_minutes_is_refused(
        self, deposit: Deposit, client: AsyncClient, clean: App, offset: int
    ) -> None:
        body = deposit.body()
        headers = deposit.simulator.headers(body, timestamp=int(clock.timestamp()) + offset)
        answer = await deposit.send(client, body, headers)
        await self._refused(deposit, answer, 400, "webhook_timestamp_out_of_window", clean)

    @pytest.mark.asvs("V2.3.4")
    async def test_a_replayed_event_id_is_refused(
        self, deposit: Deposit, client: AsyncClient, clean: App
    ) -> None:
        event_id = f"evt_{new_id()}"
        first = await deposit.send(client, deposit.body("payment.failed", event_id=event_id))
        assert first.json()["effect"] == "applied"
        state = await deposit.state()
        # The same event id again, freshly signed and even with another type.
        again = await deposit.send(client, deposit.body(event_id=event_id))
        assert (again.status_code, again.json()["error"]["code"]) == (409, "webhook_event_replayed")
        assert await deposit.state() == state

    @pytest.mark.parametrize(
        ("changes", "code"),
        [
            ({"amount": "1.00"}, "webhook_amount_mismatch"),
            ({"amount": "12345.67"}, "webhook_amount_mismatch"),
            ({"currency": "EUR"}, "webhook_amount_mismatch"),
            ({"order_id": "0" * 32}, "webhook_unknown_order"),
            ({"payment_ref": "sim_unknown000000"}, "webhook_unknown_payment"),
            ({"amount": 1234.57}, "webhook_payload_invalid"),
        ],
        ids=["amount", "price", "currency", "unknown order", "unknown payment", "float amount"],
    )
    async def test_a_signed_event_that_does_not_match_is_refused(
        self,
        deposit: Deposit,
        client: AsyncClient,
        clean: App,
        changes: dict[str, Any],
        code: str,
    ) -> None:
        body, headers = _resigned(deposit.body(), deposit.simulator.secret, **changes)
        answer = await deposit.send(client, body, {"Content-Type": "application/json", **headers})
        await self._refused(deposit, answer, 422, code, clean)

    async def test_an_unknown_event_type_is_refused(
        self, deposit: Deposit, client: AsyncClient, clean: App
    ) -> None:
        event = json.loads(deposit.body())
        event["type"] = "payment.disputed"
        raw = json.dumps(event).encode()
        answer = await deposit.send(client, raw, deposit.simulator.headers(raw))
        await self._refused(deposit, answer, 422, "webhook_payload_invalid", clean)


class TestSigning:
    def test_any_of_several_signatures_may_match_during_a_rotation(self) -> None:
        body, now = b'{"id":"evt_x"}', 1_800_000_000
        good = signing.signature(b"n" * 32, now, body)
        header = f"t={now},v1={'0' * 64},v1={good}"
        assert signing.verify(b"n" * 32, header, body, now=now) == now

    def test_the_signed_message_is_the_timestamp_and_the_raw_body(self) -> None:
        body, now = b'{"a": 1}', 1_800_000_000
        header = signing.header_value(b"k" * 32, now, body)
        with pytest.raises(SignatureInvalid):
            signing.verify(b"k" * 32, header, b'{"a":1}', now=now)  # re-serialised: refused
        with pytest.raises(SignatureInvalid):
            signing.verify(b"k" * 32, header.replace(f"t={now}", f"t={now + 1}"), body, now=now)
        with pytest.raises(TimestampOutOfWindow):
            signing.verify(b"k" * 32, header, body, now=now + 301)


class TestSimulatorCommand:
    async def test_the_signed_event_is_taken_by_the_webhook(
        self, deposit: Deposit, client: AsyncClient, clean: App
    ) -> None:
        async with clean.db.transaction() as session:
            event = await simulate.signed_event(
                session, Ctx.system(clean), payment_id=deposit.payment.id, outcome="succeeded"
            )
        answer = await client.post(WEBHOOK, content=event.body, headers=event.headers)
        assert answer.json() == {"received": True, "effect": "applied"}

    async def test_production_refuses_the_simulator(self, deposit: Deposit, clean: App) -> None:
        production = dataclasses.replace(
            clean, settings=clean.settings.model_copy(update={"env": "production"})
        )
        async with clean.db.transaction() as session:
            with pytest.raises(SimulatorRefused):
                await simulate.signed_event(
                    session,
                    Ctx.system(production),
                    payment_id=deposit.payment.id,
                    outcome="succeeded",
                )
