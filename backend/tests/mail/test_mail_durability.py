"""Durable mail: queued in Redis after commit, recovered after a crash, retried through outages."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from email.message import EmailMessage

import pytest
from tests.fixtures.smtp import SmtpServer, start_smtp

from helio.mail.config import SmtpConfig
from helio.mail.messages import compose
from helio.mail.outbox import (
    LOCK_KEY,
    Outbox,
    build_outbox,
    decode,
    encode,
    send_after_commit,
)
from helio.mail.transport import MemoryTransport, SmtpTransport
from helio.platform.app import App
from helio.state.queue import RedisQueue

pytestmark = [pytest.mark.mysql, pytest.mark.redis]


def _message(app_state: App, name: str) -> EmailMessage:
    return compose(
        app_state.settings,
        to="ann@example.org",
        template="reset",
        name=name,
        link="https://x.example/r#token=t",
        minutes="30",
    )


def _transport(port: int) -> SmtpTransport:
    return SmtpTransport(SmtpConfig(host="127.0.0.1", port=port, tls="opportunistic", timeout=2))


class WatchedTransport:
    """A real transport that counts its failed attempts."""

    def __init__(self, inner: SmtpTransport) -> None:
        self.inner = inner
        self.failures = 0
        self.failed_twice = asyncio.Event()

    async def deliver(self, message: EmailMessage) -> None:
        try:
            await self.inner.deliver(message)
        except Exception:
            self.failures += 1
            if self.failures >= 2:
                self.failed_twice.set()
            raise


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
async def outbox(clean: App, smtp_server: SmtpServer) -> AsyncIterator[Outbox]:
    """An outbox built like the app's, on Redis, delivering to a real SMTP server."""
    built = build_outbox(
        clean.settings, clean.state, _transport(smtp_server.port), poll_seconds=0.05
    )
    yield built
    await built.close()


def test_messages_survive_the_queue_text_round_trip(app_state: App) -> None:
    message = _message(app_state, "Ann")
    restored = decode(encode(message))
    assert restored["Message-ID"] == message["Message-ID"]
    assert restored.get_content() == message.get_content()
    with pytest.raises(ValueError, match="base64"):
        decode("not base64!")


async def test_committed_mail_goes_through_redis_to_smtp(
    clean: App, outbox: Outbox, smtp_server: SmtpServer
) -> None:
    assert isinstance(outbox.queue, RedisQueue)
    async with clean.db.transaction() as session:
        send_after_commit(session, outbox, _message(clean, "Ann"))
        assert await outbox.queue.pending() == 0  # nothing leaves before the commit
    await asyncio.wait_for(outbox.drain(), 5)
    [received] = smtp_server.messages
    assert received["Subject"] == "Reset your Helio password"
    assert "Ann" in received.get_content()
    assert await outbox.queue.pending() == 0


@pytest.mark.asvs("V2.3.3")
async def test_rolled_back_transaction_queues_nothing(
    clean: App, outbox: Outbox, smtp_server: SmtpServer
) -> None:
    async def queue_then_fail() -> None:
        async with clean.db.transaction() as session:
            send_after_commit(session, outbox, _message(clean, "Ann"))
            raise RuntimeError("injected fault")

    with pytest.raises(RuntimeError, match="fault"):
        await queue_then_fail()
    await asyncio.wait_for(outbox.drain(), 5)
    assert await outbox.queue.pending() == 0
    assert smtp_server.messages == []


async def test_mail_left_by_a_crashed_drainer_is_delivered_once(
    clean: App, outbox: Outbox, smtp_server: SmtpServer
) -> None:
    dead = build_outbox(clean.settings, clean.state, MemoryTransport())  # died mid-delivery
    await dead.queue.push(encode(_message(clean, "Ann")))
    assert await dead.queue.claim() is not None
    # Its drain lock outlives it for a while; the fresh process waits it out.
    assert await clean.state.set_if_absent(LOCK_KEY, "dead-drainer", 1)
    await asyncio.wait_for(outbox.drain(), 10)
    assert len(smtp_server.messages) == 1
    assert await outbox.queue.pending() == 0
    await asyncio.wait_for(outbox.drain(), 5)
    assert len(smtp_server.messages) == 1
    assert await clean.state.get(LOCK_KEY) is None


@pytest.mark.asvs("V16.5.2")
async def test_mail_waits_out_an_smtp_outage(clean: App) -> None:
    port = _free_port()
    watched = WatchedTransport(_transport(port))
    outbox = build_outbox(clean.settings, clean.state, watched, attempts=5, backoff_seconds=0.1)
    try:
        async with clean.db.transaction() as session:
            send_after_commit(session, outbox, _message(clean, "Ann"))
        await asyncio.wait_for(watched.failed_twice.wait(), 5)
        assert await outbox.queue.pending() == 1  # still held in Redis while SMTP is down
        server = await start_smtp(port=port)
        try:
            await asyncio.wait_for(outbox.drain(), 10)
            assert len(server.messages) == 1
        finally:
            await server.close()
        assert watched.failures == 2
        assert await outbox.queue.pending() == 0
    finally:
        await outbox.close()
