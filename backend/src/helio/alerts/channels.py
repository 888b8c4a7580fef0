"""How an alert is written for each kind of sink: Slack-compatible JSON, or a plain-text mail."""

from __future__ import annotations

from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from typing import Any

import httpx

from helio.alerts.rules import Alert
from helio.config import Settings
from helio.kit.clock import clock
from helio.security.outbound import OutboundPolicy

_COLOURS = {"critical": "#8b0000", "high": "#d00000", "medium": "#e69500"}


def webhook_policy(settings: Settings) -> OutboundPolicy:
    """Return what webhook sinks may reach: public hosts (or the allowlist), https in production.

    Args:
        settings: HELIO_ALERT_WEBHOOK_HOSTS / _PRIVATE_HOSTS / _PORTS.

    Returns:
        The outbound policy for saving and calling webhook URLs.
    """
    schemes = frozenset({"https"}) if settings.is_production else frozenset({"https", "http"})
    hosts = settings.alert_webhook_hosts
    return OutboundPolicy(
        allowed_schemes=schemes,
        allowed_ports=frozenset(settings.alert_webhook_ports),
        allowed_hosts=frozenset(hosts) if hosts else None,
        allow_private_hosts=frozenset(settings.alert_webhook_private_hosts),
        max_redirects=0,
        max_response_bytes=65_536,
        user_agent="Helio-Alerts/1",
    )


def _fields(alert: Alert) -> list[tuple[str, str]]:
    return [
        ("Rule", alert.rule),
        ("Severity", alert.severity),
        ("Subject", alert.subject),
        ("Events", str(alert.count)),
        ("Last event", f"{alert.action} #{alert.event_seq} at {alert.occurred_at}Z"),
        ("Actor", alert.actor_id or "-"),
        ("Client IP", alert.client_ip or "-"),
        ("Request id", alert.request_id or "-"),
    ]


def webhook_payload(alert: Alert) -> dict[str, Any]:
    """Return the Slack-compatible JSON body (`text`, plus an attachment with the fields)."""
    return {
        "text": alert.summary(),
        "attachments": [
            {
                "color": _COLOURS.get(alert.severity, "#808080"),
                "fields": [
                    {"title": title, "value": value, "short": len(value) < 40}
                    for title, value in _fields(alert)
                ],
                "footer": "Helio security alerts",
            }
        ],
    }


def alert_mail(alert: Alert, *, mail_from: str, to: str) -> EmailMessage:
    """Return the plain-text mail of an alert; header values cannot carry CR/LF."""
    message = EmailMessage()
    message["From"] = mail_from
    message["To"] = Address(addr_spec=to)
    message["Subject"] = f"[Helio security alert] {alert.title}"
    message["Date"] = format_datetime(clock.now())
    domain = mail_from.rpartition("@")[2].rstrip(">").strip() or "helio.localhost"
    message["Message-ID"] = make_msgid(domain=domain)
    message["Auto-Submitted"] = "auto-generated"
    lines = [alert.summary(), ""] + [f"{title}: {value}" for title, value in _fields(alert)]
    lines += ["", "Investigate in the staff console: Admin > Audit, filtered by the ids above."]
    message.set_content("\n".join(lines) + "\n")
    return message


def mask_target(kind: str, target: str) -> str:
    """Show a sink without its secret part (webhook URLs often embed a token)."""
    if kind != "webhook":
        return target
    try:
        url = httpx.URL(target)
    except (httpx.InvalidURL, UnicodeError):
        return "(invalid)"
    port = f":{url.port}" if url.port else ""
    return f"{url.scheme}://{url.host}{port}/…{target[-4:]}"
