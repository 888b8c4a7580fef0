"""The order workflow as data: steps, who may record each, and what each step needs.

Pure: no I/O. The service locks the order row, asks these rules, then writes.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from helio.authz.matrix import Perm
from helio.orders.exceptions import (
    DepositNotPaid,
    TransitionNotAllowed,
    WindowNotAllowed,
    WindowOutOfRange,
    WindowRequired,
)


class Status(StrEnum):
    PLACED = "placed"
    SURVEY_SCHEDULED = "survey_scheduled"
    SURVEYED = "surveyed"
    PERMIT_SUBMITTED = "permit_submitted"
    PERMIT_APPROVED = "permit_approved"
    INSTALL_SCHEDULED = "install_scheduled"
    INSTALLED = "installed"
    INSPECTED = "inspected"
    ACTIVATED = "activated"
    CANCELLED = "cancelled"


S = Status
# The one way forward: each step has exactly one next step.
FORWARD: dict[Status, Status] = {
    S.PLACED: S.SURVEY_SCHEDULED,
    S.SURVEY_SCHEDULED: S.SURVEYED,
    S.SURVEYED: S.PERMIT_SUBMITTED,
    S.PERMIT_SUBMITTED: S.PERMIT_APPROVED,
    S.PERMIT_APPROVED: S.INSTALL_SCHEDULED,
    S.INSTALL_SCHEDULED: S.INSTALLED,
    S.INSTALLED: S.INSPECTED,
    S.INSPECTED: S.ACTIVATED,
}
# Staff may cancel until the panels are on the roof; the customer until a permit is filed.
CANCELLABLE_BY_STAFF = frozenset(
    {
        S.PLACED,
        S.SURVEY_SCHEDULED,
        S.SURVEYED,
        S.PERMIT_SUBMITTED,
        S.PERMIT_APPROVED,
        S.INSTALL_SCHEDULED,
    }
)
CANCELLABLE_BY_CUSTOMER = frozenset({S.PLACED, S.SURVEY_SCHEDULED, S.SURVEYED})
FINAL = frozenset({S.ACTIVATED, S.CANCELLED})

# Who may record a step: the permission (a row of authz/matrix.py) the step needs.
STEP_PERMISSIONS: dict[Status, Perm] = {
    S.SURVEY_SCHEDULED: Perm.ORDER_STEP_SCHEDULE,
    S.SURVEYED: Perm.ORDER_STEP_PROGRESS,
    S.PERMIT_SUBMITTED: Perm.ORDER_STEP_PROGRESS,
    S.PERMIT_APPROVED: Perm.ORDER_STEP_PROGRESS,
    S.INSTALL_SCHEDULED: Perm.ORDER_STEP_SCHEDULE,
    S.INSTALLED: Perm.ORDER_STEP_PROGRESS,
    S.INSPECTED: Perm.ORDER_STEP_PROGRESS,
    S.ACTIVATED: Perm.ORDER_STEP_ACTIVATE,
    S.CANCELLED: Perm.ORDER_STEP_CANCEL,
}
# Scheduling steps set an appointment window: which one.
WINDOWS: dict[Status, str] = {S.SURVEY_SCHEDULED: "survey", S.INSTALL_SCHEDULED: "install"}
MAX_DAYS_AHEAD = 365

LABELS: dict[Status, str] = {
    S.PLACED: "Order placed",
    S.SURVEY_SCHEDULED: "Site survey scheduled",
    S.SURVEYED: "Site survey done",
    S.PERMIT_SUBMITTED: "Permit application submitted",
    S.PERMIT_APPROVED: "Permit approved",
    S.INSTALL_SCHEDULED: "Installation scheduled",
    S.INSTALLED: "Panels installed",
    S.INSPECTED: "Installation inspected",
    S.ACTIVATED: "System switched on",
    S.CANCELLED: "Order cancelled",
}


def allowed(current: Status, target: Status, *, by_customer: bool = False) -> bool:
    """Return whether an order may move from `current` to `target` (by the customer or staff)."""
    if target == S.CANCELLED:
        return current in (CANCELLABLE_BY_CUSTOMER if by_customer else CANCELLABLE_BY_STAFF)
    return not by_customer and FORWARD.get(current) == target


def check_move(
    current: Status,
    target: Status,
    *,
    by_customer: bool = False,
    has_window: bool = False,
    deposit_paid: bool = False,
) -> None:
    """Refuse a move the workflow does not allow, or one missing what its step needs.

    Raises:
        TransitionNotAllowed: not a legal step from `current` (409).
        WindowRequired: a scheduling step without its appointment window (422).
        WindowNotAllowed: a window given to a step that takes none (422).
        DepositNotPaid: the installation is scheduled before the deposit is paid (409).
    """
    if not allowed(current, target, by_customer=by_customer):
        raise TransitionNotAllowed
    if target in WINDOWS and not has_window:
        raise WindowRequired
    if target not in WINDOWS and has_window:
        raise WindowNotAllowed
    if target == S.INSTALL_SCHEDULED and not deposit_paid:
        raise DepositNotPaid


def check_window(starts_at: datetime, now: datetime) -> None:
    """Refuse an appointment in the past or more than a year ahead.

    Raises:
        WindowOutOfRange: (422).
    """
    if not now < starts_at <= now + timedelta(days=MAX_DAYS_AHEAD):
        raise WindowOutOfRange
