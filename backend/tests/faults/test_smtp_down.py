"""SMTP down: mail stays queued in Redis and is delivered once the relay returns.

The API's relay is a mail sink on a port where nothing listens yet. A password reset is
asked for (202 at once: requests never wait for SMTP); the message waits in the Redis
queue through several refused rounds and is delivered when the sink starts.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import httpx
import pytest
import redis

from tests.faults.servers import stack
from tests.fixtures.live_server import BACKEND, clean_env, free_port, start_group, stop_group

pytestmark = pytest.mark.fault
CUSTOMER = "demo.customer@helio.localhost"


def _queued(client: redis.Redis) -> int:
    lists = ("helio:mail:outbox", "helio:mail:processing")
    return sum(int(client.llen(name)) for name in lists)


@pytest.mark.asvs("V16.5.2")
def test_mail_waits_in_the_queue_while_smtp_is_down_and_goes_out_when_it_returns(
    tmp_path: Path,
) -> None:
    relay_port = free_port()
    inbox = tmp_path / "inbox"
    with stack(tmp_path, smtp_url=f"smtp://127.0.0.1:{relay_port}") as (store, _maria, api):
        client = redis.Redis.from_url(store.url)
        try:
            with httpx.Client(base_url=api.base_url, timeout=10) as http:
                asked = http.post("/api/v1/auth/password/forgot", json={"email": CUSTOMER})
                assert asked.status_code == 202, asked.text

            deadline = time.monotonic() + 8  # more than one round of refused connections
            while time.monotonic() < deadline:
                assert _queued(client) == 1
                time.sleep(0.5)
            assert not inbox.exists()

            sink = start_group(
                [
                    sys.executable,
                    "-m",
                    "helio.mail.sink",
                    "--port",
                    str(relay_port),
                    "--dir",
                    str(inbox),
                ],
                env=clean_env(HELIO_ENV="test", HELIO_DATA_DIR=str(tmp_path / "data")),
                log=tmp_path / "sink.log",
                cwd=BACKEND,
            )
            try:
                deadline = time.monotonic() + 30
                while time.monotonic() < deadline and not list(inbox.glob("*.txt")):
                    time.sleep(0.2)
                [delivered] = list(inbox.glob("*.txt"))  # once, with its .eml
                assert CUSTOMER in delivered.read_text(errors="replace")
                deadline = time.monotonic() + 10
                while time.monotonic() < deadline and _queued(client):
                    time.sleep(0.2)
                assert _queued(client) == 0
            finally:
                stop_group(sink)
        finally:
            client.close()
