"""The alert rules: which audit events, counted per what, how many, how often.

A rule fires when the count of matching events for one key reaches its
threshold inside the window (once per window), and then stays quiet for that
key for `quiet_seconds`, so a long attack raises one alert, not hundreds.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from helio.audit.actions import SIGN_IN_ACTIONS, AuditAction, Outcome
from helio.audit.hooks import AuditRecord
from helio.authz.matrix import STAFF_ROLES

# Thresholds and windows; tests and docs read them from here.
ACCOUNT_FAILURES, ACCOUNT_WINDOW = 10, 600
IP_FAILURES, IP_WINDOW = 20, 300
GLOBAL_FAILURES, GLOBAL_WINDOW = 200, 300
MAX_ALERTS_PER_RULE_PER_HOUR = 30

_FAILED = frozenset({Outcome.FAILURE, Outcome.DENIED})
_STAFF = frozenset(str(role) for role in STAFF_ROLES)


@dataclass(frozen=True)
class Rule:
    """One alert rule."""

    name: str
    title: str
    severity: str  # "medium" | "high" | "critical"
    matches: Callable[[AuditRecord], bool]
    key: Callable[[AuditRecord], str | None]
    threshold: int = 1
    window_seconds: int = 300
    quiet_seconds: int = 900


@dataclass(frozen=True)
class Alert:
    """A fired rule, as queued for delivery (ids and addresses only, never PII)."""

    rule: str
    title: str
    severity: str
    subject: str
    count: int
    window_seconds: int
    event_id: str
    event_seq: int
    action: str
    occurred_at: str
    actor_id: str | None
    client_ip: str | None
    request_id: str | None

    def to_dict(self) -> dict[str, Any]:
        """Return the alert as job arguments (JSON)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, fields: dict[str, Any]) -> Alert:
        """Return the alert of job arguments."""
        return cls(**fields)

    def summary(self) -> str:
        """Return the one-line text of the alert."""
        burst = f" — {self.count} in {self.window_seconds // 60} min" if self.count > 1 else ""
        return f"[{self.severity.upper()}] {self.title}: {self.subject}{burst}"


def _failed_login(event: AuditRecord) -> bool:
    return event.action in SIGN_IN_ACTIONS and event.outcome in _FAILED


def _account(event: AuditRecord) -> str | None:
    if event.actor_id:
        return f"account {event.actor_id}"
    if event.resource_type in {"user", "account"} and event.resource_id:
        return f"account {event.resource_id}"
    return None


def _staff_new_device(event: AuditRecord) -> bool:
    details = event.details or {}
    staff = details.get("account") == "staff" or bool(event.roles & _STAFF)
    return (
        event.action in SIGN_IN_ACTIONS
        and event.outcome == Outcome.SUCCESS
        and details.get("new_device") is True
        and staff
    )


def _is(action: AuditAction, *outcomes: Outcome) -> Callable[[AuditRecord], bool]:
    wanted = frozenset(outcomes or (Outcome.SUCCESS,))
    return lambda event: event.action == action and event.outcome in wanted


def _each(event: AuditRecord) -> str:
    return f"event {event.id}"


# fmt: off
RULES: tuple[Rule, ...] = (
    Rule("login_failures_account", "Burst of failed logins on one account", "high",
         _failed_login, _account, ACCOUNT_FAILURES, ACCOUNT_WINDOW, 1800),
    Rule("login_failures_ip", "Burst of failed logins from one address", "high",
         _failed_login, lambda e: f"ip {e.client_ip}" if e.client_ip else None,
         IP_FAILURES, IP_WINDOW, 1800),
    Rule("login_failures_global", "Burst of failed logins across the service", "critical",
         _failed_login, lambda e: "all accounts", GLOBAL_FAILURES, GLOBAL_WINDOW, 1800),
    Rule("account_locked", "Account locked after repeated failures", "medium",
         _is(AuditAction.AUTH_ACCOUNT_LOCKED), _account, quiet_seconds=3600),
    Rule("refresh_token_reuse", "Refresh token reused: token family revoked", "high",
         _is(AuditAction.AUTH_REFRESH_TOKEN_REUSED, Outcome.SUCCESS, *_FAILED),
         lambda e: _account(e) or _each(e)),
    Rule("break_glass_use", "Just-in-time (break-glass) grant used", "high",
         _is(AuditAction.GRANT_USED), lambda e: f"grant {e.resource_id or e.id}",
         quiet_seconds=3600),
    Rule("grant_approved", "Just-in-time access grant approved", "medium",
         _is(AuditAction.GRANT_APPROVED), _each),
    Rule("role_change", "Staff roles changed", "high", _is(AuditAction.STAFF_ROLES_CHANGED), _each),
    Rule("staff_new_device", "Staff sign-in from a new device", "medium",
         _staff_new_device, _each),
    Rule("audit_chain_broken", "Audit chain verification failed", "critical",
         _is(AuditAction.AUDIT_VERIFIED, Outcome.FAILURE), lambda e: "audit chain",
         quiet_seconds=3600),
    Rule("self_audit_regression", "Self-audit check regressed to fail", "high",
         _is(AuditAction.SELF_AUDIT_CHECK_REGRESSED),
         lambda e: f"check {e.resource_id}" if e.resource_id else _each(e),
         quiet_seconds=3600),
)
# fmt: on
