"""Settings from HELIO_* variables; production refuses unsafe ones."""

from __future__ import annotations

import ipaddress
import math
from collections import Counter
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

Environment = Literal["development", "test", "production"]

DEFAULT_DATA_DIR = Path("var")
MIN_SECRET_LENGTH = 32
MIN_SECRET_ENTROPY_BITS = 128


class UnsafeConfiguration(RuntimeError):
    """The settings are not safe for the chosen environment."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("unsafe configuration:\n" + "\n".join(f"- {p}" for p in problems))


class Settings(BaseSettings):
    """Every tunable of the API, read from HELIO_* environment variables."""

    model_config = SettingsConfigDict(env_prefix="HELIO_", extra="ignore")

    env: Environment = "development"
    debug: bool = False
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)

    data_dir: Path = DEFAULT_DATA_DIR
    database_url: str = ""
    # The schema owner's URL for `helio migrate`; the app itself runs with database_url.
    migrate_database_url: str = ""
    redis_url: str | None = None
    smtp_url: str | None = None
    mail_from: str = "Helio <no-reply@helio.localhost>"
    mail_sink_port: int = Field(default=8025, ge=1, le=65535)
    # Empty: outside production, the origin where `helio serve` listens (host and port).
    public_url: str = ""
    staff_url: str = ""

    # Server-side secret for HMAC of CSRF tokens, PoW challenges and the like.
    # Empty means "generate into the keyring dir at first run" (development only).
    secret_key: str = ""
    ops_token: str = ""

    docs_enabled: bool | None = None
    cors_origins: Annotated[list[str], NoDecode] = Field(default_factory=list)
    trusted_proxies: Annotated[list[str], NoDecode] = Field(default_factory=list)
    cookie_secure: bool | None = None
    tls_terminated_upstream: bool = False
    max_body_bytes: int = Field(default=1_048_576, ge=1024)
    max_upload_bytes: int = Field(default=10_485_760, ge=1024)
    # The oldest mobile app release the API still serves; older apps show "update required".
    min_mobile_version: str = Field(default="1.0.0", pattern=r"^\d{1,4}\.\d{1,4}\.\d{1,4}$")

    key_provider: Literal["local", "aws-kms"] = "local"
    keyring_path: Path | None = None
    kms_key_id: str | None = None
    kms_region: str | None = None
    kms_standin: bool = False
    # Uploaded documents: a private directory under data_dir, or an S3 bucket.
    document_store: Literal["local", "s3"] = "local"
    document_dir: Path | None = None
    document_bucket: str | None = None
    document_region: str | None = None
    s3_standin: bool = False
    # The antivirus hook: clamd over TCP (host and port) or its Unix socket.
    clamd_host: str | None = None
    clamd_port: int = Field(default=3310, ge=1, le=65535)
    clamd_socket: Path | None = None
    clamd_timeout_seconds: float = Field(default=10.0, gt=0, le=120)
    # Days between account deletion (DELETE /me) and crypto-shredding; tests use 0.
    shred_grace_days: int = Field(default=30, ge=0, le=3650)

    # Payments (helio.payments): the provider, the webhook's HMAC secret (shared with the
    # provider; empty → derived from the server secret, development and tests only) and the
    # deposit asked when an order is placed, in percent of its price.
    # The `helio worker` process (helio.worker): parallel jobs, the heartbeat after which a
    # job of a dead worker is run again, how often stuck jobs are looked for, how often the
    # job outbox is relayed, and the port of its Prometheus metrics (none: not served).
    worker_concurrency: int = Field(default=4, ge=1, le=64)
    worker_heartbeat_seconds: int = Field(default=30, ge=1, le=3600)
    worker_sweep_seconds: int = Field(default=10, ge=1, le=3600)
    worker_relay_seconds: float = Field(default=0.5, gt=0, le=60)
    worker_metrics_port: int | None = Field(default=None, ge=1, le=65535)

    payment_provider: Literal["simulator"] = "simulator"
    payment_webhook_secret: str = ""
    deposit_pct: Decimal = Field(default=Decimal("10"), gt=0, le=100, decimal_places=2)

    # Audit trail and security alerts (helio.audit, helio.alerts).
    # Base64 32-byte Ed25519 seed; empty → a 0600 key file in the data dir.
    audit_signing_key: str = ""
    audit_checkpoint_interval_seconds: int = Field(default=3600, ge=10)
    # Webhook sinks: optional host allowlist, internal hosts allowed by name, ports.
    alert_webhook_hosts: Annotated[list[str], NoDecode] = Field(default_factory=list)
    alert_webhook_private_hosts: Annotated[list[str], NoDecode] = Field(default_factory=list)
    alert_webhook_ports: Annotated[list[int], NoDecode] = Field(default_factory=lambda: [443])
    # The daily self-audit (helio.selfaudit) probes this base URL; empty → HELIO_PUBLIC_URL.
    self_audit_base_url: str = ""
    # Rotation periods the self-audit judges key ages by: a key older than its period is due
    # (warn), one older than twice its period is overdue (fail).
    jwt_key_rotation_days: int = Field(default=90, ge=1, le=3650)
    audit_key_rotation_days: int = Field(default=365, ge=1, le=3650)
    data_key_rotation_days: int = Field(default=365, ge=1, le=3650)

    @field_validator(
        "alert_webhook_hosts", "alert_webhook_private_hosts", "alert_webhook_ports", mode="before"
    )
    @classmethod
    def _split_alert_csv(cls, value: object) -> object:
        if isinstance(value, str):
            return [item.strip() for item in value.split(",") if item.strip()]
        return value

    @field_validator("cors_origins", "trusted_proxies", mode="before")
    @classmethod
    def _split_csv(cls, value: object) -> object:
        if isinstance(value, str):
            return [item.strip() for item in value.split(",") if item.strip()]
        return value

    @field_validator("trusted_proxies")
    @classmethod
    def _valid_networks(cls, value: list[str]) -> list[str]:
        for item in value:
            ipaddress.ip_network(item, strict=False)
        return value

    @model_validator(mode="after")
    def _public_url_follows_the_served_address(self) -> Settings:
        # Production must name the https:// origin users reach; production_problems says so.
        if not self.public_url and not self.is_production:
            self.public_url = served_origin(self.host, self.port)
        return self

    @property
    def is_production(self) -> bool:
        """True in production."""
        return self.env == "production"

    @property
    def effective_database_url(self) -> str:
        """The database URL, defaulting to an SQLite file in the data dir."""
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{(self.data_dir / 'helio.db').as_posix()}"

    @property
    def migration_database_url(self) -> str:
        """The URL `helio migrate` uses: the migration user's when set, else the app's."""
        return self.migrate_database_url or self.effective_database_url

    @property
    def effective_document_dir(self) -> Path:
        """Where the local document store keeps files (never a served folder)."""
        return self.document_dir or self.data_dir / "documents"

    @property
    def effective_keyring_path(self) -> Path:
        """Where the local keyring file lives."""
        return self.keyring_path or self.data_dir / "keyring.json"

    @property
    def docs_visible(self) -> bool:
        """Whether /api/docs is served (never by default in production)."""
        return (not self.is_production) if self.docs_enabled is None else self.docs_enabled

    @property
    def secure_cookies(self) -> bool:
        """Secure cookies everywhere but a development laptop on plain http."""
        if self.cookie_secure is not None:
            return self.cookie_secure
        return self.env == "production" or self.public_url.startswith("https://")

    @property
    def allowed_origins(self) -> list[str]:
        """Origins allowed for CORS and for unsafe cookie requests (CSRF)."""
        origins = [self.public_url.rstrip("/"), *(o.rstrip("/") for o in self.cors_origins)]
        if self.staff_url:
            origins.append(self.staff_url.rstrip("/"))
        return list(dict.fromkeys(origins))

    def production_problems(self) -> list[str]:
        """List every reason this configuration is unsafe for production."""
        problems: list[str] = []
        problems += _secret_problems("HELIO_SECRET_KEY", self.secret_key)
        problems += _secret_problems("HELIO_OPS_TOKEN", self.ops_token)
        problems += _secret_problems("HELIO_PAYMENT_WEBHOOK_SECRET", self.payment_webhook_secret)
        if self.debug:
            problems.append("HELIO_DEBUG is on")
        if self.docs_enabled:
            problems.append("HELIO_DOCS_ENABLED exposes the API docs")
        for origin in self.cors_origins:
            if "*" in origin:
                problems.append(f"wildcard CORS origin {origin!r}")
            elif not origin.startswith("https://"):
                problems.append(f"CORS origin {origin!r} is not https://")
        if not self.public_url:
            problems.append("HELIO_PUBLIC_URL is not set: name the https:// origin users reach")
        elif not self.public_url.startswith("https://"):
            problems.append("HELIO_PUBLIC_URL is not https://")
        if self.effective_database_url.startswith("sqlite"):
            problems.append("the database is SQLite; set HELIO_DATABASE_URL to MySQL")
        else:
            problems += _database_credential_problems(self.effective_database_url)
        if not self.redis_url:
            problems.append("no HELIO_REDIS_URL: security state would live in one process")
        if self.cookie_secure is False:
            problems.append("HELIO_COOKIE_SECURE is off")
        if not self.trusted_proxies and not self.tls_terminated_upstream:
            problems.append(
                "no HELIO_TRUSTED_PROXIES (or HELIO_TLS_TERMINATED_UPSTREAM): "
                "client addresses and TLS termination are unknown"
            )
        if not self.smtp_url:
            problems.append("no HELIO_SMTP_URL: mail would go to the local sink")
        if not self.audit_signing_key:
            problems.append(
                "no HELIO_AUDIT_SIGNING_KEY: audit checkpoints would be signed by a pod-local key"
            )
        if self.key_provider == "aws-kms" and not (self.kms_key_id and self.kms_region):
            problems.append(
                "HELIO_KEY_PROVIDER=aws-kms needs HELIO_KMS_KEY_ID and HELIO_KMS_REGION"
            )
        if self.s3_standin:
            problems.append("HELIO_S3_STANDIN is set; use a real S3 bucket")
        if self.document_store == "s3" and not self.document_bucket:
            problems.append("HELIO_DOCUMENT_STORE=s3 needs HELIO_DOCUMENT_BUCKET")
        if self.key_provider == "aws-kms" and self.kms_standin:
            problems.append("HELIO_KMS_STANDIN replaces AWS KMS with a stand-in")
        return problems

    def assert_safe(self) -> None:
        """Raise UnsafeConfiguration listing every problem when production settings are unsafe.

        Raises:
            UnsafeConfiguration: in production, with all problems at once.
        """
        if self.is_production:
            problems = self.production_problems()
            if problems:
                raise UnsafeConfiguration(problems)


def served_origin(host: str, port: int) -> str:
    """Return the http:// origin a browser uses for a server bound to host:port."""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return f"http://{host or '127.0.0.1'}:{port}"  # a name, such as localhost
    if address.is_unspecified:  # bound to every interface: the loopback one is sure
        return f"http://127.0.0.1:{port}"
    return f"http://[{address}]:{port}" if address.version == 6 else f"http://{address}:{port}"


def _database_credential_problems(url: str) -> list[str]:
    """Refuse the administrator account and default (empty) passwords for the app's database."""
    parsed = urlsplit(url)
    problems = []
    if (parsed.username or "").lower() in {"", "root", "admin", "mysql"}:
        problems.append("HELIO_DATABASE_URL uses no or an administrator account (root)")
    if not parsed.password:
        problems.append("HELIO_DATABASE_URL has an empty password")
    return problems


_WEAK_WORDS = ("changeme", "secret", "password", "default", "example", "helio", "test")


def _secret_problems(name: str, value: str) -> list[str]:
    if not value:
        return [f"{name} is not set"]
    lowered = value.lower()
    if any(word in lowered for word in _WEAK_WORDS):
        return [f"{name} looks like a default or placeholder value"]
    if len(value) < MIN_SECRET_LENGTH:
        return [f"{name} is shorter than {MIN_SECRET_LENGTH} characters"]
    if _entropy_bits(value) < MIN_SECRET_ENTROPY_BITS:
        return [f"{name} has too little entropy (generate one: secrets.token_urlsafe(48))"]
    return []


def _entropy_bits(value: str) -> float:
    """Shannon estimate of the entropy of a string, in bits (a floor against weak secrets)."""
    counts = Counter(value)
    per_char = -sum((n / len(value)) * math.log2(n / len(value)) for n in counts.values())
    return per_char * len(value)


@lru_cache
def get_settings() -> Settings:
    """Return the process settings (read once)."""
    return Settings()
