"""The matrix is the single source: docs generated from it, every route guarded by it."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi import APIRouter

from helio import api
from helio.api import UnguardedRouteError, assert_every_route_guarded
from helio.auth.deps import require
from helio.authz.access import IncompleteMatrix, assert_matrix_complete, matrix_problems
from helio.authz.matrix import MATRIX, ROLE_ORDER, A, N, Perm
from helio.authz.permissions_doc import render
from helio.config import Settings
from helio.main import create_app
from helio.platform.app import App

DOC = Path(__file__).resolve().parents[3] / "docs" / "permissions.md"


def test_permissions_doc_is_current() -> None:
    assert DOC.read_text(encoding="utf-8") == render(), "run `helio authz docs`"


def test_every_permission_has_a_full_row() -> None:
    for perm in Perm:
        assert perm in MATRIX, perm
        assert len(MATRIX[perm]) == len(ROLE_ORDER)


@pytest.mark.asvs("V8.1.1", "V8.2.1")
def test_route_without_guard_refuses_to_start(settings: Settings, app_state: App) -> None:
    app = create_app(settings, app_state)
    router = APIRouter()

    @router.get("/api/v1/forgotten")
    async def forgotten() -> dict[str, str]:
        return {}

    app.include_router(router)
    with pytest.raises(UnguardedRouteError, match="GET /api/v1/forgotten has no guard"):
        assert_every_route_guarded(app)


def test_public_route_must_not_also_be_guarded(settings: Settings, app_state: App) -> None:
    app = create_app(settings, app_state)
    router = APIRouter()

    # A public path (anyone may sign in) that also declares a guard: public wins
    # in PUBLIC_ROUTES, so the guard would be skipped by the route checks.
    @router.post("/api/v1/auth/login", dependencies=[require(Perm.OPS_READ)])
    async def shadow() -> dict[str, str]:
        return {}

    app.include_router(router)
    with pytest.raises(
        UnguardedRouteError, match=r"^POST /api/v1/auth/login is both public and guarded$"
    ):
        assert_every_route_guarded(app)


def test_reach_values_are_known() -> None:
    assert matrix_problems() == []
    assert api.api_router.prefix == "/api/v1"
    # A cell that is a plain number compares equal to a Reach, so only the type check sees it.
    sloppy = {**MATRIX, Perm.QUOTES_READ: (1, N, A, N, N)}
    assert matrix_problems(sloppy) == ["quotes:read for customer is 1, not a Reach"]
    short = {**MATRIX, Perm.SITES_READ: MATRIX[Perm.SITES_READ][:4]}
    with pytest.raises(IncompleteMatrix, match="sites:read needs one reach per role"):
        assert_matrix_complete(short)
    missing: dict[Perm, tuple[object, ...]] = {
        perm: row for perm, row in MATRIX.items() if perm != Perm.ALERTS_MANAGE
    }
    with pytest.raises(IncompleteMatrix, match="alerts:manage"):
        assert_matrix_complete(missing)
