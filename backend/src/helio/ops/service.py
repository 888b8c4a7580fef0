"""Operational views for engineers and admins: health, configuration, the audit chain."""

from __future__ import annotations

import asyncio
import hmac
from datetime import UTC, datetime
from urllib.parse import urlsplit

from prometheus_client import generate_latest
from sqlalchemy.engine import make_url

from helio.audit import repository as audit_repository
from helio.audit.checkpoints import checkpoint_is_valid, verification_keys
from helio.audit.monitor import last_verification, run_verification
from helio.errors import RateLimited, Unauthenticated
from helio.metrics import AUDIT_CHAIN_LENGTH, AUDIT_VERIFY_OK, AUDIT_VERIFY_TIME, REGISTRY
from helio.ops.schemas import (
    AppConfigRead,
    AuditChainRead,
    CheckpointRead,
    ConfigRead,
    DeadLetterRead,
    EndpointRead,
    HealthRead,
    WorkerRead,
)
from helio.platform.context import Ctx
from helio.state.jobs import DeadLetters, build_queue

VERIFY_MAX_SECONDS = 20.0
VERIFY_RATE = "3/minute"  # a walk costs seconds of database time; one at a time is plenty


async def readiness(ctx: Ctx) -> tuple[bool, dict[str, str]]:
    """Tell whether the database and the shared state answer, and each one's check."""
    checks = {
        "database": "ok" if await ctx.app.db.ping() else "down",
        "state": "ok" if await ctx.app.state.ping() else "down",
    }
    return all(v == "ok" for v in checks.values()), checks


async def health(ctx: Ctx) -> HealthRead:
    """Check the database, the shared state and the alert backlog (deliveries not yet relayed)."""
    _, checks = await readiness(ctx)
    deliveries = ctx.app.alerts.deliveries
    pending = await deliveries.waiting() if checks["database"] == "ok" else -1
    status = "ok" if all(value == "ok" for value in checks.values()) else "degraded"
    return HealthRead(status=status, checks=checks, alerts_pending=pending)


async def worker(ctx: Ctx, *, limit: int = 100) -> WorkerRead:
    """Read the job queue's depth and its dead letters (newest first, at most `limit`)."""
    url = ctx.app.settings.redis_url
    if not url:
        return WorkerRead(available=False, queued=0, dead_letters=[])
    queue, dead = build_queue(url), DeadLetters.from_url(url)
    try:
        queued = await queue.count("queued")
        letters = await dead.list(limit)
    finally:
        await dead.close()
        await queue.disconnect()
    return WorkerRead(
        available=True,
        queued=queued,
        dead_letters=[
            DeadLetterRead(
                key=letter.key,
                function=letter.function,
                attempts=letter.attempts,
                error=letter.error,
                failed_at=datetime.fromtimestamp(letter.failed_at, tz=UTC),
            )
            for letter in letters
        ],
    )


def _endpoint(url: str | None) -> EndpointRead:
    if not url:
        return EndpointRead(configured=False)
    parts = urlsplit(url)
    return EndpointRead(configured=True, scheme=parts.scheme, host=parts.hostname, port=parts.port)


def _database(url: str) -> EndpointRead:
    parsed = make_url(url)
    host = parsed.host if parsed.host else None
    return EndpointRead(
        configured=True, scheme=parsed.get_backend_name(), host=host, port=parsed.port
    )


def app_config(ctx: Ctx) -> AppConfigRead:
    """The public settings a client app checks at start (the minimum mobile version)."""
    return AppConfigRead(min_mobile_version=ctx.app.settings.min_mobile_version)


def config_summary(ctx: Ctx) -> ConfigRead:
    """Summarise the configuration: hosts and switches, never passwords, tokens or keys."""
    settings = ctx.app.settings
    return ConfigRead(
        env=settings.env,
        debug=settings.debug,
        docs_visible=settings.docs_visible,
        public_url=settings.public_url,
        staff_url=settings.staff_url,
        allowed_origins=settings.allowed_origins,
        trusted_proxies=settings.trusted_proxies,
        secure_cookies=settings.secure_cookies,
        tls_terminated_upstream=settings.tls_terminated_upstream,
        max_body_bytes=settings.max_body_bytes,
        max_upload_bytes=settings.max_upload_bytes,
        database=_database(settings.effective_database_url),
        redis=_endpoint(settings.redis_url),
        smtp=_endpoint(settings.smtp_url),
        key_provider=settings.key_provider,
        kms_standin=settings.kms_standin,
        secrets_set={
            "secret_key": bool(settings.secret_key),
            "ops_token": bool(settings.ops_token),
            "audit_signing_key": bool(settings.audit_signing_key),
        },
        audit_checkpoint_interval_seconds=settings.audit_checkpoint_interval_seconds,
        alert_webhook_hosts=settings.alert_webhook_hosts,
        alert_webhook_ports=settings.alert_webhook_ports,
        production_problems=settings.production_problems(),
    )


async def audit_chain(ctx: Ctx, *, verify: bool) -> AuditChainRead:
    """Describe the chain; with `verify`, walk it now (bounded in time) and report the result.

    Raises:
        RateLimited: more than VERIFY_RATE walks across all callers.
    """
    verification = None
    if verify:
        app = ctx.app
        allowed, retry_after = await app.limiter.hit(VERIFY_RATE, "audit-verify")
        if not allowed:
            raise RateLimited(retry_after)
        # One walk inside the API process: parallel walks start processes that each load
        # the application, which belongs in `helio audit verify` and the CronJob, not in a
        # web pod sized for requests.
        result = await run_verification(
            app.settings, app.db, app.state, max_seconds=VERIFY_MAX_SECONDS, workers=1
        )
        verification = result.to_dict()
    async with ctx.app.db.transaction() as session:
        length, head_hash = await audit_repository.read_head(session)
        checkpoint = await audit_repository.last_checkpoint(session)
    AUDIT_CHAIN_LENGTH.set(length)
    last = None
    if checkpoint is not None:
        keys = await asyncio.to_thread(verification_keys, ctx.app.settings)
        key = keys.get(checkpoint.key_id)
        last = CheckpointRead(
            seq=checkpoint.seq,
            head_hash=checkpoint.head_hash,
            key_id=checkpoint.key_id,
            created_at=checkpoint.created_at,
            signature_valid=None if key is None else checkpoint_is_valid(checkpoint, key),
        )
    return AuditChainRead(
        length=length,
        head_hash=head_hash,
        last_checkpoint=last,
        last_verification=await last_verification(ctx.app.state),
        verification=verification,
    )


async def refresh_gauges(ctx: Ctx) -> None:
    """Update gauges that are read from the database at scrape time."""
    async with ctx.app.db.transaction() as session:
        length, _ = await audit_repository.read_head(session)
    AUDIT_CHAIN_LENGTH.set(length)
    last = await last_verification(ctx.app.state)
    if last is not None:  # possibly run by another process (the CLI, a cron job)
        AUDIT_VERIFY_OK.set(1 if last.get("ok") else 0)
        AUDIT_VERIFY_TIME.set(datetime.fromisoformat(last["at"]).timestamp())


async def metrics(ctx: Ctx, *, authorization: str | None) -> bytes:
    """Return the Prometheus exposition to a caller holding the ops token.

    Raises:
        Unauthenticated: no token configured, or a missing or wrong bearer token.
    """
    if not ops_token_matches(authorization, ctx.app.settings.ops_token):
        raise Unauthenticated(headers={"WWW-Authenticate": 'Bearer realm="metrics"'})
    await refresh_gauges(ctx)
    return generate_latest(REGISTRY)


def ops_token_matches(header: str | None, ops_token: str) -> bool:
    """Tell whether an Authorization header carries the ops token.

    Args:
        header: the request's Authorization header.
        ops_token: the configured token; empty means nobody may read metrics.

    Returns:
        True only for "Bearer <ops_token>", compared in constant time.
    """
    if not ops_token or not header:
        return False
    scheme, _, presented = header.partition(" ")
    if scheme.lower() != "bearer":
        return False
    return hmac.compare_digest(presented.strip().encode(), ops_token.encode())
