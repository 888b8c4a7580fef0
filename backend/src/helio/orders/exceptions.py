"""Errors of /orders and /staff/orders."""

from __future__ import annotations

from helio.errors import Conflict, Forbidden, ValidationFailed


class MfaEnrolmentRequired(Forbidden):
    code = "mfa_enrolment_required"
    message = "Set up a passkey or an authenticator app (two-step verification) before ordering."


class QuoteExpired(Conflict):
    code, message = "quote_expired", "This quote is no longer valid; ask for a new one."


class QuoteAlreadyOrdered(Conflict):
    code, message = "quote_already_ordered", "This quote has already been ordered."


class IdempotencyKeyReused(Conflict):
    code = "idempotency_key_reused"
    message = "This Idempotency-Key was used for another request; use a new key."


class TransitionNotAllowed(Conflict):
    code = "transition_not_allowed"
    message = "The order cannot move to this step from its current one."


class OrderChanged(Conflict):
    code = "order_changed"
    message = "The order changed since you read it; reload it and try again."


class DepositNotPaid(Conflict):
    code = "deposit_not_paid"
    message = "The installation can be scheduled once the deposit is paid."


class RescheduleNotAllowed(Conflict):
    code = "reschedule_not_allowed"
    message = "Only a scheduled appointment of the order's current step can be moved."


class StepNotPermitted(Forbidden):
    code = "step_not_permitted"
    message = "Your role may not record this step of the workflow."


class WindowRequired(ValidationFailed):
    code = "window_required"
    message = "Scheduling a step needs its appointment window (start and end)."


class WindowNotAllowed(ValidationFailed):
    code = "window_not_allowed"
    message = "Only scheduling steps take an appointment window."


class WindowOutOfRange(ValidationFailed):
    code = "window_out_of_range"
    message = "An appointment starts in the future and within a year."
