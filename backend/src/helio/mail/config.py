"""Where mail goes: HELIO_SMTP_URL parsed into an SMTP configuration.

`smtps://user:pass@host[:465]` uses implicit TLS; `smtp://user:pass@host[:587]`
requires STARTTLS, except towards a loopback address (the local sink, a
sidecar relay) where STARTTLS is used only if offered. Certificates are always
verified. Without HELIO_SMTP_URL, development mail goes to the local sink
(`helio serve --mail-sink` or `python -m helio.mail.sink`) on 127.0.0.1 at
HELIO_MAIL_SINK_PORT (8025 by default), and tests keep it in memory unless
they start an SMTP server; production refuses to start without a URL.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import unquote, urlsplit

from helio.config import Settings

TlsMode = Literal["implicit", "starttls", "opportunistic"]
SINK_HOST = "127.0.0.1"
DEFAULT_TIMEOUT_SECONDS = 10.0


@dataclass(frozen=True)
class SmtpConfig:
    """How to reach the SMTP server."""

    host: str
    port: int
    tls: TlsMode
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    timeout: float = DEFAULT_TIMEOUT_SECONDS


def is_loopback(host: str) -> bool:
    """True for localhost and loopback addresses."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def parse_smtp_url(url: str) -> SmtpConfig:
    """Parse `smtp://` or `smtps://` URLs (credentials percent-encoded).

    Raises:
        ValueError: another scheme, no host, or a bad port.
    """
    parts = urlsplit(url)
    if parts.scheme not in {"smtp", "smtps"} or not parts.hostname:
        raise ValueError("HELIO_SMTP_URL must look like smtp://host:port or smtps://host:port")
    implicit = parts.scheme == "smtps"
    port = parts.port or (465 if implicit else 587)
    tls: TlsMode = "implicit" if implicit else "starttls"
    if not implicit and is_loopback(parts.hostname):
        tls = "opportunistic"
    return SmtpConfig(
        host=parts.hostname,
        port=port,
        tls=tls,
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
    )


def smtp_config(settings: Settings) -> SmtpConfig | None:
    """Return the SMTP configuration of these settings; None means "keep mail in memory"."""
    if settings.smtp_url:
        return parse_smtp_url(settings.smtp_url)
    if settings.env == "test":
        return None
    return SmtpConfig(host=SINK_HOST, port=settings.mail_sink_port, tls="opportunistic")


def uses_local_sink(settings: Settings) -> bool:
    """True when this configuration sends its mail to the local development sink."""
    return settings.env == "development" and not settings.smtp_url
