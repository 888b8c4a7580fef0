"""Outputs of the operational views (no PII, no secrets)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from helio.kit.schemas import UtcTime


class HealthRead(BaseModel):
    """Dependencies as this replica sees them."""

    status: str
    checks: dict[str, str]
    alerts_pending: int  # alert evaluations and deliveries not yet taken by the worker; -1: unknown


class EndpointRead(BaseModel):
    """Where a backing service is, without credentials."""

    configured: bool
    scheme: str | None = None
    host: str | None = None
    port: int | None = None


class ConfigRead(BaseModel):
    """The effective configuration, secrets reduced to "is it set"."""

    env: str
    debug: bool
    docs_visible: bool
    public_url: str
    staff_url: str
    allowed_origins: list[str]
    trusted_proxies: list[str]
    secure_cookies: bool
    tls_terminated_upstream: bool
    max_body_bytes: int
    max_upload_bytes: int
    database: EndpointRead
    redis: EndpointRead
    smtp: EndpointRead
    key_provider: str
    kms_standin: bool
    secrets_set: dict[str, bool]
    audit_checkpoint_interval_seconds: int
    alert_webhook_hosts: list[str]
    alert_webhook_ports: list[int]
    production_problems: list[str]


class CheckpointRead(BaseModel):
    """The newest signed checkpoint."""

    seq: int
    head_hash: str
    key_id: str
    created_at: UtcTime
    signature_valid: bool | None


class AuditChainRead(BaseModel):
    """Length and head of the chain, its last checkpoint and verification."""

    length: int
    head_hash: str
    last_checkpoint: CheckpointRead | None
    last_verification: dict[str, Any] | None
    verification: dict[str, Any] | None = None


class AppConfigRead(BaseModel):
    """What a client app must know before signing in (public, no personal data)."""

    min_mobile_version: str


class DeadLetterRead(BaseModel):
    """A job that failed every attempt (never its arguments: they may hold personal data)."""

    key: str
    function: str
    attempts: int
    error: str
    failed_at: UtcTime


class WorkerRead(BaseModel):
    """The job queue as the API sees it: jobs waiting, and the dead letters, newest first."""

    available: bool  # False without Redis (a laptop without it): nothing can be read
    queued: int
    dead_letters: list[DeadLetterRead]
