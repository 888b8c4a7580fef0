"""Prometheus metrics: served only with the ops token; bounded labels; counts what matters."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from httpx import ASGITransport, AsyncClient
from starlette.types import Receive, Scope, Send

from helio.audit import AuditAction, Outcome, record, record_separately
from helio.config import Settings
from helio.http.metrics import MetricsMiddleware
from helio.main import create_app
from helio.metrics import REGISTRY
from helio.ops.service import ops_token_matches
from helio.platform.app import App

TOKEN = "ops-" + "Zq8vN3xK" * 6
BASE_URL = "https://api.helio.test"


@pytest.fixture
async def ops_client(settings: Settings, clean: App) -> AsyncIterator[AsyncClient]:
    app = create_app(settings.model_copy(update={"ops_token": TOKEN}), clean)
    transport = ASGITransport(app=app, client=("203.0.113.7", 50000))
    async with AsyncClient(transport=transport, base_url=BASE_URL) as http:
        yield http


def _sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


@pytest.mark.asvs("V13.4.5")
@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer wrong-token"},
        {"Authorization": f"Basic {TOKEN}"},
        {"Authorization": f"Bearer {TOKEN[:-1]}"},
        {"Authorization": "Bearer "},
        {"X-Ops-Token": TOKEN},
    ],
)
async def test_metrics_are_refused_without_the_ops_token(
    ops_client: AsyncClient, headers: dict[str, str]
) -> None:
    answer = await ops_client.get("/metrics", headers=headers)
    assert answer.status_code == 401
    assert answer.json()["error"]["code"] == "unauthenticated"
    assert "helio_" not in answer.text


@pytest.mark.asvs("V13.4.5")
async def test_metrics_are_refused_when_no_token_is_configured(client: AsyncClient) -> None:
    for header in ({}, {"Authorization": "Bearer "}, {"Authorization": "Bearer None"}):
        assert (await client.get("/metrics", headers=header)).status_code == 401
    assert not ops_token_matches("Bearer ", "")


@pytest.mark.asvs("V13.4.5")
async def test_metrics_with_the_token_use_route_templates(
    ops_client: AsyncClient, clean: App
) -> None:
    await ops_client.get("/healthz")
    await ops_client.get("/api/v1/orders/3f2a9c/secret-path")
    answer = await ops_client.get("/metrics", headers={"Authorization": f"bearer {TOKEN}"})
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/plain")
    text = answer.text
    assert 'helio_http_requests_total{method="GET",route="/healthz",status="200"}' in text
    assert 'route="<unmatched>",status="404"' in text
    assert "3f2a9c" not in text
    assert "secret-path" not in text
    assert "helio_audit_chain_length 0.0" in text
    assert "helio_http_request_duration_seconds_bucket" in text


async def test_rate_limited_answers_are_counted_by_route() -> None:
    async def limited(scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 429, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    before = _sample("helio_rate_limited_total", route="<unmatched>")
    transport = ASGITransport(app=MetricsMiddleware(limited))
    async with AsyncClient(transport=transport, base_url=BASE_URL) as http:
        assert (await http.post("/api/v1/auth/login")).status_code == 429
    assert _sample("helio_rate_limited_total", route="<unmatched>") == before + 1


async def _fail_after_recording(app_state: App) -> None:
    async with app_state.db.transaction() as session:
        await record(
            session, None, AuditAction.AUTH_SIGNED_IN, outcome=Outcome.FAILURE, actor_id="a1"
        )
        raise RuntimeError


@pytest.mark.mysql
async def test_committed_auth_events_are_counted_rolled_back_ones_not(clean: App) -> None:
    labels = {"action": "auth.signed_in", "outcome": "failure"}
    before = _sample("helio_auth_events_total", **labels)
    lockouts = _sample("helio_lockouts_total")
    await record_separately(
        clean.db, None, AuditAction.AUTH_SIGNED_IN, outcome=Outcome.FAILURE, actor_id="a1"
    )
    await record_separately(clean.db, None, AuditAction.AUTH_ACCOUNT_LOCKED, actor_id="a1")
    with pytest.raises(RuntimeError):
        await _fail_after_recording(clean)
    assert _sample("helio_auth_events_total", **labels) == before + 1
    assert _sample("helio_lockouts_total") == lockouts + 1


def test_ops_token_comparison() -> None:
    assert ops_token_matches(f"Bearer {TOKEN}", TOKEN)
    assert ops_token_matches(f"BEARER   {TOKEN}", TOKEN)
    assert not ops_token_matches(f"Bearer {TOKEN}x", TOKEN)
    assert not ops_token_matches(None, TOKEN)
    assert not ops_token_matches(f"Bearer {TOKEN}", "")
