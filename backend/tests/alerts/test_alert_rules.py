"""Each rule fires on its events only, once per burst, within a per-rule hourly budget."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from helio.alerts.delivery import AlertJobs
from helio.alerts.engine import AlertEngine
from helio.alerts.rules import ACCOUNT_FAILURES, GLOBAL_FAILURES, RULES, Rule
from helio.audit.actions import AuditAction
from helio.audit.hooks import AuditRecord
from helio.kit.clock import utcnow
from helio.kit.ids import new_id
from helio.platform.app import App


@pytest.fixture
async def engine(clean: App) -> AlertEngine:
    return AlertEngine(clean.state, AlertJobs(clean.db))


NEW, STAFF = {"new_device": True}, {"account": "staff"}


def _event(action: str, outcome: str = "success", **fields: Any) -> AuditRecord:
    return AuditRecord(
        seq=1, id=new_id(), occurred_at=utcnow(), action=action, outcome=outcome, **fields
    )


A = AuditAction  # keeps the table of cases one line per case


async def _rules(engine: AlertEngine, event: AuditRecord) -> list[str]:
    return [alert.rule for alert in await engine.evaluate(event)]


@pytest.mark.redis
@pytest.mark.parametrize(
    ("event", "expected"),
    [
        (_event(A.AUTH_ACCOUNT_LOCKED, actor_id="a1"), ["account_locked"]),
        (_event(A.AUTH_REFRESH_TOKEN_REUSED, "denied", actor_id="a1"), ["refresh_token_reuse"]),
        (_event(A.GRANT_USED, resource_type="grant", resource_id="g1"), ["break_glass_use"]),
        (_event(A.GRANT_APPROVED, resource_id="g1"), ["grant_approved"]),
        (_event(A.STAFF_ROLES_CHANGED, resource_id="s1"), ["role_change"]),
        (_event(A.AUDIT_VERIFIED, "failure"), ["audit_chain_broken"]),
        (_event(A.AUTH_SIGNED_IN, actor_roles="engineer", details=NEW), ["staff_new_device"]),
        (_event(A.AUTH_MFA_CHECKED, actor_roles="admin,sales", details=NEW), ["staff_new_device"]),
        (_event(A.AUTH_SIGNED_IN, details=NEW | STAFF), ["staff_new_device"]),
        (_event(A.AUTH_SIGNED_IN, details=NEW | {"account": "customer"}), []),
        (_event(A.AUTH_SIGNED_IN, details={"new_device": False} | STAFF), []),
        (_event(A.AUTH_SIGNED_IN, actor_roles="customer", details=NEW), []),
        (_event(A.AUTH_SIGNED_IN, actor_roles="admin"), []),
        (_event(A.AUDIT_VERIFIED, "success"), []),
        (_event("orders.transition", actor_id="a1"), []),
    ],
)  # fmt: skip
async def test_each_rule_fires_on_its_event(
    engine: AlertEngine, event: AuditRecord, expected: list[str]
) -> None:
    assert await _rules(engine, event) == expected


@pytest.mark.redis
async def test_repeated_incident_on_one_key_alerts_once(engine: AlertEngine) -> None:
    fired = [
        await _rules(engine, _event(AuditAction.AUTH_ACCOUNT_LOCKED, actor_id="a1"))
        for _ in range(5)
    ]
    assert fired == [["account_locked"], [], [], [], []]
    assert await _rules(engine, _event(AuditAction.AUTH_ACCOUNT_LOCKED, actor_id="a2")) == [
        "account_locked"
    ]


@pytest.mark.redis
async def test_distributed_attack_raises_the_global_alert_once(engine: AlertEngine) -> None:
    fired: list[str] = []
    for index in range(GLOBAL_FAILURES + 50):
        event = _event(
            AuditAction.AUTH_SIGNED_IN,
            "failure",
            actor_id=f"acct-{index}",
            client_ip=f"198.51.100.{index % 250}",
        )
        fired += await _rules(engine, event)
    assert fired == ["login_failures_global"]


@pytest.mark.redis
async def test_burst_spanning_windows_stays_deduplicated(engine: AlertEngine) -> None:
    rule = Rule("fast", "Fast burst", "high", lambda e: e.action == "x.fail",
                lambda e: "k", threshold=3, window_seconds=1, quiet_seconds=30)  # fmt: skip
    custom = AlertEngine(engine.state, engine.deliveries, rules=[rule])
    first = [len(await custom.evaluate(_event("x.fail"))) for _ in range(4)]
    await asyncio.sleep(1.2)  # the counting window expires; the burst goes on
    second = [len(await custom.evaluate(_event("x.fail"))) for _ in range(4)]
    assert (first, second) == ([0, 0, 1, 0], [0, 0, 0, 0])


@pytest.mark.redis
async def test_hourly_budget_per_rule_caps_alert_floods(engine: AlertEngine) -> None:
    capped = AlertEngine(engine.state, engine.deliveries, max_per_hour=2)
    fired = [await _rules(capped, _event(AuditAction.STAFF_ROLES_CHANGED)) for _ in range(4)]
    assert fired == [["role_change"], ["role_change"], [], []]


def test_rule_names_are_unique_and_cover_the_required_cases() -> None:
    names = [rule.name for rule in RULES]
    assert len(names) == len(set(names))
    required = {
        "login_failures_account", "login_failures_ip", "login_failures_global", "account_locked",
        "refresh_token_reuse", "break_glass_use", "role_change", "staff_new_device",
        "audit_chain_broken",
    }  # fmt: skip
    assert required <= set(names)


def test_action_names_match_the_authentication_events() -> None:
    from helio.audit.actions import AuditAction

    assert (
        AuditAction.AUTH_SIGNED_IN,
        AuditAction.AUTH_MFA_CHECKED,
        AuditAction.AUTH_ACCOUNT_LOCKED,
    ) == (
        AuditAction.AUTH_SIGNED_IN,
        AuditAction.AUTH_MFA_CHECKED,
        AuditAction.AUTH_ACCOUNT_LOCKED,
    )
    assert AuditAction.AUTH_REFRESH_TOKEN_REUSED == AuditAction.AUTH_REFRESH_TOKEN_REUSED
    assert AuditAction.AUTH_TOKEN_ISSUED == AuditAction.AUTH_TOKEN_ISSUED


@pytest.mark.redis
async def test_an_evaluation_run_again_raises_the_same_alert_and_counts_once(
    engine: AlertEngine,
) -> None:
    locked = _event(AuditAction.AUTH_ACCOUNT_LOCKED, actor_id="a7")
    first, again = await engine.evaluate(locked), await engine.evaluate(locked)
    assert [a.rule for a in first] == [a.rule for a in again] == ["account_locked"]
    assert first[0].event_id == again[0].event_id  # the same delivery keys
    failures = [
        _event(AuditAction.AUTH_SIGNED_IN, "failure", actor_id="a8", client_ip="192.0.2.1")
        for _ in range(ACCOUNT_FAILURES)
    ]
    for event in failures[:-1]:
        assert await _rules(engine, event) == []
        assert await _rules(engine, event) == []  # run twice, counted once
    assert await _rules(engine, failures[-1]) == ["login_failures_account"]
