"""/orders/{id}/deposit (the customer pays) and /webhooks/payments (the provider reports)."""

from __future__ import annotations

from fastapi import APIRouter, Request

from helio.http.deps import DbSession, RequestCtx
from helio.http.openapi import errors
from helio.payments import service, webhooks
from helio.payments.deps import OrderId, PaymentsCreate, Signature
from helio.payments.schemas import PaymentRequestRead, PaymentWebhookRead, event_body_schema

router = APIRouter(prefix="/orders", tags=["payments"])
webhook_router = APIRouter(prefix="/webhooks", tags=["payments"])

# The body is read raw (the signature covers its exact bytes), so it is declared here.
_EVENT_BODY = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": event_body_schema()}},
    }
}


@router.post("/{order_id}/deposit", status_code=201, responses=errors(409))
async def request_deposit(
    order_id: OrderId, access: PaymentsCreate, ctx: RequestCtx, session: DbSession
) -> PaymentRequestRead:
    """Open the deposit payment of your order (the open one again if it exists)."""
    return await service.request_deposit(session, ctx.with_access(access), order_id=order_id)


@webhook_router.post("/payments", openapi_extra=_EVENT_BODY, responses=errors(409))
async def payment_webhook(
    request: Request, ctx: RequestCtx, session: DbSession, signature: Signature = None
) -> PaymentWebhookRead:
    """Take one signed provider event; each event id is processed once."""
    body = await request.body()
    return await webhooks.receive(session, ctx, body=body, signature=signature)
