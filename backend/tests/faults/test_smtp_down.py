"""SMTP down: mail stays queued and is delivered once the relay returns.

Mail is a `deliver_mail` job written in the request's transaction and delivered by
`helio worker` with retries and backoff. Here the relay (a mail sink) is not running when a
password reset is asked for; the API answers 202 at once, the worker's first attempts are
refused, and the message is delivered — once — after the sink starts.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.faults.servers import stack
from tests.fixtures.live_server import BACKEND, clean_env, free_port, start_group, stop_group

pytestmark = pytest.mark.fault
CUSTOMER = "demo.customer@helio.localhost"


def _delivered(inbox: Path) -> list[Path]:
    return sorted(inbox.glob("*.txt")) if inbox.exists() else []


@pytest.mark.asvs("V16.5.2")
def test_mail_waits_while_smtp_is_down_and_goes_out_once_when_it_returns(
    tmp_path: Path,
) -> None:
    relay_port = free_port()
    inbox = tmp_path / "inbox"
    with stack(tmp_path, smtp_url=f"smtp://127.0.0.1:{relay_port}") as (_redis, _maria, api):
        worker_env = api.env(
            HELIO_WORKER_SWEEP_SECONDS="1",
            HELIO_WORKER_RELAY_SECONDS="0.1",
            HELIO_WORKER_METRICS_PORT=str(free_port()),
        )
        worker = start_group(
            [sys.executable, "-m", "helio.cli", "worker"],
            env=worker_env,
            log=tmp_path / "worker.log",
            cwd=BACKEND,
        )
        try:
            with httpx.Client(base_url=api.base_url, timeout=10) as http:
                asked = http.post("/api/v1/auth/password/forgot", json={"email": CUSTOMER})
                assert asked.status_code == 202, asked.text

            time.sleep(6)  # the first delivery attempts meet a closed port
            assert _delivered(inbox) == []
            assert worker.poll() is None

            sink = start_group(
                [sys.executable, "-m", "helio.mail.sink", "--port", str(relay_port),
                 "--dir", str(inbox)],
                env=clean_env(HELIO_ENV="test", HELIO_DATA_DIR=str(tmp_path / "data")),
                log=tmp_path / "sink.log",
                cwd=BACKEND,
            )  # fmt: skip
            try:
                deadline = time.monotonic() + 40
                while time.monotonic() < deadline and not _delivered(inbox):
                    time.sleep(0.2)
                time.sleep(2)  # a duplicate would arrive now
                [delivered] = _delivered(inbox)
                assert CUSTOMER in delivered.read_text(errors="replace")
            finally:
                stop_group(sink)
        finally:
            stop_group(worker)
