"""The payment provider behind one small interface, and the simulator that stands in for it.

The simulator is what `make run` and the tests use: it hands out checkout references and
signs webhook events exactly as a provider does (`signing.header_value` over the raw
body), so the webhook's checks run for real. A real provider adds an adapter here with
the same two methods.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from helio.config import Settings
from helio.kit.clock import clock
from helio.payments import signing
from helio.platform.app import App


@dataclass(frozen=True)
class Checkout:
    """Where a customer pays: the provider's reference and its payment page."""

    ref: str
    url: str


class PaymentProvider(Protocol):
    """What Helio needs of a payment provider."""

    name: str

    def checkout(self, *, payment_id: str, amount: Decimal, currency: str) -> Checkout:
        """Open a payment of `amount` and return its reference and payment page."""
        ...

    def checkout_url(self, ref: str) -> str:
        """Return the payment page of an open payment."""
        ...


class SimulatedProvider:
    """A provider that lives in this process: references, payment pages and signed events."""

    name = "simulator"

    def __init__(self, public_url: str, secret: bytes) -> None:
        self.public_url = public_url.rstrip("/")
        self.secret = secret

    def checkout(self, *, payment_id: str, amount: Decimal, currency: str) -> Checkout:
        """Open a simulated payment (nothing leaves the process)."""
        ref = f"sim_{secrets.token_hex(12)}"
        return Checkout(ref, self.checkout_url(ref))

    def checkout_url(self, ref: str) -> str:
        """Return the simulated payment page (the portal shows a "pay" button in development)."""
        return f"{self.public_url}/pay/simulated#ref={ref}"

    def event(
        self,
        *,
        event_type: str,
        order_id: str,
        ref: str,
        amount: Decimal,
        currency: str,
        created: int | None = None,
        event_id: str | None = None,
    ) -> bytes:
        """Return the JSON body of a provider event about a payment."""
        body = {
            "id": event_id or f"evt_{secrets.token_hex(12)}",
            "type": event_type,
            "created": int(clock.timestamp()) if created is None else created,
            "data": {
                "order_id": order_id,
                "payment_ref": ref,
                "amount": f"{amount:.2f}",
                "currency": currency,
            },
        }
        return json.dumps(body, separators=(",", ":")).encode("utf-8")

    def headers(self, body: bytes, *, timestamp: int | None = None) -> dict[str, str]:
        """Return the headers the provider sends with a body (signed now unless told)."""
        signed_at = int(clock.timestamp()) if timestamp is None else timestamp
        return {
            "Content-Type": "application/json",
            signing.HEADER: signing.header_value(self.secret, signed_at, body),
        }


def webhook_secret(app: App) -> bytes:
    """Return the webhook secret: the configured one, else one derived from the server secret.

    Production refuses to start without a configured secret (`Settings.production_problems`).
    """
    configured = app.settings.payment_webhook_secret
    if configured:
        return configured.encode("utf-8")
    return app.server_keys.hmac("payments-webhook")


def simulator_for(app: App) -> SimulatedProvider:
    """Return the simulator signing with this app's webhook secret (tests, `helio payments`)."""
    settings: Settings = app.settings
    return SimulatedProvider(settings.public_url, webhook_secret(app))


def provider_for(app: App) -> PaymentProvider:
    """Return the configured payment provider (`HELIO_PAYMENT_PROVIDER`)."""
    return simulator_for(app)
