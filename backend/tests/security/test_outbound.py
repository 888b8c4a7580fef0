"""The SSRF-safe outbound client: address rules, DNS pinning, redirects, bounds and TLS."""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import socket
import socketserver
import ssl
import threading
import time
from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from hypothesis import given, settings
from hypothesis import strategies as st
from structlog.testing import capture_logs

from helio.security.netcheck import is_internal_address
from helio.security.outbound import (
    OutboundError,
    OutboundPolicy,
    OutboundRefused,
    fetch,
    is_public_address,
    parse_host_literal,
    validate_url,
)

Resolver = Callable[[str, int], Awaitable[Sequence[str]]]
DERANDOMIZED = settings(derandomize=True, max_examples=300, deadline=None)


# --- local servers -------------------------------------------------------------------------


@dataclass
class Seen:
    """What a local test server received."""

    requests: list[dict[str, Any]] = field(default_factory=list)
    sni: list[str | None] = field(default_factory=list)

    def paths(self) -> list[str]:
        return [r["path"] for r in self.requests]


class _Handler(BaseHTTPRequestHandler):
    seen: Seen

    def log_message(self, format: str, *args: Any) -> None:
        """Keep the test output quiet."""

    def _answer(self) -> None:
        parts = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        record = {"path": parts.path, "method": self.command, "host": self.headers["Host"]}
        record |= {"headers": {k.lower(): v for k, v in self.headers.items()}, "body": body}
        self.seen.requests.append(record)
        if parts.path == "/redirect":
            self._send(int(query.get("status", "302")), b"", location=query["to"])
        elif parts.path == "/loop":
            self._send(302, b"", location="/loop")
        elif parts.path == "/big":
            self._send(200, b"x" * 5000, declare=query.get("declare") == "1")
        elif parts.path == "/gzip":
            self._send(200, b"\x1f\x8b", extra={"Content-Encoding": "gzip"})
        elif parts.path == "/echo":
            self._send(200, json.dumps(record, default=lambda b: b.decode()).encode())
        else:
            self._send(200, b"hello")

    def _send(
        self,
        status: int,
        body: bytes,
        *,
        location: str | None = None,
        declare: bool = True,
        extra: dict[str, str] | None = None,
    ) -> None:
        self.send_response(status)
        if location is not None:
            self.send_header("Location", location)
        if declare:
            self.send_header("Content-Length", str(len(body)))
        for name, value in (extra or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_HEAD = do_PUT = _answer  # noqa: N815 - http.server names


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Failed TLS handshakes are expected in the certificate tests."""


def _serve(tls: ssl.SSLContext | None = None) -> Iterator[tuple[int, Seen]]:
    seen = Seen()
    handler = type("Handler", (_Handler,), {"seen": seen})
    server = _QuietServer(("127.0.0.1", 0), handler)
    if tls is not None:
        tls.sni_callback = lambda _sock, name, _ctx: seen.sni.append(name)
        server.socket = tls.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    yield server.server_address[1], seen
    server.shutdown()
    server.server_close()


@pytest.fixture
def http_server() -> Iterator[tuple[int, Seen]]:
    yield from _serve()


@dataclass(frozen=True)
class Pki:
    ca_file: str
    server_context: ssl.SSLContext


def _cert(subject: str, key: Any, issuer: x509.Name, signer: Any, *, ca: bool) -> x509.Certificate:
    now = dt.datetime.now(dt.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
        .issuer_name(issuer)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(signer.public_key()), critical=False
        )
    )
    if ca:
        usage = x509.KeyUsage(False, False, False, False, False, True, True, False, False)
        builder = builder.add_extension(usage, critical=True)
    else:
        san = x509.SubjectAlternativeName([x509.DNSName(subject)])
        builder = builder.add_extension(san, critical=False).add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False
        )
    return builder.sign(signer, hashes.SHA256())


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    """A private CA and a server certificate for pinned.test."""
    folder: Path = tmp_path_factory.mktemp("pki")
    ca_key, leaf_key = (
        ec.generate_private_key(ec.SECP256R1()),
        ec.generate_private_key(ec.SECP256R1()),
    )
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Helio Test CA")])
    ca_cert = _cert("Helio Test CA", ca_key, ca_name, ca_key, ca=True)
    leaf = _cert("pinned.test", leaf_key, ca_name, ca_key, ca=False)
    pem = serialization.Encoding.PEM
    (folder / "ca.pem").write_bytes(ca_cert.public_bytes(pem))
    (folder / "leaf.pem").write_bytes(leaf.public_bytes(pem))
    key_pem = leaf_key.private_bytes(
        pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    (folder / "leaf.key").write_bytes(key_pem)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(folder / "leaf.pem", folder / "leaf.key")
    return Pki(str(folder / "ca.pem"), context)


@pytest.fixture
def tls_server(pki: Pki) -> Iterator[tuple[int, Seen]]:
    yield from _serve(pki.server_context)


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A port that accepts TCP connections (kernel backlog) and never answers."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        yield listener.getsockname()[1]


class _Trickle(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        self.request.recv(65536)
        self.request.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n")
        deadline = time.monotonic() + 5
        try:
            while time.monotonic() < deadline:
                self.request.sendall(b"x")
                time.sleep(0.05)
        except OSError:
            return


@pytest.fixture
def trickle_port() -> Iterator[int]:
    """A server that answers one byte every 50 ms: never a read timeout, only the total."""
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _Trickle)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


# --- helpers -------------------------------------------------------------------------------


@dataclass
class FakeDns:
    """An injected resolver with a fixed zone; counts lookups."""

    zone: dict[str, list[str]]
    calls: list[str] = field(default_factory=list)

    async def __call__(self, host: str, port: int) -> Sequence[str]:
        self.calls.append(host)
        if host not in self.zone:
            raise socket.gaierror(socket.EAI_NONAME, "unknown")
        return self.zone[host]


def local_policy(port: int, **overrides: Any) -> OutboundPolicy:
    """A policy that lets pinned.test (and other.test) reach the local test server."""
    options: dict[str, Any] = {
        "allowed_ports": frozenset({80, 443, port}),
        "allow_private_hosts": frozenset({"pinned.test", "other.test"}),
        "connect_timeout": 2.0,
        "read_timeout": 2.0,
        "total_timeout": 5.0,
        "max_response_bytes": 1000,
    }
    return OutboundPolicy(**(options | overrides))


def local_dns(**extra: list[str]) -> FakeDns:
    return FakeDns({"pinned.test": ["127.0.0.1"], "other.test": ["127.0.0.1"], **extra})


async def refused(url: str, policy: OutboundPolicy, dns: FakeDns | None = None) -> OutboundRefused:
    with pytest.raises(OutboundRefused) as caught:
        await fetch("GET", url, policy=policy, resolver=dns or FakeDns({}))
    return caught.value


# --- address forms -------------------------------------------------------------------------

ADDRESS_FORMS = [
    "http://127.0.0.1/",
    "http://127.1/",
    "http://2130706433/",
    "http://0177.0.0.1/",
    "http://0x7f.1/",
    "http://0x7f000001/",
    "http://0x7f.0.0.1/",
    "http://127.0.0.1./",
    "http://127。0。0。1/",
    "http://0.0.0.0/",
    "http://0/",
    "http://[::]/",
    "http://[::1]/",
    "http://[0:0:0:0:0:0:0:1]/",
    "http://[::ffff:127.0.0.1]/",
    "http://[::ffff:7f00:1]/",
    "http://[0:0:0:0:0:ffff:127.0.0.1]/",
    "http://[::127.0.0.1]/",
    "http://169.254.169.254/latest/meta-data/",
    "http://2852039166/",
    "http://0251.0376.0251.0376/",
    "http://0xa9fea9fe/",
    "http://[::ffff:a9fe:a9fe]/",
    "http://[fd00:ec2::254]/",
    "http://[fe80::1]/",
    "http://10.0.0.1/",
    "http://10.1/",
    "http://172.16.0.1/",
    "http://172.31.255.255/",
    "http://192.168.1.1/",
    "http://100.64.0.1/",
    "http://100.100.100.200/",
    "http://[fc00::1]/",
    "http://224.0.0.1/",
    "http://[ff02::1]/",
    "http://255.255.255.255/",
    "http://240.0.0.1/",
    "http://192.0.0.1/",
    "http://192.0.2.1/",
    "http://198.18.0.1/",
    "http://198.51.100.7/",
    "http://203.0.113.9/",
    "http://[2001:db8::1]/",
    "http://[3fff::1]/",
    "http://[2002:7f00:1::]/",
    "http://[2002:a9fe:a9fe::1]/",
    "http://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/",
    "http://[64:ff9b::7f00:1]/",
    "http://[64:ff9b::a9fe:a9fe]/",
    "http://[64:ff9b:1::1]/",
    "http://[100::1]/",
    "https://127.0.0.1/",
]


@pytest.mark.asvs("V1.3.6")
@pytest.mark.parametrize("url", ADDRESS_FORMS)
async def test_every_internal_address_form_is_refused_without_a_lookup(url: str) -> None:
    dns = FakeDns({})
    error = await refused(url, OutboundPolicy(), dns)
    assert (error.status, error.code) == (422, "outbound_refused")
    assert dns.calls == []
    assert "127" not in error.message
    assert "169" not in error.message


MALFORMED = [
    "http://user@example.com/",
    "http://user:secret@example.com/",
    "http:///path",
    "http://:80/",
    "http://a..b/",
    "http://.example.com/",
    "http://exa mple.com/",
    "http://example.com\\@127.0.0.1/",
    "http://example.com\t/",
    "http://example.com\r\nX-Injected: 1/",
    "http://ex%61mple.com/",
    "http://１２７.０.０.１/",
    "http://[fe80::1%25eth0]/",
    "http://[::1/",
    "ftp://example.com/",
    "file:///etc/passwd",
    "gopher://example.com:70/_GET",
    "javascript:alert(1)",
    "//example.com/",
    "http://example.com:22/",
    "http://example.com:6379/",
    "https://example.com:8443/",
    "http://" + "a" * 2100 + ".com/",
]


@pytest.mark.asvs("V1.3.6")
@pytest.mark.parametrize("url", MALFORMED)
async def test_malformed_or_disallowed_urls_are_refused(url: str) -> None:
    dns = FakeDns({"example.com": ["93.184.215.14"]})
    error = await refused(url, OutboundPolicy(), dns)
    assert error.code == "outbound_refused"
    assert dns.calls == []


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("HTTPS://Example.COM.:443/a?b=1#frag", "https://example.com/a?b=1"),
        ("http://134744072/", "http://8.8.8.8/"),
        ("http://0x8.0x8.0x8.0x8/", "http://8.8.8.8/"),
        ("http://bücher.example/", "http://xn--bcher-kva.example/"),
        ("http://[2606:4700:4700:0::1111]/", "http://[2606:4700:4700::1111]/"),
    ],
)
def test_urls_are_normalised(url: str, expected: str) -> None:
    assert str(validate_url(url, OutboundPolicy())) == expected


# --- DNS -----------------------------------------------------------------------------------


@pytest.mark.asvs("V1.3.6")
async def test_localhost_resolved_by_the_system_resolver_is_refused() -> None:
    with pytest.raises(OutboundRefused):
        await fetch("GET", "http://localhost/", policy=OutboundPolicy())
    with pytest.raises(OutboundRefused):
        await fetch("GET", "http://localhost./", policy=OutboundPolicy())


@pytest.mark.asvs("V1.3.6")
@pytest.mark.parametrize(
    "answers",
    [
        ["127.0.0.1"],
        ["93.184.215.14", "10.0.0.5"],
        ["2606:2800:21f:cb07:6820:80da:af6b:8b2c", "::1"],
        ["93.184.215.14", "::ffff:169.254.169.254"],
        ["fd00:ec2::254"],
        ["169.254.169.254"],
        ["not-an-address"],
    ],
)
async def test_a_name_resolving_to_any_internal_address_is_refused(answers: list[str]) -> None:
    dns = FakeDns({"evil.example": answers})
    with capture_logs() as logs:
        error = await refused("https://evil.example/hook", OutboundPolicy(), dns)
    assert error.message == "This outbound address is not allowed."
    assert dns.calls == ["evil.example"]
    assert any(log["event"] == "outbound_refused" for log in logs)


async def test_an_unresolvable_name_is_a_502_without_detail() -> None:
    with pytest.raises(OutboundError) as caught:
        await fetch(
            "GET", "https://nowhere.example/", policy=OutboundPolicy(), resolver=FakeDns({})
        )
    assert (caught.value.status, caught.value.code) == (502, "outbound_failed")
    assert "nowhere" not in caught.value.message


@pytest.mark.asvs("V13.2.4")
async def test_host_allowlist_refuses_other_hosts_and_logs() -> None:
    policy = OutboundPolicy(allowed_hosts=frozenset({"Weather.Example."}))
    dns = FakeDns({"weather.example": ["10.1.2.3"], "evil.example": ["93.184.215.14"]})
    with capture_logs() as logs:
        error = await refused("https://evil.example/", policy, dns)
    assert error.message == "This host is not allowed."
    assert {"event": "outbound_refused", "reason": "host", "host": "evil.example"}.items() <= (
        logs[0].items()
    )
    assert dns.calls == []
    await refused("https://weather.example/", policy, dns)  # listed, yet its address is private


# --- pinning and redirects on an allowlisted local server ---------------------------------


@pytest.mark.asvs("V1.3.6")
async def test_connects_to_the_pinned_address_with_the_original_host(
    http_server: tuple[int, Seen],
) -> None:
    port, seen = http_server
    rebinding = FakeDns({"pinned.test": ["127.0.0.1"]})
    response = await fetch(
        "GET", f"http://pinned.test:{port}/ok", policy=local_policy(port), resolver=rebinding
    )
    rebinding.zone["pinned.test"] = ["10.0.0.1"]  # a later answer can no longer matter
    assert (response.status, response.body) == (200, b"hello")
    assert response.final_url == f"http://pinned.test:{port}/ok"
    assert seen.requests[0]["host"] == f"pinned.test:{port}"
    assert seen.requests[0]["headers"]["user-agent"] == "Helio-Outbound/1"
    assert rebinding.calls == ["pinned.test"]


async def test_an_allowlisted_literal_loopback_works(http_server: tuple[int, Seen]) -> None:
    port, _ = http_server
    policy = local_policy(port, allow_private_hosts=frozenset({"127.0.0.1"}))
    response = await fetch("GET", f"http://127.0.0.1:{port}/redirect?to=/ok", policy=policy)
    assert (response.status, response.final_url) == (200, f"http://127.0.0.1:{port}/ok")


@pytest.mark.parametrize(
    "target", ["/ok", "http://pinned.test:{port}/ok", "//other.test:{port}/ok"]
)
async def test_redirects_on_allowed_hosts_are_followed(
    http_server: tuple[int, Seen], target: str
) -> None:
    port, seen = http_server
    location = target.format(port=port)
    url = f"http://pinned.test:{port}/redirect?to={location}"
    response = await fetch("GET", url, policy=local_policy(port), resolver=local_dns())
    assert response.status == 200
    assert response.final_url.endswith(f":{port}/ok")
    assert seen.paths() == ["/redirect", "/ok"]


@pytest.mark.asvs("V1.3.6", "V15.3.2")
@pytest.mark.parametrize(
    "target",
    [
        "http://127.0.0.1:{port}/ok",
        "http://[::1]:{port}/ok",
        "http://2130706433:{port}/ok",
        "http://169.254.169.254/latest/meta-data/",
        "http://[fd00:ec2::254]/",
        "http://evil.example:{port}/ok",
        "file:///etc/passwd",
        "gopher://pinned.test:{port}/ok",
        "http://user@pinned.test:{port}/ok",
    ],
)
async def test_redirects_to_internal_or_odd_targets_are_refused(
    http_server: tuple[int, Seen], target: str
) -> None:
    port, seen = http_server
    url = f"http://pinned.test:{port}/redirect?to={target.format(port=port)}"
    dns = local_dns(**{"evil.example": ["127.0.0.1"]})
    error = await refused(url, local_policy(port), dns)
    assert error.code == "outbound_refused"
    assert seen.paths() == ["/redirect"]  # nothing was sent to the target


@pytest.mark.asvs("V15.3.2")
async def test_a_redirect_loop_stops_at_the_limit(http_server: tuple[int, Seen]) -> None:
    port, seen = http_server
    policy = local_policy(port, max_redirects=2)
    error = await refused(f"http://pinned.test:{port}/loop", policy, local_dns())
    assert error.code == "outbound_too_many_redirects"
    assert seen.paths() == ["/loop"] * 3


@pytest.mark.parametrize(("status", "method"), [(303, "GET"), (302, "GET"), (307, "POST")])
async def test_redirect_methods_follow_http_semantics(
    http_server: tuple[int, Seen], status: int, method: str
) -> None:
    port, _ = http_server
    url = f"http://pinned.test:{port}/redirect?status={status}&to=/echo"
    response = await fetch(
        "POST", url, policy=local_policy(port), resolver=local_dns(), json={"a": 1}
    )
    echoed = response.json()
    assert echoed["method"] == method
    assert echoed["body"] == ('{"a":1}' if method == "POST" else "")


async def test_a_cross_host_redirect_drops_credentials(http_server: tuple[int, Seen]) -> None:
    port, _ = http_server
    url = f"http://pinned.test:{port}/redirect?to=http://other.test:{port}/echo"
    response = await fetch(
        "GET",
        url,
        policy=local_policy(port),
        resolver=local_dns(),
        headers={"Authorization": "Bearer t", "X-Signature": "s"},
    )
    headers = response.json()["headers"]
    assert "authorization" not in headers
    assert headers["x-signature"] == "s"


# --- bounds --------------------------------------------------------------------------------


@pytest.mark.parametrize("declare", ["1", "0"])
async def test_a_response_over_the_cap_is_refused(
    http_server: tuple[int, Seen], declare: str
) -> None:
    port, _ = http_server
    url = f"http://pinned.test:{port}/big?declare={declare}"
    error = await refused(url, local_policy(port), local_dns())
    assert (error.status, error.code) == (422, "outbound_response_too_large")


async def test_a_compressed_response_is_not_decoded(http_server: tuple[int, Seen]) -> None:
    port, seen = http_server
    with pytest.raises(OutboundError):
        await fetch(
            "GET",
            f"http://pinned.test:{port}/gzip",
            policy=local_policy(port),
            resolver=local_dns(),
        )
    assert seen.requests[0]["headers"]["accept-encoding"] == "identity"


async def test_a_silent_server_hits_the_read_timeout(silent_port: int) -> None:
    policy = local_policy(silent_port, read_timeout=0.3, total_timeout=2.0)
    started = time.monotonic()
    with pytest.raises(OutboundError):
        await fetch(
            "GET", f"http://pinned.test:{silent_port}/", policy=policy, resolver=local_dns()
        )
    assert 0.25 < time.monotonic() - started < 1.5


async def test_a_trickling_server_hits_the_total_timeout(trickle_port: int) -> None:
    policy = local_policy(
        trickle_port, read_timeout=1.0, total_timeout=0.6, max_response_bytes=10**6
    )
    started = time.monotonic()
    with pytest.raises(OutboundError):
        await fetch(
            "GET", f"http://pinned.test:{trickle_port}/", policy=policy, resolver=local_dns()
        )
    assert 0.55 < time.monotonic() - started < 1.5


async def test_a_closed_port_is_a_502() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(OutboundError) as caught:
        await fetch(
            "GET", f"http://pinned.test:{port}/", policy=local_policy(port), resolver=local_dns()
        )
    assert caught.value.message == "The remote service could not be reached."


# --- TLS -----------------------------------------------------------------------------------


async def test_tls_uses_the_host_name_for_sni_and_verification(
    tls_server: tuple[int, Seen], pki: Pki
) -> None:
    port, seen = tls_server
    policy = local_policy(port, ca_file=pki.ca_file)
    response = await fetch(
        "GET", f"https://pinned.test:{port}/ok", policy=policy, resolver=local_dns()
    )
    assert response.body == b"hello"
    assert seen.sni == ["pinned.test"]


@pytest.mark.asvs("V12.3.2")
async def test_an_untrusted_certificate_is_refused(tls_server: tuple[int, Seen]) -> None:
    port, seen = tls_server
    with pytest.raises(OutboundError):
        await fetch(
            "GET", f"https://pinned.test:{port}/ok", policy=local_policy(port), resolver=local_dns()
        )
    assert seen.requests == []


@pytest.mark.asvs("V12.3.2")
async def test_a_certificate_for_another_name_is_refused(
    tls_server: tuple[int, Seen], pki: Pki
) -> None:
    port, seen = tls_server
    policy = local_policy(port, ca_file=pki.ca_file)
    with pytest.raises(OutboundError):
        await fetch("GET", f"https://other.test:{port}/ok", policy=policy, resolver=local_dns())
    assert seen.requests == []


@pytest.mark.asvs("V15.3.2")
async def test_a_redirect_from_https_to_http_is_refused(
    tls_server: tuple[int, Seen], pki: Pki
) -> None:
    port, seen = tls_server
    policy = local_policy(port, ca_file=pki.ca_file)
    url = f"https://pinned.test:{port}/redirect?to=http://pinned.test:{port}/ok"
    error = await refused(url, policy, local_dns())
    assert error.message == "Redirects away from HTTPS are not followed."
    assert seen.paths() == ["/redirect"]


# --- configuration and call errors ---------------------------------------------------------


@pytest.mark.parametrize(
    "options",
    [
        {"allowed_schemes": frozenset({"ftp"})},
        {"allowed_schemes": frozenset()},
        {"allowed_ports": frozenset({0})},
        {"total_timeout": 0},
        {"max_response_bytes": 0},
        {"max_redirects": -1},
    ],
)
def test_an_unsafe_policy_is_refused_when_built(options: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="must"):
        OutboundPolicy(**options)


@pytest.mark.parametrize(
    ("method", "kwargs"),
    [
        ("CONNECT", {}),
        ("GET", {"headers": {"Host": "internal"}}),
        ("POST", {"json": {}, "content": b"x"}),
    ],
)
async def test_a_malformed_call_is_a_programming_error(method: str, kwargs: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match=r"\w"):
        await fetch(method, "https://example.com/", policy=OutboundPolicy(), **kwargs)


# --- classification properties -------------------------------------------------------------


def _notation(value: int, form: int, radixes: list[str]) -> str:
    """Write a 32-bit address in one of inet_aton's four forms with per-part radixes."""
    widths = {1: [32], 2: [8, 24], 3: [8, 8, 16], 4: [8, 8, 8, 8]}[form]
    parts, shift = [], 32
    for width, radix in zip(widths, radixes, strict=False):
        shift -= width
        part = (value >> shift) & ((1 << width) - 1)
        parts.append({"d": str(part), "o": f"0{part:o}", "x": f"0x{part:x}"}[radix])
    return ".".join(parts)


notations = st.tuples(st.integers(1, 4), st.lists(st.sampled_from("dox"), min_size=4, max_size=4))


@pytest.mark.asvs("V1.3.6")
@DERANDOMIZED
@given(st.integers(0x0A000000, 0x0AFFFFFF), notations)
def test_every_10_slash_8_address_in_any_notation_is_refused(
    value: int, notation: tuple[int, list[str]]
) -> None:
    host = _notation(value, *notation)
    assert parse_host_literal(host) == ipaddress.IPv4Address(value)
    with pytest.raises(OutboundRefused):
        validate_url(f"http://{host}/", OutboundPolicy())


@DERANDOMIZED
@given(st.integers(0, 2**32 - 1), notations)
def test_literal_parsing_matches_inet_aton(value: int, notation: tuple[int, list[str]]) -> None:
    assert parse_host_literal(_notation(value, *notation)) == ipaddress.IPv4Address(value)


@pytest.mark.asvs("V1.3.6")
@DERANDOMIZED
@given(st.integers(0, 2**32 - 1))
def test_ipv6_embeddings_inherit_the_ipv4_verdict(value: int) -> None:
    v4 = ipaddress.IPv4Address(value)
    mapped = ipaddress.IPv6Address((0xFFFF << 32) | value)
    nat64 = ipaddress.IPv6Address((0x64FF9B << 96) | value)
    sixtofour = ipaddress.IPv6Address((0x2002 << 112) | (value << 80))
    verdict = is_public_address(v4)
    assert is_public_address(mapped) == is_public_address(nat64) == is_public_address(sixtofour)
    assert is_public_address(mapped) == verdict
    assert not is_public_address(ipaddress.IPv6Address(value))  # IPv4-compatible ::a.b.c.d


@pytest.mark.asvs("V1.3.6")
@DERANDOMIZED
@given(
    st.sampled_from(["fc00::/7", "fe80::/10", "ff00::/8", "2001::/32", "2001:db8::/32", "::/96"]),
    st.integers(0, 2**128 - 1),
)
def test_non_global_ipv6_ranges_are_never_public(network: str, noise: int) -> None:
    net = ipaddress.IPv6Network(network)
    address = ipaddress.IPv6Address(int(net.network_address) | (noise & int(net.hostmask)))
    assert not is_public_address(address)


@pytest.mark.parametrize(
    "address", ["8.8.8.8", "1.1.1.1", "93.184.215.14", "2606:4700:4700::1111", "64:ff9b::808:808"]
)
def test_public_addresses_are_public(address: str) -> None:
    assert is_public_address(ipaddress.ip_address(address))


@pytest.mark.parametrize(
    ("address", "internal"),
    [
        ("10.0.0.1", True),
        ("127.0.0.1", True),
        ("::1", True),
        ("fd12::1", True),
        ("::ffff:192.168.1.1", True),
        ("169.254.169.254", False),
        ("fd00:ec2::254", False),
        ("100.100.100.200", False),
        ("0.0.0.0", False),
        ("224.0.0.1", False),
        ("fe80::1", False),
    ],
)
def test_only_internal_unicast_can_be_allowlisted(address: str, internal: bool) -> None:
    assert is_internal_address(ipaddress.ip_address(address)) is internal
