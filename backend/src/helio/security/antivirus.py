"""The antivirus hook: a file is streamed to clamd (INSTREAM) before it is kept.

clamd's socket protocol: send `zINSTREAM\\0`, then chunks each prefixed with their
length as a 4-byte big-endian integer, then a zero-length chunk; clamd answers
`stream: OK\\0`, `stream: <signature> FOUND\\0` or `... ERROR\\0`. Blocking: run it
in a worker thread.
"""

from __future__ import annotations

import socket
import struct
from dataclasses import dataclass
from pathlib import Path

_CHUNK = 64 * 1024
_MAX_REPLY = 4096


class ScannerUnavailable(Exception):
    """clamd could not be reached or answered with an error: the file is not accepted."""


@dataclass(frozen=True)
class Verdict:
    clean: bool
    signature: str | None = None


@dataclass(frozen=True)
class ClamdScanner:
    """A clamd client over TCP (`host`, `port`) or a Unix socket (`socket_path`)."""

    host: str | None = None
    port: int = 3310
    socket_path: Path | None = None
    timeout: float = 10.0

    def _connect(self) -> socket.socket:
        if self.socket_path is not None:
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            sock.settimeout(self.timeout)
            sock.connect(str(self.socket_path))
            return sock
        assert self.host is not None
        return socket.create_connection((self.host, self.port), timeout=self.timeout)

    def scan(self, data: bytes) -> Verdict:
        """Stream `data` to clamd and return its verdict.

        Raises:
            ScannerUnavailable: no connection, a timeout, or an ERROR answer.
        """
        try:
            with self._connect() as sock:
                sock.sendall(b"zINSTREAM\0")
                for start in range(0, len(data), _CHUNK):
                    chunk = data[start : start + _CHUNK]
                    sock.sendall(struct.pack(">I", len(chunk)) + chunk)
                sock.sendall(struct.pack(">I", 0))
                reply = _read_reply(sock)
        except OSError as error:
            raise ScannerUnavailable(type(error).__name__) from None
        return parse_reply(reply)


def _read_reply(sock: socket.socket) -> bytes:
    reply = b""
    while not reply.endswith(b"\0") and len(reply) < _MAX_REPLY:
        part = sock.recv(1024)
        if not part:
            break
        reply += part
    return reply


def parse_reply(reply: bytes) -> Verdict:
    """Turn clamd's answer into a verdict.

    Raises:
        ScannerUnavailable: an ERROR or an answer that is neither OK nor FOUND.
    """
    text = reply.rstrip(b"\0\n").decode("utf-8", "replace")
    _, _, result = text.partition(": ")
    if result == "OK":
        return Verdict(clean=True)
    if result.endswith(" FOUND"):
        return Verdict(clean=False, signature=result.removesuffix(" FOUND")[:128])
    raise ScannerUnavailable(text[:128] or "no answer")
