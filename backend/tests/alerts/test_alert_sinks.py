"""Alert sinks: webhook URLs pass the SSRF checks when saved; secrets are masked; audited."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import pytest
from pydantic import ValidationError
from sqlalchemy import select
from tests.factories.accounts import admin_access, ctx

from helio.alerts.channels import mask_target, webhook_policy
from helio.authz.matrix import Perm
from helio.config import Settings
from helio.errors import ValidationFailed
from helio.models import AuditEvent
from helio.ops.alerts.schemas import SinkListRead, SinkListUpdate
from helio.ops.alerts.service import list_sinks, replace_sinks
from helio.platform.app import App
from helio.security.outbound import OutboundRefused

ADMIN = admin_access(Perm.ALERTS_MANAGE)
SLACK = "https://hooks.slack.com/services/T000/B000/XXXXsecretXXXX"


async def public_dns(host: str, port: int) -> Sequence[str]:
    """A resolver for tests: names resolve to a public documentation-free address or loopback."""
    return {"hooks.slack.com": ["18.160.10.5"], "rebind.example": ["127.0.0.1"]}[host]


async def _replace(
    app_state: App, sinks: list[dict[str, Any]], settings: Settings | None = None
) -> SinkListRead:
    body = SinkListUpdate.model_validate({"sinks": sinks})
    admin = ctx(replace(app_state, settings=settings or app_state.settings), ADMIN)
    async with app_state.db.transaction() as session:
        return await replace_sinks(session, admin, body=body, resolver=public_dns)


async def test_sinks_are_saved_masked_and_audited_without_targets(clean: App) -> None:
    saved = await _replace(
        clean, [{"kind": "webhook", "target": SLACK}, {"kind": "mail", "target": "SOC@Example.com"}]
    )
    targets = sorted((item.kind, item.target) for item in saved.items)
    assert targets == [("mail", "SOC@example.com"), ("webhook", "https://hooks.slack.com/…XXXX")]
    async with clean.db.transaction() as session:
        event = (await session.execute(select(AuditEvent))).scalars().one()
        assert (await list_sinks(session, ctx(clean, ADMIN))) == saved
    assert (event.action, event.actor_id) == ("alert.sinks_updated", ADMIN.user_id)
    assert event.details == {"added": ["mail", "webhook"], "removed": 0, "kept": 0}
    assert "secret" not in str(event.details)


async def test_sinks_are_kept_by_id_toggled_and_removed(clean: App) -> None:
    saved = await _replace(
        clean, [{"kind": "webhook", "target": SLACK}, {"kind": "mail", "target": "a@b.example"}]
    )
    webhook = next(item for item in saved.items if item.kind == "webhook")
    after = await _replace(clean, [{"id": webhook.id, "enabled": False}])
    assert [(item.id, item.enabled) for item in after.items] == [(webhook.id, False)]
    with pytest.raises(ValidationFailed):
        await _replace(clean, [{"id": "0" * 32}])


@pytest.mark.asvs("V13.2.4", "V1.3.6")
@pytest.mark.parametrize(
    "url",
    [
        "http://169.254.169.254/latest/meta-data/",
        "http://[fd00:ec2::254]/",
        "http://127.0.0.1/hook",
        "http://2130706433/hook",
        "http://0177.0.0.1/hook",
        "http://[::ffff:127.0.0.1]/hook",
        "http://10.0.0.5/hook",
        "http://rebind.example/hook",
        "https://hooks.slack.com:8443/hook",
        "ftp://hooks.slack.com/hook",
        "https://user:pass@hooks.slack.com/hook",
    ],
)
async def test_unsafe_webhook_urls_are_refused_at_save_time(clean: App, url: str) -> None:
    with pytest.raises(OutboundRefused):
        await _replace(clean, [{"kind": "webhook", "target": url}])
    async with clean.db.transaction() as session:
        assert (await list_sinks(session, ctx(clean, ADMIN))).items == []


@pytest.mark.asvs("V13.2.4")
async def test_allowlist_and_production_https_only(clean: App) -> None:
    listed = clean.settings.model_copy(update={"alert_webhook_hosts": ["alerts.example.org"]})
    with pytest.raises(OutboundRefused):
        await _replace(clean, [{"kind": "webhook", "target": SLACK}], listed)
    production = webhook_policy(clean.settings.model_copy(update={"env": "production"}))
    assert production.allowed_schemes == frozenset({"https"})
    assert production.max_redirects == 0


@pytest.mark.parametrize(
    "item",
    [
        {"kind": "mail", "target": "not an address"},
        {"kind": "mail", "target": "a@b.example, x@evil.example"},
    ],
)
async def test_bad_mail_targets_are_refused(clean: App, item: dict[str, str]) -> None:
    with pytest.raises(ValidationFailed):
        await _replace(clean, [item])


@pytest.mark.parametrize(
    "body",
    [
        {"sinks": [{"kind": "sms", "target": "+15550100"}]},
        {"sinks": [{"id": "a" * 32, "kind": "mail", "target": "a@b.example"}]},
        {"sinks": [{"enabled": True}]},
        {"sinks": [{"kind": "mail", "target": "a@b.example", "owner": "x"}]},
        {"sinks": [{"kind": "mail", "target": "a@b.example"}] * 21},
        # A target is one line: a CR LF (header injection) is refused by its type.
        {"sinks": [{"kind": "mail", "target": "a@b.example\r\nBcc: x@evil.example"}]},
    ],
)
def test_malformed_updates_are_refused(body: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        SinkListUpdate.model_validate(body)


def test_masking_hides_the_url_secret() -> None:
    assert mask_target("webhook", SLACK) == "https://hooks.slack.com/…XXXX"
    assert (
        mask_target("webhook", "http://x.example:8080/a/b/tok1234") == "http://x.example:8080/…1234"
    )
    assert mask_target("mail", "soc@example.com") == "soc@example.com"
