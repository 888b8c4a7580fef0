"""The live audit runs pip-audit only when a service answers with real vulnerability data."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tools import live_audit


class _CannedHandler(BaseHTTPRequestHandler):
    """Answer every request with the class's canned JSON body."""

    body = b"{}"

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args: object) -> None:
        return


@pytest.fixture
def canned_service() -> Iterator[Callable[[bytes], live_audit.LiveService]]:
    servers: list[ThreadingHTTPServer] = []

    def start(body: bytes) -> live_audit.LiveService:
        handler = type("Handler", (_CannedHandler,), {"body": body})
        server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return live_audit.LiveService("pypi", "GET", f"http://127.0.0.1:{server.server_port}/")

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.asvs("V15.2.1")
def test_live_probe_needs_real_vulnerability_data(
    canned_service: Callable[[bytes], live_audit.LiveService],
) -> None:
    assert live_audit.probe_service(canned_service(b'{"vulnerabilities": [{"id": "X"}]}'))
    assert live_audit.probe_service(canned_service(b'{"vulns": [{"id": "X"}]}'))
    # A mirror or captive proxy that answers without data is not a vulnerability service.
    assert not live_audit.probe_service(canned_service(b'{"vulnerabilities": []}'))
    assert not live_audit.probe_service(canned_service(b"<html>login</html>"))
    closed = live_audit.LiveService("pypi", "GET", f"http://127.0.0.1:{_closed_port()}/")
    assert not live_audit.probe_service(closed, timeout=1.0)


@pytest.mark.asvs("V15.2.1")
def test_unreachable_live_service_is_skipped_not_passed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    service = live_audit.LiveService("osv", "POST", f"http://127.0.0.1:{_closed_port()}/v1/query")
    result = live_audit.run_live_audit([tmp_path / "requirements.lock"], service, [])
    assert result.status == "skipped"
    assert "live audit skipped: service unreachable" in capsys.readouterr().out


def test_pip_audit_command_is_an_argument_list() -> None:
    locks = [Path("requirements.lock"), Path("requirements-dev.lock")]
    command = live_audit.pip_audit_command(locks, "osv", ["PYSEC-2019-217"])
    assert command[1:] == [
        "-m", "pip_audit", "--strict", "--require-hashes", "--disable-pip",
        "--vulnerability-service", "osv",
        "-r", "requirements.lock", "-r", "requirements-dev.lock",
        "--ignore-vuln", "PYSEC-2019-217",
    ]  # fmt: skip
