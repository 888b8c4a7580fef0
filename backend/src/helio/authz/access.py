"""What a guard establishes: the caller's access for one permission, decided by the matrix.

Pure: no I/O and no web framework. The route guard that authenticates the
caller and then calls `check` is `helio.auth.deps.require`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from helio.authz.matrix import MATRIX, ROLE_ORDER, STEP_UP, Perm, Reach, Role, reach
from helio.authz.principal import Principal
from helio.errors import Forbidden, StepUpRequired
from helio.kit.clock import utcnow

STEP_UP_WINDOW = timedelta(minutes=5)

# The attribute a guard dependency carries: the permission it checks.
GUARD_MARK = "__helio_permission__"


class IncompleteMatrix(RuntimeError):
    """The permission matrix has a missing row, a short row or a cell that is not a Reach."""


class MfaRequired(Forbidden):
    code, message = "mfa_required", "Staff accounts must set up and use MFA first."


@dataclass(frozen=True)
class Access:
    """What a guard established: who calls, for which permission, with which reach."""

    principal: Principal
    perm: Perm
    reach: Reach

    @property
    def user_id(self) -> str:
        """The caller's account id."""
        return self.principal.user_id


def best_reach(principal: Principal, perm: Perm) -> Reach:
    """Return the widest reach any of the principal's roles has for `perm`."""
    return max((reach(perm, role) for role in principal.roles), default=Reach.NONE)


def held_roles(principal: Principal) -> list[Role]:
    """Return the principal's roles in the matrix's order (customer first, admin last)."""
    return [role for role in ROLE_ORDER if role in principal.roles]


def check(principal: Principal, perm: Perm) -> Access:
    """Decide whether `principal` may use `perm`.

    Args:
        principal: the authenticated caller.
        perm: the permission the route declares.

    Returns:
        The Access with the caller's reach.

    Raises:
        Forbidden: the matrix gives NONE.
        MfaRequired: a staff session without MFA (only enrolment is allowed).
        StepUpRequired: the permission needs a step-up newer than five minutes.
    """
    granted = best_reach(principal, perm)
    if granted == Reach.NONE:
        raise Forbidden
    if principal.is_staff and not principal.mfa_verified and perm != Perm.SESSION_SELF:
        raise MfaRequired
    if perm in STEP_UP and not _recent_step_up(principal):
        raise StepUpRequired
    return Access(principal, perm, granted)


def acting_role(principal: Principal, perm: Perm) -> Role:
    """Return the role through which the principal holds `perm` (the widest reach wins).

    Records such as an order's timeline name this role, never the person.

    Raises:
        Forbidden: no role of the principal holds the permission.
    """
    holding = [role for role in ROLE_ORDER if role in principal.roles and reach(perm, role)]
    if not holding:
        raise Forbidden
    return max(holding, key=lambda role: reach(perm, role))


def _recent_step_up(principal: Principal) -> bool:
    return principal.step_up_at is not None and utcnow() - principal.step_up_at <= STEP_UP_WINDOW


def route_permission(dependant: Any) -> Perm | None:
    """Find the permission a route's dependency tree declares, if any."""
    for dependency in dependant.dependencies:
        perm = getattr(dependency.call, GUARD_MARK, None)
        if perm is not None:
            return perm  # type: ignore[no-any-return]
        nested = route_permission(dependency)
        if nested is not None:
            return nested
    return None


def matrix_problems(matrix: Mapping[Perm, tuple[object, ...]] = MATRIX) -> list[str]:
    """Return what is wrong with a permission matrix (nothing for a complete one).

    Every permission needs a row with one `Reach` per role; a plain number or a
    missing cell would be read as some reach nobody chose.
    """
    problems = []
    for perm in Perm:
        row = matrix.get(perm)
        if row is None or len(row) != len(ROLE_ORDER):
            problems.append(
                f"{perm.value} needs one reach per role {[r.value for r in ROLE_ORDER]}"
            )
            continue
        problems += [
            f"{perm.value} for {role.value} is {cell!r}, not a Reach"
            for role, cell in zip(ROLE_ORDER, row, strict=True)
            if type(cell) is not Reach
        ]
    return problems


def assert_matrix_complete(matrix: Mapping[Perm, tuple[object, ...]] = MATRIX) -> None:
    """Refuse to start with an incomplete matrix.

    Raises:
        IncompleteMatrix: naming every problem.
    """
    problems = matrix_problems(matrix)
    if problems:
        raise IncompleteMatrix("; ".join(problems))
