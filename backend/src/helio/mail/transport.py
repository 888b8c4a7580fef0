"""Deliver one message: over SMTP with aiosmtplib, or into memory for tests without a server."""

from __future__ import annotations

import ssl
from email.message import EmailMessage
from typing import Protocol

import aiosmtplib

from helio.mail.config import SmtpConfig, TlsMode

# aiosmtplib: True = STARTTLS required, None = if the server offers it, False = never.
_START_TLS: dict[TlsMode, bool | None] = {
    "implicit": False,
    "starttls": True,
    "opportunistic": None,
}


class Transport(Protocol):
    """Something that delivers a message or raises."""

    async def deliver(self, message: EmailMessage) -> None:
        """Send one message."""
        ...


class SmtpTransport:
    """SMTP with implicit TLS, required STARTTLS or (loopback only) opportunistic STARTTLS."""

    def __init__(self, config: SmtpConfig, *, tls_context: ssl.SSLContext | None = None) -> None:
        self.config = config
        self.tls_context = tls_context or ssl.create_default_context()

    async def deliver(self, message: EmailMessage) -> None:
        """Send one message.

        Raises:
            aiosmtplib.SMTPException: connection, TLS, authentication or refusal errors.
        """
        config = self.config
        await aiosmtplib.send(
            message,
            hostname=config.host,
            port=config.port,
            username=config.username,
            password=config.password,
            use_tls=config.tls == "implicit",
            start_tls=_START_TLS[config.tls],
            tls_context=self.tls_context,
            validate_certs=True,
            timeout=config.timeout,
        )


class MemoryTransport:
    """Keep messages in a list (test settings without an SMTP server)."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def deliver(self, message: EmailMessage) -> None:
        """Store the message."""
        self.messages.append(message)
