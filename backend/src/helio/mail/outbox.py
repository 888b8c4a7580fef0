"""Outgoing mail is a job: written in the transaction that causes it, delivered by the worker.

Requests never wait for SMTP: the answer to "forgot password" must take the
same time whether a mail goes out or not, and a slow relay must not slow
sign-in. `send_after_commit` writes a `deliver_mail` job into the job outbox
(`helio.state.jobs`) inside the caller's transaction, so a rolled-back
transaction sends nothing; the `helio worker` process relays committed jobs
into the queue (SAQ on Redis) and delivers them with retries and backoff, then
dead-letters what keeps failing. Nothing in the API process talks to SMTP.
"""

from __future__ import annotations

import base64
import email
import email.policy
from email.message import EmailMessage
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from helio.db import Database
from helio.logging import get_logger
from helio.state.jobs import enqueue_in

DELIVER_MAIL = "deliver_mail"
log = get_logger("mail")


def encode(message: EmailMessage) -> str:
    """Return a message as job text (base64 of its bytes)."""
    return base64.b64encode(message.as_bytes()).decode("ascii")


def decode(item: str) -> EmailMessage:
    """Return the message of job text.

    Raises:
        ValueError: the text is not base64 of a message.
    """
    parsed = email.message_from_bytes(
        base64.b64decode(item, validate=True), policy=email.policy.default
    )
    if not isinstance(parsed, EmailMessage):
        raise ValueError("not a message")
    return parsed


class Outbox(Protocol):
    """Where the app's mail goes."""

    def send_in(self, session: AsyncSession, message: EmailMessage) -> None:
        """Send a message if and once the session's transaction commits."""
        ...

    async def send_alone(self, message: EmailMessage) -> None:
        """Send a message that belongs to no transaction (a notice about a rolled-back one)."""
        ...

    async def close(self) -> None:
        """Release what the outbox holds."""
        ...


class JobOutbox:
    """Mail as `deliver_mail` jobs in the transactional job outbox (the worker delivers)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def send_in(self, session: AsyncSession, message: EmailMessage) -> None:
        """Write the job into the session's transaction."""
        enqueue_in(session, DELIVER_MAIL, {"message": encode(message)})

    async def send_alone(self, message: EmailMessage) -> None:
        """Write the job in a transaction of its own."""
        async with self.db.transaction() as session:
            enqueue_in(session, DELIVER_MAIL, {"message": encode(message)})

    async def close(self) -> None:
        """Nothing to release: the jobs are rows."""


class DiscardOutbox:
    """Mail nobody should receive (seeding demo data while no sink runs): counted, dropped."""

    def __init__(self) -> None:
        self.dropped = 0

    def send_in(self, session: AsyncSession, message: EmailMessage) -> None:
        """Drop the message."""
        self.dropped += 1

    async def send_alone(self, message: EmailMessage) -> None:
        """Drop the message."""
        self.dropped += 1

    async def close(self) -> None:
        """Nothing to release."""


def send_after_commit(session: AsyncSession, outbox: Outbox, message: EmailMessage) -> None:
    """Send a message once the session's transaction has committed (never for a rollback)."""
    outbox.send_in(session, message)


async def send_now(outbox: Outbox, message: EmailMessage) -> None:
    """Send a message at once (for notices about failures whose transaction rolls back)."""
    try:
        await outbox.send_alone(message)
    except Exception as exc:  # the failure being reported must still be answered
        log.error("mail_queue_failed", subject=str(message["Subject"]), error=type(exc).__name__)
