"""The matrix is the single source: docs generated from it, every route guarded by it."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi import APIRouter

from helio import api
from helio.api import UnguardedRouteError, assert_every_route_guarded
from helio.authz.guards import require
from helio.authz.matrix import MATRIX, PUBLIC_ROUTES, ROLE_ORDER, Perm, Reach
from helio.authz.permissions_doc import render
from helio.config import Settings
from helio.main import create_app
from helio.services import Services

DOC = Path(__file__).resolve().parents[3] / "docs" / "permissions.md"


def test_permissions_doc_is_current() -> None:
    assert DOC.read_text(encoding="utf-8") == render(), "run `helio authz docs`"


def test_every_permission_has_a_full_row() -> None:
    for perm in Perm:
        assert perm in MATRIX, perm
        assert len(MATRIX[perm]) == len(ROLE_ORDER)


@pytest.mark.asvs("V8.1.1", "V8.2.1")
def test_route_without_guard_refuses_to_start(settings: Settings, services: Services) -> None:
    app = create_app(settings, services)
    router = APIRouter()

    @router.get("/api/v1/forgotten")
    async def forgotten() -> dict[str, str]:
        return {}

    app.include_router(router)
    with pytest.raises(UnguardedRouteError, match="GET /api/v1/forgotten has no guard"):
        assert_every_route_guarded(app)


def test_public_route_must_not_also_be_guarded(settings: Settings, services: Services) -> None:
    app = create_app(settings, services)
    method, path = sorted(PUBLIC_ROUTES)[0]
    app.add_api_route(path + "/x", lambda: None, methods=[method])
    app.add_api_route(
        "/healthz", lambda: None, methods=["GET"], dependencies=[require(Perm.OPS_READ)]
    )
    with pytest.raises(UnguardedRouteError):
        assert_every_route_guarded(app)


def test_reach_values_are_known() -> None:
    assert {reach for row in MATRIX.values() for reach in row} <= set(Reach)
    assert api.api_router.prefix == "/api/v1"
