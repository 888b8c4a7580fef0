"""Mail: SMTP URL parsing, STARTTLS and implicit TLS delivery, the outbox, the sink, notices."""

from __future__ import annotations

import email
import email.policy
import smtplib
import socket
import ssl
import subprocess
import sys
from pathlib import Path

import aiosmtplib
import pytest
from tests.fixtures.principals import Harness
from tests.fixtures.smtp import self_signed_tls, start_smtp

from helio.config import Settings
from helio.mail.config import SmtpConfig, parse_smtp_url, smtp_config
from helio.mail.messages import compose
from helio.mail.sink import start as start_sink
from helio.mail.templates import TEMPLATES, render
from helio.mail.transport import SmtpTransport

SETTINGS = Settings(
    env="test", public_url="https://api.helio.test", mail_from="Helio <no-reply@helio.example>"
)


def _message(to: str = "ann@example.org") -> email.message.EmailMessage:
    return compose(
        SETTINGS,
        to=to,
        template="reset",
        name="Ann",
        link="https://x.example/r#token=t",
        minutes="30",
    )


class TestConfig:
    def test_urls(self) -> None:
        assert parse_smtp_url("smtps://user:p%40ss@mail.example.org") == SmtpConfig(
            host="mail.example.org", port=465, tls="implicit", username="user", password="p@ss"
        )
        relay = parse_smtp_url("smtp://relay.example.org")
        assert (relay.port, relay.tls) == (587, "starttls")
        assert parse_smtp_url("smtp://127.0.0.1:1025").tls == "opportunistic"
        with pytest.raises(ValueError, match="smtp://"):
            parse_smtp_url("http://mail.example.org")
        assert "p@ss" not in repr(parse_smtp_url("smtps://user:p%40ss@mail.example.org"))

    def test_defaults_per_environment(self, tmp_path: Path) -> None:
        assert smtp_config(Settings(env="test", data_dir=tmp_path)) is None
        sink = smtp_config(Settings(env="development", data_dir=tmp_path))
        assert sink is not None
        assert (sink.host, sink.port) == ("127.0.0.1", 8025)


class TestDelivery:
    async def test_starttls_required_and_certificate_checked(self) -> None:
        server_tls, client_tls = self_signed_tls()
        server = await start_smtp(tls_context=server_tls, require_starttls=True)
        try:
            config = SmtpConfig(host=server.host, port=server.port, tls="starttls")
            await SmtpTransport(config, tls_context=client_tls).deliver(_message())
            [received] = server.messages
            assert received["Subject"] == "Reset your Helio password"
            untrusting = SmtpTransport(config)  # system CAs do not know the test certificate
            with pytest.raises(ssl.SSLCertVerificationError):
                await untrusting.deliver(_message())
        finally:
            await server.close()

    async def test_starttls_required_but_not_offered_fails(self) -> None:
        server = await start_smtp()
        try:
            config = SmtpConfig(host=server.host, port=server.port, tls="starttls")
            with pytest.raises(aiosmtplib.SMTPException):
                await SmtpTransport(config).deliver(_message())
            assert server.messages == []
        finally:
            await server.close()

    async def test_implicit_tls(self) -> None:
        server_tls, client_tls = self_signed_tls()
        server = await start_smtp(implicit_tls=server_tls)
        try:
            config = SmtpConfig(host=server.host, port=server.port, tls="implicit")
            await SmtpTransport(config, tls_context=client_tls).deliver(_message())
            assert len(server.messages) == 1
        finally:
            await server.close()


class TestMessages:
    @pytest.mark.asvs("V1.3.11")
    def test_header_injection_is_refused(self) -> None:
        with pytest.raises(ValueError, match=r"linefeed|newline|CR|LF"):
            compose(
                SETTINGS,
                to="ann@example.org\r\nBcc: all@example.org",
                template="reset",
                name="Ann",
                link="x",
                minutes="30",
            )

    def test_every_template_fills_all_placeholders(self) -> None:
        names = "name link hours minutes when device network how sessions change inviter"
        names += " step appointment fields since"
        values = dict.fromkeys(names.split(), "v")
        for name in TEMPLATES:
            subject, body = render(name, **values)
            assert subject
            assert "$" not in body
        # A value is inserted literally, never interpreted as a placeholder.
        assert "$link" in render("reset", name="$link", link="L", minutes="3")[1]

    @pytest.mark.asvs("V1.3.7", "V1.3.10")
    def test_template_and_format_syntax_in_values_stays_literal(self) -> None:
        # Values are substituted once (string.Template), never evaluated as a template or a
        # format string: Jinja, str.format, %-format and $-placeholders come out as typed.
        hostile = "{{7*7}} {{config}} {0.__class__} {name} %s%n%(x)s ${link} $minutes <%= 1 %>"
        _, body = render("reset", name=hostile, link="https://x.example/r", minutes="30")
        assert hostile in body
        assert "49" not in body
        assert "class" not in body.replace(hostile, "")
        message = compose(
            SETTINGS, to="ann@example.org", template="reset", name=hostile, link="L", minutes="3"
        )
        text = message.get_content()
        assert hostile in text
        assert "49" not in text

    def test_sink_writes_eml_files(self, tmp_path: Path) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        controller = start_sink(tmp_path / "mail", port=port)
        try:
            # The sink serves from its own thread, so a blocking client is fine here.
            with smtplib.SMTP("127.0.0.1", port, timeout=5) as client:
                client.sendmail(
                    "no-reply@helio.example", ["ann@example.org"], _message().as_bytes()
                )
        finally:
            controller.stop()
        [path] = list((tmp_path / "mail").glob("*.eml"))
        assert oct(path.stat().st_mode & 0o777) == "0o600"
        parsed = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        assert parsed["Subject"] == "Reset your Helio password"

    def test_sink_keeps_a_readable_copy_with_links_intact(self, tmp_path: Path) -> None:
        """Quoted-printable wraps long links (`=3D`, soft breaks); the .txt copy is decoded."""
        link = "http://127.0.0.1:18201/verify-email#token=" + "Kjx_nvCN0Q-" * 4
        message = compose(
            SETTINGS, to="ann@example.org", template="verification", name="Ann", link=link,
            hours="24",
        )  # fmt: skip
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        controller = start_sink(tmp_path / "mail", port=port)
        try:
            with smtplib.SMTP("127.0.0.1", port, timeout=5) as client:
                client.sendmail("no-reply@helio.example", ["ann@example.org"], message.as_bytes())
        finally:
            controller.stop()
        [raw] = list((tmp_path / "mail").glob("*.eml"))
        assert link not in raw.read_text()  # as sent: quoted-printable
        readable = raw.with_suffix(".txt")
        assert oct(readable.stat().st_mode & 0o777) == "0o600"
        lines = readable.read_text().splitlines()
        assert "To: ann@example.org" in lines
        assert "Subject: Confirm your email address" in lines
        assert link in lines


class TestNotices:
    async def test_new_device_notice(self, auth: Harness) -> None:
        account = await auth.customer()
        await auth.login(account)
        await auth.login(account)
        assert [
            m for m in await auth.mail.to(account.email) if "New sign-in" in str(m["Subject"])
        ] == []
        await auth.login(account, auth.client("192.0.2.44"))
        notice = await auth.mail.last(account.email, "New sign-in")
        body = notice.get_content()
        assert "192.0.2.0/24" in body
        assert notice["From"] == auth.app_state.settings.mail_from
        assert notice["Message-ID"]

    async def test_mfa_and_lockout_notices_go_through_smtp(self, auth: Harness) -> None:
        account = await auth.customer(totp=True)
        http = await auth.login(account)
        await http.post("/api/v1/auth/mfa/recovery-codes", headers=auth.unsafe(http))
        notice = await auth.mail.last(account.email, "sign-in security")
        assert "new recovery codes" in notice.get_content()
        envelope_from, recipients = auth.mail.server.capture.envelopes[-1]
        assert recipients == [account.email]
        assert envelope_from == "no-reply@helio.localhost"


class TestLocalSink:
    def test_the_sink_port_is_configurable_and_the_app_follows_it(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setenv("HELIO_MAIL_SINK_PORT", "18250")
        target = smtp_config(Settings(env="development", data_dir=tmp_path))
        assert target is not None
        assert (target.host, target.port) == ("127.0.0.1", 18250)
        # An explicit SMTP server wins over the sink.
        relay = smtp_config(
            Settings(env="development", data_dir=tmp_path, smtp_url="smtp://127.0.0.1:1025")
        )
        assert relay is not None
        assert relay.port == 1025

    def test_a_taken_port_ends_the_sink_with_one_clear_line(self, tmp_path: Path) -> None:
        with socket.socket() as holder:
            holder.bind(("127.0.0.1", 0))
            holder.listen()
            port = holder.getsockname()[1]
            result = subprocess.run(
                [sys.executable, "-m", "helio.mail.sink", "--port", str(port)],
                env={"PATH": "/usr/bin:/bin", "HELIO_DATA_DIR": str(tmp_path)},
                capture_output=True,
                text=True,
                timeout=60,
                check=False,
            )
        assert result.returncode == 1
        assert "Traceback" not in result.stderr
        [line] = result.stderr.strip().splitlines()
        assert f"127.0.0.1:{port}" in line
        assert "in use" in line
