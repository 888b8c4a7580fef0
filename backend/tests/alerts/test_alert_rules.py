"""Each rule fires on its events only, once per burst, within a per-rule hourly budget."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest

from helio.alerts.dispatcher import AlertDispatcher, Retry
from helio.alerts.engine import AlertEngine
from helio.alerts.outbox import MemoryOutbox
from helio.alerts.rules import GLOBAL_FAILURES, RULES, Rule
from helio.audit import actions
from helio.audit.hooks import AuditRecord
from helio.kit.clock import utcnow
from helio.kit.ids import new_id
from helio.mail.transport import MemoryTransport
from helio.security.outbound import OutboundPolicy
from helio.services import Services


@pytest.fixture
async def engine(clean: Services) -> AsyncIterator[AlertEngine]:
    dispatcher = AlertDispatcher(
        db=clean.db, state=clean.state, outbox=MemoryOutbox(), mail=MemoryTransport(),
        mail_from="alerts@helio.test", policy=OutboundPolicy(), retry=Retry(1, 0.0),
    )  # fmt: skip
    yield AlertEngine(clean.state, dispatcher)
    await dispatcher.wait_idle()


NEW, STAFF = {"new_device": True}, {"account": "staff"}


def _event(action: str, outcome: str = "success", **fields: Any) -> AuditRecord:
    return AuditRecord(
        seq=1, id=new_id(), occurred_at=utcnow(), action=action, outcome=outcome, **fields
    )


async def _rules(engine: AlertEngine, event: AuditRecord) -> list[str]:
    return [alert.rule for alert in await engine.evaluate(event)]


@pytest.mark.redis
@pytest.mark.parametrize(
    ("event", "expected"),
    [
        (_event(actions.LOCKOUT, actor_id="a1"), ["account_locked"]),
        (_event(actions.REFRESH_REUSE, "denied", actor_id="a1"), ["refresh_token_reuse"]),
        (_event(actions.GRANT_USE, resource_type="grant", resource_id="g1"), ["break_glass_use"]),
        (_event(actions.GRANT_APPROVE, resource_id="g1"), ["grant_approved"]),
        (_event(actions.ROLES_CHANGE, resource_id="s1"), ["role_change"]),
        (_event(actions.AUDIT_VERIFY, "failure"), ["audit_chain_broken"]),
        (_event(actions.LOGIN, actor_roles="engineer", details=NEW), ["staff_new_device"]),
        (_event(actions.MFA, actor_roles="admin,support", details=NEW), ["staff_new_device"]),
        (_event(actions.LOGIN, details=NEW | STAFF), ["staff_new_device"]),
        (_event(actions.LOGIN, details=NEW | {"account": "customer"}), []),
        (_event(actions.LOGIN, details={"new_device": False} | STAFF), []),
        (_event(actions.LOGIN, actor_roles="customer", details=NEW), []),
        (_event(actions.LOGIN, actor_roles="admin"), []),
        (_event(actions.AUDIT_VERIFY, "success"), []),
        (_event("orders.transition", actor_id="a1"), []),
    ],
)  # fmt: skip
async def test_each_rule_fires_on_its_event(
    engine: AlertEngine, event: AuditRecord, expected: list[str]
) -> None:
    assert await _rules(engine, event) == expected


@pytest.mark.redis
async def test_repeated_incident_on_one_key_alerts_once(engine: AlertEngine) -> None:
    fired = [await _rules(engine, _event(actions.LOCKOUT, actor_id="a1")) for _ in range(5)]
    assert fired == [["account_locked"], [], [], [], []]
    assert await _rules(engine, _event(actions.LOCKOUT, actor_id="a2")) == ["account_locked"]


@pytest.mark.redis
async def test_distributed_attack_raises_the_global_alert_once(engine: AlertEngine) -> None:
    fired: list[str] = []
    for index in range(GLOBAL_FAILURES + 50):
        event = _event(
            actions.LOGIN,
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
    custom = AlertEngine(engine.state, engine.dispatcher, rules=[rule])
    first = [len(await custom.evaluate(_event("x.fail"))) for _ in range(4)]
    await asyncio.sleep(1.2)  # the counting window expires; the burst goes on
    second = [len(await custom.evaluate(_event("x.fail"))) for _ in range(4)]
    assert (first, second) == ([0, 0, 1, 0], [0, 0, 0, 0])


@pytest.mark.redis
async def test_hourly_budget_per_rule_caps_alert_floods(engine: AlertEngine) -> None:
    capped = AlertEngine(engine.state, engine.dispatcher, max_per_hour=2)
    fired = [await _rules(capped, _event(actions.ROLES_CHANGE)) for _ in range(4)]
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
    from helio.auth import events

    assert (actions.LOGIN, actions.MFA, actions.LOCKOUT) == (
        events.LOGIN,
        events.MFA,
        events.LOCKOUT,
    )
    assert actions.REFRESH_REUSE == events.REFRESH_REUSE
    assert actions.TOKEN_ISSUED == events.TOKEN_ISSUED
