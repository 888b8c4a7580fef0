"""The order workflow as data: every pair of steps, legal or not, without a database."""

from __future__ import annotations

from datetime import datetime, timedelta
from itertools import pairwise, product

import pytest

from helio.authz.matrix import Perm, Reach, Role, reach
from helio.orders import workflow
from helio.orders.exceptions import (
    DepositNotPaid,
    TransitionNotAllowed,
    WindowNotAllowed,
    WindowOutOfRange,
    WindowRequired,
)
from helio.orders.workflow import CANCELLABLE_BY_CUSTOMER, CANCELLABLE_BY_STAFF, FORWARD, Status

S = Status
PATH = [
    S.PLACED,
    S.SURVEY_SCHEDULED,
    S.SURVEYED,
    S.PERMIT_SUBMITTED,
    S.PERMIT_APPROVED,
    S.INSTALL_SCHEDULED,
    S.INSTALLED,
    S.INSPECTED,
    S.ACTIVATED,
]
STAFF_LEGAL = {(a, b) for a, b in pairwise(PATH)} | {(s, S.CANCELLED) for s in PATH[:6]}
CUSTOMER_LEGAL = {(s, S.CANCELLED) for s in (S.PLACED, S.SURVEY_SCHEDULED, S.SURVEYED)}
PAIRS = list(product(Status, Status))


def _needs(target: Status) -> dict[str, bool]:
    return {"has_window": target in workflow.WINDOWS, "deposit_paid": True}


def test_the_forward_path_is_the_product_workflow() -> None:
    assert [S.PLACED, *FORWARD.values()] == PATH
    assert CANCELLABLE_BY_CUSTOMER < CANCELLABLE_BY_STAFF
    assert S.INSTALLED not in CANCELLABLE_BY_STAFF


@pytest.mark.asvs("V2.1.2")
@pytest.mark.parametrize(("current", "target"), PAIRS, ids=[f"{a}->{b}" for a, b in PAIRS])
def test_staff_moves_only_one_step_forward_or_cancel_early(current: Status, target: Status) -> None:
    legal = (current, target) in STAFF_LEGAL
    assert workflow.allowed(current, target) is legal
    if legal:
        workflow.check_move(current, target, **_needs(target))
    else:
        with pytest.raises(TransitionNotAllowed):
            workflow.check_move(current, target, **_needs(target))


@pytest.mark.asvs("V2.1.2")
@pytest.mark.parametrize(("current", "target"), PAIRS, ids=[f"{a}->{b}" for a, b in PAIRS])
def test_a_customer_only_cancels_before_the_permit(current: Status, target: Status) -> None:
    legal = (current, target) in CUSTOMER_LEGAL
    assert workflow.allowed(current, target, by_customer=True) is legal
    if not legal:
        with pytest.raises(TransitionNotAllowed):
            workflow.check_move(current, target, by_customer=True, **_needs(target))


@pytest.mark.parametrize("target", [S.SURVEY_SCHEDULED, S.INSTALL_SCHEDULED])
def test_scheduling_steps_need_their_window(target: Status) -> None:
    current = next(a for a, b in FORWARD.items() if b == target)
    with pytest.raises(WindowRequired):
        workflow.check_move(current, target, deposit_paid=True)


def test_other_steps_take_no_window() -> None:
    with pytest.raises(WindowNotAllowed):
        workflow.check_move(S.SURVEY_SCHEDULED, S.SURVEYED, has_window=True)


@pytest.mark.asvs("V2.1.1")
def test_installation_waits_for_the_deposit() -> None:
    with pytest.raises(DepositNotPaid):
        workflow.check_move(S.PERMIT_APPROVED, S.INSTALL_SCHEDULED, has_window=True)
    workflow.check_move(S.PERMIT_APPROVED, S.INSTALL_SCHEDULED, has_window=True, deposit_paid=True)


@pytest.mark.parametrize(
    "offset", [timedelta(seconds=-1), timedelta(0), timedelta(days=366)], ids=str
)
def test_appointments_are_in_the_future_and_within_a_year(offset: timedelta) -> None:
    now = datetime(2027, 1, 1, 12)
    with pytest.raises(WindowOutOfRange):
        workflow.check_window(now + offset, now)
    workflow.check_window(now + timedelta(hours=1), now)


def test_every_step_names_a_permission_of_the_matrix() -> None:
    assert set(workflow.STEP_PERMISSIONS) == set(Status) - {S.PLACED}
    # Support records every step; an admin may only stop an order; sales and engineers none.
    for perm in set(workflow.STEP_PERMISSIONS.values()):
        assert reach(perm, Role.SUPPORT) == Reach.ALL
        assert reach(perm, Role.SALES) == reach(perm, Role.ENGINEER) == Reach.NONE
    admin = {p for p in set(workflow.STEP_PERMISSIONS.values()) if reach(p, Role.ADMIN)}
    assert admin == {Perm.ORDER_STEP_CANCEL}
