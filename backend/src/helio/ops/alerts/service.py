"""Read and replace where alerts go; webhook URLs pass the SSRF checks when saved."""

from __future__ import annotations

from collections.abc import Sequence

import httpx
from email_validator import EmailNotValidError, validate_email
from sqlalchemy.ext.asyncio import AsyncSession

from helio import audit
from helio.alerts import repository
from helio.alerts.channels import mask_target, webhook_policy
from helio.audit import AuditAction, Target
from helio.config import Settings
from helio.errors import ValidationFailed
from helio.models import AlertSink
from helio.ops.alerts.schemas import SinkListRead, SinkListUpdate, SinkRead, SinkUpdate
from helio.platform.context import Ctx
from helio.security.netcheck import (
    DEFAULT_PORTS,
    OutboundError,
    Resolver,
    resolve_pinned,
    system_resolver,
    validate_url,
)


def _read(sink: AlertSink) -> SinkRead:
    return SinkRead(
        id=sink.id,
        kind="mail" if sink.kind == "mail" else "webhook",
        target=mask_target(sink.kind, sink.target),
        enabled=sink.enabled,
        created_at=sink.created_at,
    )


async def list_sinks(session: AsyncSession, ctx: Ctx) -> SinkListRead:
    """Return every sink, webhook URLs masked."""
    return SinkListRead(items=[_read(sink) for sink in await repository.all_sinks(session)])


async def replace_sinks(
    session: AsyncSession,
    ctx: Ctx,
    *,
    body: SinkListUpdate,
    resolver: Resolver | None = None,
) -> SinkListRead:
    """Make `body` the complete list of sinks; the change is audited without the targets.

    Raises:
        ValidationFailed: an unknown sink id, a malformed mail address, or a
            webhook host that does not resolve.
        OutboundRefused: a webhook URL the outbound policy refuses (private,
            loopback, metadata addresses, other schemes or ports).
    """
    existing = {sink.id: sink for sink in await repository.all_sinks(session)}
    kept: set[str] = set()
    added: list[AlertSink] = []
    for item in body.sinks:
        if item.id is not None:
            kept.add(_keep(existing, item))
        else:
            added.append(await _new_sink(item, ctx.app.settings, resolver or system_resolver))
    removed = [sink_id for sink_id in existing if sink_id not in kept]
    await repository.delete_sinks(session, removed)
    for sink in added:
        repository.add_sink(session, sink)
    await session.flush()
    await audit.record(
        session,
        ctx,
        AuditAction.ALERT_SINKS_UPDATED,
        target=Target("alert_sinks"),
        details={"added": _kinds(added), "removed": len(removed), "kept": len(kept)},
    )
    return await list_sinks(session, ctx)


def _keep(existing: dict[str, AlertSink], item: SinkUpdate) -> str:
    sink = existing.get(item.id or "")
    if sink is None:
        raise ValidationFailed("Unknown sink id.", fields={"sinks": "unknown sink id"})
    sink.enabled = item.enabled
    return sink.id


async def _new_sink(item: SinkUpdate, settings: Settings, resolver: Resolver) -> AlertSink:
    target = item.target or ""
    if item.kind == "mail":
        try:
            address = validate_email(target, check_deliverability=False).normalized
        except EmailNotValidError:
            raise ValidationFailed(fields={"sinks": "not a valid mail address"}) from None
        return AlertSink(kind="mail", target=address, enabled=item.enabled)
    return AlertSink(
        kind="webhook", target=await _check_webhook_url(target, settings, resolver),
        enabled=item.enabled,
    )  # fmt: skip


async def _check_webhook_url(url: str, settings: Settings, resolver: Resolver) -> str:
    """Check a webhook URL against the outbound policy, resolving its host once.

    Args:
        url: the URL an admin entered.
        settings: the webhook policy settings.
        resolver: the DNS resolver (the system's unless testing).

    Returns:
        The normalised URL to store.

    Raises:
        OutboundRefused: the URL or an address it resolves to is not allowed.
        ValidationFailed: the host does not resolve.
    """
    policy = webhook_policy(settings)
    parsed: httpx.URL = validate_url(url, policy)
    port = parsed.port or DEFAULT_PORTS[parsed.scheme]
    try:
        await resolve_pinned(parsed.raw_host.decode("ascii"), port, policy, resolver)
    except OutboundError:
        raise ValidationFailed(fields={"sinks": "the webhook host does not resolve"}) from None
    return str(parsed)


def _kinds(sinks: Sequence[AlertSink]) -> list[str]:
    return sorted(sink.kind for sink in sinks)
