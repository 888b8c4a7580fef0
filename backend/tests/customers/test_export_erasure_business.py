"""Export and crypto-shredding cover orders (contact, timeline notes), payments and leads
(converted into the account or left with its email), through the personal-data registry."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select
from tests.factories.accounts import new_account
from tests.factories.leads import public_lead, sales_lead
from tests.factories.orders import pay_deposit, place_order, staff_ctx, step_body
from tests.factories.pii import Customer, make_customer

from helio.authz.matrix import Perm, Role
from helio.customers import deletion, service
from helio.leads import conversion
from helio.models import DataKey, Lead, Order, OrderEvent, PaymentRequest
from helio.orders import staff
from helio.orders.workflow import Status
from helio.platform.app import App
from helio.platform.context import Ctx

pytestmark = [pytest.mark.mysql, pytest.mark.redis]

CONTACT = {"name": "Xavier Onsite", "phone": "+44 20 7946 0777"}
NOTE = "Ladder access via the side gate, code Quokka42"


async def _business(app: App, person: Customer) -> dict[str, str]:
    """Give the customer an order with a contact and a noted step, a paid deposit, and leads."""
    support = await new_account(app, Role.SUPPORT)
    seller = await new_account(app, Role.SALES)
    order = await place_order(app, person.user_id, person.quote_id, contact=CONTACT)
    async with app.db.transaction() as session:
        await staff.transition(
            session,
            staff_ctx(app, support, Perm.ORDERS_TRANSITION),
            order_id=order.id,
            data=step_body(Status.SURVEY_SCHEDULED, note=NOTE),
        )
    payment = await pay_deposit(app, person.user_id, order.id)
    by_email = await public_lead(app, email=person.email.upper(), name="Webform Person")
    converted = await sales_lead(app, seller, email=person.email, name="Phone Person")
    async with app.db.transaction() as session:
        await conversion.convert(
            session, staff_ctx(app, seller, Perm.LEADS_CONVERT, Role.SALES), lead_id=converted
        )
    stranger = await public_lead(app, email="someone.else@example.net")
    return {
        "order": order.id,
        "payment": payment,
        "lead_by_email": by_email,
        "lead_converted": converted,
        "stranger": stranger,
    }


@pytest.mark.asvs("V14.2.4")
async def test_the_export_holds_orders_payments_and_leads(clean: App) -> None:
    person = await make_customer(clean)
    ids = await _business(clean, person)
    async with clean.db.transaction() as session:
        export = await service.export_me(session, person.ctx(clean, Perm.DATA_EXPORT))
    data = export.model_dump(mode="json")
    [order] = data["orders"]
    assert order["id"] == ids["order"]
    assert order["contact"] == CONTACT
    assert [e["to_status"] for e in order["timeline"] if e["kind"] == "step"] == [
        "placed",
        "survey_scheduled",
    ]
    assert NOTE in [e["note"] for e in order["timeline"]]
    assert [p["id"] for p in data["payments"]] == [ids["payment"]]
    assert data["payments"][0]["status"] == "paid"
    leads = {lead["id"]: lead for lead in data["leads"]}
    assert set(leads) == {ids["lead_by_email"], ids["lead_converted"]}
    assert leads[ids["lead_by_email"]]["name"] == "Webform Person"
    assert "someone.else" not in json.dumps(data)


@pytest.mark.asvs("V14.2.4")
async def test_shredding_erases_leads_and_strips_orders_to_their_figures(clean: App) -> None:
    person = await make_customer(clean)
    ids = await _business(clean, person)
    async with clean.db.transaction() as session:
        await deletion.delete_me(session, person.ctx(clean, Perm.ACCOUNT_DELETE))
    async with clean.db.transaction() as session:
        await deletion.shred_account(session, Ctx.system(clean), user_id=person.user_id)
    async with clean.db.transaction() as session:
        order = await session.get(Order, ids["order"])
        notes = (
            (
                await session.execute(
                    select(OrderEvent.note_ct).where(OrderEvent.order_id == ids["order"])
                )
            )
            .scalars()
            .all()
        )
        payment = await session.get(PaymentRequest, ids["payment"])
        leads = set((await session.execute(select(Lead.id))).scalars())
        lead_keys = set(
            (
                await session.execute(
                    select(DataKey.owner_id).where(DataKey.wrapped_key.is_not(None))
                )
            ).scalars()
        )
    assert order is not None
    assert (order.status, str(order.net_price)) == ("survey_scheduled", "9100.00")
    assert (order.contact_name_ct, order.contact_phone_ct, order.site_id) == (None, None, None)
    assert set(notes) == {None}
    assert payment is not None  # an accounting record: amounts and ids only
    assert leads == {ids["stranger"]}
    assert ids["lead_by_email"] not in lead_keys
    assert ids["lead_converted"] not in lead_keys
    assert ids["stranger"] in lead_keys
