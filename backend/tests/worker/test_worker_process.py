"""The real `helio worker` command: killed mid-job it loses nothing and the job runs once more;
mail goes from the API's transaction through the worker to SMTP; its metrics are served.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import os
import signal
import socket
import subprocess
import sys
import urllib.request
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.smtp import SMTP

from helio.config import Settings
from helio.mail.outbox import JobOutbox, send_after_commit
from helio.platform.app import App
from tests.fixtures.live_server import clean_env
from tests.worker.harness import eventually, message

pytestmark = [pytest.mark.mysql, pytest.mark.redis, pytest.mark.fault]

BACKEND = Path(__file__).resolve().parents[2]


class StallingSmtp:
    """An SMTP capture whose first DATA never gets an answer (a relay that hangs)."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.stall = True
        self.stalled = asyncio.Event()
        self.release = asyncio.Event()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.stall:
            self.stalled.set()
            await self.release.wait()
            return "451 closing"
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        self.messages.append(parsed)
        return "250 OK"


@pytest.fixture
async def stalling_smtp() -> AsyncIterator[tuple[StallingSmtp, int]]:
    handler = StallingSmtp()
    server = await asyncio.get_running_loop().create_server(
        lambda: SMTP(handler, hostname="mx.test"), host="127.0.0.1", port=0
    )
    yield handler, server.sockets[0].getsockname()[1]
    handler.release.set()
    server.close()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _worker_env(settings: Settings, smtp_port: int, metrics_port: int) -> dict[str, str]:
    assert settings.redis_url
    return clean_env(
        HELIO_ENV=settings.env,
        HELIO_DATA_DIR=str(settings.data_dir),
        HELIO_DATABASE_URL=settings.database_url,
        HELIO_REDIS_URL=settings.redis_url,
        HELIO_SECRET_KEY=settings.secret_key,
        HELIO_PUBLIC_URL=settings.public_url,
        HELIO_SMTP_URL=f"smtp://127.0.0.1:{smtp_port}",
        HELIO_WORKER_HEARTBEAT_SECONDS="2",
        HELIO_WORKER_SWEEP_SECONDS="1",
        HELIO_WORKER_RELAY_SECONDS="0.1",
        HELIO_WORKER_METRICS_PORT=str(metrics_port),
    )


@contextmanager
def worker_process(env: dict[str, str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    """Start `helio worker`; kill it (if still alive) when the block ends."""
    with log.open("ab") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "helio.cli", "worker"],
            cwd=BACKEND,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        yield process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(5)


def _metrics(port: int) -> str:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as answer:
        return str(answer.read().decode())


@pytest.mark.asvs("V16.5.2", "V2.3.3")
async def test_a_worker_killed_mid_job_loses_nothing_and_the_job_runs_once_more(
    clean: App, stalling_smtp: tuple[StallingSmtp, int], tmp_path: Path
) -> None:
    smtp, smtp_port = stalling_smtp
    metrics_port = _free_port()
    env = _worker_env(clean.settings, smtp_port, metrics_port)
    log = tmp_path / "worker.log"
    async with clean.db.transaction() as session:
        send_after_commit(session, JobOutbox(clean.db), message(clean, "Killed"))

    with worker_process(env, log) as first:
        try:
            await asyncio.wait_for(smtp.stalled.wait(), 60)  # mid-delivery, not answered
        except TimeoutError:
            pytest.fail(log.read_text(errors="replace"))
        os.kill(first.pid, signal.SIGKILL)
        assert first.wait(10) == -signal.SIGKILL
    assert smtp.messages == []
    smtp.stall = False

    with worker_process(env, log) as second:
        try:
            await eventually(lambda: _got(smtp, 1), seconds=60)
        except AssertionError:
            pytest.fail(log.read_text(errors="replace"))
        await asyncio.sleep(3)  # another sweep and heartbeat: nothing runs it a third time
        assert len(smtp.messages) == 1
        assert "Killed" in smtp.messages[0].get_content()
        exposed = await asyncio.to_thread(_metrics, metrics_port)
        assert 'helio_worker_jobs_total{function="deliver_mail",outcome="done"} 1.0' in exposed
        assert "helio_worker_queue_depth 0.0" in exposed
        assert "helio_worker_dead_letters 0.0" in exposed
        second.send_signal(signal.SIGTERM)
        assert second.wait(30) == 0  # stops cleanly on SIGTERM (Ctrl-C, Kubernetes)


async def _got(smtp: StallingSmtp, count: int) -> bool:
    return len(smtp.messages) >= count
