"""Errors of the deposit request and of the payment webhook."""

from __future__ import annotations

from helio.errors import BadRequest, Conflict, ValidationFailed


class SignatureInvalid(BadRequest):
    code = "webhook_signature_invalid"
    message = "The Helio-Signature header is missing or does not match the body."


class TimestampOutOfWindow(BadRequest):
    code = "webhook_timestamp_out_of_window"
    message = "The signed timestamp is more than five minutes away from now."


class PayloadInvalid(ValidationFailed):
    code, message = "webhook_payload_invalid", "The event is not a payment event we know."


class UnknownPayment(ValidationFailed):
    code, message = "webhook_unknown_payment", "The event names no payment of ours."


class UnknownOrder(ValidationFailed):
    code, message = "webhook_unknown_order", "The event's order is not the payment's order."


class AmountMismatch(ValidationFailed):
    code = "webhook_amount_mismatch"
    message = "The event's amount or currency is not what was asked."


class EventReplayed(Conflict):
    code, message = "webhook_event_replayed", "This event was already processed."


class OrderNotPayable(Conflict):
    code, message = "order_not_payable", "A cancelled or finished order takes no deposit."


class SimulatorRefused(Conflict):
    code, message = "simulator_refused", "The payment simulator does not run in production."
