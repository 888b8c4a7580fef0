"""The local mail sink for development: an SMTP server that writes each message to a file.

`make run` starts it inside `helio serve --mail-sink`; `python -m helio.mail.sink`
runs it alone. It listens on 127.0.0.1 at HELIO_MAIL_SINK_PORT (8025 by default)
and stores every message as `<data_dir>/mail/<time>-<id>.eml` (for a mail client)
and `<time>-<id>.txt` (headers and decoded text, for a text editor or grep).
Loopback only; never deploy it.
"""

from __future__ import annotations

import argparse
import email
import email.policy
import os
import secrets
import signal
import sys
import threading
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller

from helio.config import get_settings
from helio.kit.clock import clock
from helio.kit.net import describe_bind_error
from helio.mail.config import SINK_HOST, is_loopback

READABLE_HEADERS = ("From", "To", "Subject", "Date")


class FileSink:
    """aiosmtpd handler writing each message to its own files (mode 0600).

    `<name>.eml` is the message as received; `<name>.txt` holds its headers and
    decoded text, so a link wrapped by quoted-printable reads (and copies) whole.
    """

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        """Store one message; aiosmtpd calls this for each DATA command."""
        raw: bytes = envelope.original_content or envelope.content
        stem = f"{clock.now():%Y%m%dT%H%M%S%f}-{secrets.token_hex(4)}"
        _write_private(self.directory / f"{stem}.eml", raw)
        _write_private(self.directory / f"{stem}.txt", readable(raw).encode("utf-8"))
        return "250 Message accepted for delivery"


def readable(raw: bytes) -> str:
    """Return a message's main headers and its decoded plain-text body."""
    message = email.message_from_bytes(raw, policy=email.policy.default)
    headers = [f"{name}: {message[name]}" for name in READABLE_HEADERS if message[name]]
    body = message.get_body(preferencelist=("plain",)) if message.is_multipart() else message
    text = body.get_content() if isinstance(body, EmailMessage) else ""
    return "\n".join(headers) + "\n\n" + str(text)


def _write_private(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)


def start(directory: Path, *, port: int, host: str = SINK_HOST) -> Controller:
    """Start the sink in a background thread and return its controller (call `.stop()`).

    Raises:
        OSError: the address cannot be bound (for instance, the port is taken).
    """
    controller = Controller(FileSink(directory), hostname=host, port=port)
    controller.start()
    return controller


def main(argv: list[str] | None = None) -> None:
    """Run the sink until interrupted; a port that cannot be bound ends it with one line."""
    settings = get_settings()
    parser = argparse.ArgumentParser(description="Helio development mail sink")
    parser.add_argument("--host", default=SINK_HOST)
    parser.add_argument("--port", type=int, default=settings.mail_sink_port)
    parser.add_argument("--dir", type=Path, default=None, help="default: <data_dir>/mail")
    args = parser.parse_args(argv)
    if not is_loopback(args.host):
        parser.error("the sink listens on loopback addresses only")
    directory = args.dir or settings.data_dir / "mail"
    try:
        controller = start(directory, port=args.port, host=args.host)
    except OSError as refused:
        where = f"{args.host}:{args.port}"
        sys.exit(f"mail sink: {where} {describe_bind_error(refused)} (HELIO_MAIL_SINK_PORT)")
    print(f"mail sink on {args.host}:{args.port}, writing to {directory}", flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()
    controller.stop()


if __name__ == "__main__":
    main()
