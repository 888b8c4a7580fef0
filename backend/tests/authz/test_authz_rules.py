"""The named rules that are not role × reach."""

from __future__ import annotations

import pytest

from helio.authz import rules
from helio.authz.matrix import Role
from helio.errors import ValidationFailed


@pytest.mark.asvs("V8.2.1")
def test_nobody_decides_their_own_grant() -> None:
    with pytest.raises(rules.OwnGrant):
        rules.not_own_grant("a1", "a1")
    rules.not_own_grant("a1", "e1")


@pytest.mark.asvs("V8.2.1")
def test_nobody_changes_their_own_account() -> None:
    with pytest.raises(rules.OwnRoles):
        rules.not_own_account("a1", "a1")
    rules.not_own_account("a1", "a2")


@pytest.mark.asvs("V8.2.1")
def test_the_last_admin_stays() -> None:
    admin, support = {Role.ADMIN}, {Role.SUPPORT}
    with pytest.raises(rules.LastAdmin):
        rules.admin_remains(["a1"], "a1", roles_after=support, active_after=True)
    with pytest.raises(rules.LastAdmin):
        rules.admin_remains(["a1"], "a1", roles_after=admin, active_after=False)
    rules.admin_remains(["a1", "a2"], "a1", roles_after=support, active_after=False)
    rules.admin_remains(["a1"], "a1", roles_after=admin | support, active_after=True)
    rules.admin_remains(["a1"], "s1", roles_after=support, active_after=False)


@pytest.mark.parametrize("minutes", [0, 4, 241, 10_000])
def test_grant_duration_is_bounded(minutes: int) -> None:
    with pytest.raises(ValidationFailed):
        rules.grant_minutes(minutes)


@pytest.mark.parametrize("minutes", [5, 60, 240])
def test_grant_durations_within_bounds(minutes: int) -> None:
    rules.grant_minutes(minutes)


def test_staff_never_get_the_customer_role() -> None:
    with pytest.raises(ValidationFailed):
        rules.staff_roles_only({Role.SUPPORT, Role.CUSTOMER})
    rules.staff_roles_only({Role.SUPPORT, Role.ADMIN})
