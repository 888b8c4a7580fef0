"""Operational views: health, a configuration summary without secrets, the audit chain."""

from __future__ import annotations

import base64
from dataclasses import replace

import pytest
from sqlalchemy import select
from tests.factories.accounts import ctx
from tests.factories.audit import append, execute, isolated

from helio.audit.actions import AuditAction
from helio.audit.checkpoints import create_checkpoint, load_signing_keys
from helio.errors import RateLimited
from helio.models import AuditEvent
from helio.ops import service
from helio.platform.app import App

SECRETS = {
    "secret_key": "S3cretKeyValue-" + "q" * 30,
    "ops_token": "OpsTokenValue-" + "w" * 30,
    "audit_signing_key": base64.b64encode(b"k" * 32).decode(),
    "smtp_url": "smtps://mailer:SmtpPassw0rd@mail.example.org:465",
    "database_url": "mysql+asyncmy://helio_app:DbPassw0rd@db.internal:3306/helio",
    "redis_url": "redis://:RedisPassw0rd@redis.internal:6379/0",
}


def test_config_summary_shows_hosts_never_secrets(clean: App) -> None:
    settings = clean.settings.model_copy(update=SECRETS)
    summary = service.config_summary(ctx(replace(clean, settings=settings))).model_dump_json()
    for leaked in (
        "S3cretKeyValue",
        "OpsTokenValue",
        "SmtpPassw0rd",
        "DbPassw0rd",
        "RedisPassw0rd",
    ):
        assert leaked not in summary
    assert SECRETS["audit_signing_key"] not in summary
    config = service.config_summary(ctx(replace(clean, settings=settings)))
    assert (config.database.scheme, config.database.host) == ("mysql", "db.internal")
    assert (config.smtp.host, config.smtp.port, config.redis.host) == (
        "mail.example.org",
        465,
        "redis.internal",
    )
    assert config.secrets_set == {"secret_key": True, "ops_token": True, "audit_signing_key": True}


async def test_health_reports_dependencies_and_alert_backlog(clean: App) -> None:
    health = await service.health(ctx(clean))
    assert health.status == "ok"
    assert health.checks == {"database": "ok", "state": "ok"}
    assert health.alerts_pending == 0


async def test_audit_chain_view_shows_head_and_signed_checkpoint(clean: App) -> None:
    isolated(clean)
    await append(clean.db, 4)
    await create_checkpoint(clean.db, load_signing_keys(clean.settings))
    view = await service.audit_chain(ctx(clean), verify=False)
    assert view.length == 4
    assert len(view.head_hash) == 64
    assert view.last_checkpoint is not None
    assert (view.last_checkpoint.seq, view.last_checkpoint.signature_valid) == (4, True)
    assert view.verification is None


@pytest.mark.asvs("V16.4.2")
async def test_audit_chain_view_reports_a_break_and_records_it(clean: App) -> None:
    await append(clean.db, 6)
    ok = await service.audit_chain(ctx(clean), verify=True)
    assert ok.verification is not None
    assert ok.verification["ok"] is True
    await execute(clean.db, "DELETE FROM audit_events WHERE seq = 3")
    broken = await service.audit_chain(ctx(clean), verify=True)
    assert broken.verification is not None
    assert broken.verification["ok"] is False
    assert broken.verification["broken"]["kind"] == "deleted"
    assert broken.verification["broken"]["seq"] == 3
    assert broken.last_verification is not None
    assert broken.last_verification["ok"] is False
    async with clean.db.transaction() as session:
        stmt = select(AuditEvent).where(AuditEvent.action == AuditAction.AUDIT_VERIFIED)
        event = (await session.execute(stmt)).scalars().one()
    assert (event.outcome, event.details) == ("failure", {"kind": "deleted", "seq": 3})


@pytest.mark.asvs("V2.4.1")
async def test_on_demand_verification_is_rate_limited(clean: App) -> None:
    for _ in range(int(service.VERIFY_RATE.split("/")[0])):
        await service.audit_chain(ctx(clean), verify=True)
    with pytest.raises(RateLimited):
        await service.audit_chain(ctx(clean), verify=True)
    assert (await service.audit_chain(ctx(clean), verify=False)).verification is None
