"""Files for the document tests, built at test time: photos with GPS, PDFs with active
content, polyglots, bombs, the EICAR test string (from parts), and a fake clamd."""

from __future__ import annotations

import io
import socketserver
import struct
import threading
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pillow_heif
from PIL import ExifTags, Image
from pypdf import PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, TextStringObject

from helio.authz.matrix import Perm
from helio.documents import service
from helio.documents.schemas import DocumentRead
from helio.platform.app import App
from tests.factories.accounts import caller

GPS_LATITUDE = ((51, 1), (30, 1), (2616, 100))


def jpeg(size: tuple[int, int] = (64, 48), *, gps: bool = False, color: str = "orange") -> bytes:
    """Return a JPEG, with camera EXIF and a GPS position when asked."""
    image = Image.new("RGB", size, color)
    exif = Image.Exif()
    if gps:
        exif[ExifTags.Base.Make] = "RoofCam"
        exif[ExifTags.Base.Model] = "GPS-9000"
        gps_ifd = exif.get_ifd(ExifTags.IFD.GPSInfo)
        gps_ifd[ExifTags.GPS.GPSLatitudeRef] = "N"
        gps_ifd[ExifTags.GPS.GPSLatitude] = tuple(a / b for a, b in GPS_LATITUDE)
        gps_ifd[ExifTags.GPS.GPSLongitudeRef] = "W"
        gps_ifd[ExifTags.GPS.GPSLongitude] = (0.0, 7.0, 39.0)
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif.tobytes() if gps else b"", quality=90)
    return out.getvalue()


def heic(size: tuple[int, int] = (64, 48), *, gps: bool = False, color: str = "teal") -> bytes:
    """Return a HEIC photo (HEVC in HEIF, as phones write), with camera EXIF and GPS when asked."""
    image = Image.new("RGB", size, color)
    exif = Image.Exif()
    if gps:
        exif[ExifTags.Base.Make] = "RoofCam"
        exif[ExifTags.Base.Model] = "GPS-9000"
        gps_ifd = exif.get_ifd(ExifTags.IFD.GPSInfo)
        gps_ifd[ExifTags.GPS.GPSLatitudeRef] = "N"
        gps_ifd[ExifTags.GPS.GPSLatitude] = tuple(a / b for a, b in GPS_LATITUDE)
    out = io.BytesIO()
    heif = pillow_heif.from_pillow(image)
    heif.save(out, quality=80, exif=exif.tobytes() if gps else None)
    return out.getvalue()


def heic_claiming(width: int, height: int) -> bytes:
    """A small HEIC whose header (the `ispe` property) claims another size: a bomb's disguise."""
    data = bytearray(heic((64, 64)))  # whole coding blocks: no crop box narrows the claimed size
    at = data.index(b"ispe") + 8  # after the type, the version and the flags
    data[at : at + 8] = struct.pack(">II", width, height)
    return bytes(data)


def png(size: tuple[int, int] = (32, 32)) -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", size, (0, 128, 255, 200)).save(out, format="PNG")
    return out.getvalue()


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_bomb(width: int = 50_000, height: int = 50_000) -> bytes:
    """A tiny PNG that claims billions of pixels: rows of zeros compress to almost nothing."""
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # 1-bit greyscale
    row = b"\x00" * (1 + (width + 7) // 8)
    compressor = zlib.compressobj(9)
    body = b"".join(compressor.compress(row) for _ in range(min(height, 2000)))
    body += compressor.flush()
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", body)
        + _chunk(b"IEND", b"")
    )


def zip_archive() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("payload.php", "<?php system($_GET['c']); ?>")
    return out.getvalue()


def pdf(*, javascript: bool = False, launch: bool = False, attachment: bool = False,
        encrypted: bool = False) -> bytes:  # fmt: skip
    """Return a one-page PDF, with the active content asked for."""
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    if javascript:
        script = DictionaryObject(
            {
                NameObject("/S"): NameObject("/JavaScript"),
                NameObject("/JS"): TextStringObject("app.alert('hi');"),
            }
        )
        tree = DictionaryObject(
            {
                NameObject("/Names"): ArrayObject(
                    [TextStringObject("go"), writer._add_object(script)]
                )
            }
        )
        writer._root_object[NameObject("/Names")] = DictionaryObject(
            {NameObject("/JavaScript"): writer._add_object(tree)}
        )
    if launch:
        action = DictionaryObject(
            {
                NameObject("/S"): NameObject("/Launch"),
                NameObject("/F"): TextStringObject("calc.exe"),
            }
        )
        writer._root_object[NameObject("/OpenAction")] = writer._add_object(action)
    if attachment:
        writer.add_attachment("notes.txt", b"hello")
    if encrypted:
        writer.encrypt("secret-password")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def eicar() -> bytes:
    """The EICAR anti-virus test string, put together here so the repository never holds it."""
    parts = ["X5O!P%@AP[4\\PZX54(P^)7CC)7}$", "EICAR-STANDARD-", "ANTIVIRUS-TEST-FILE!$H+H*"]
    return "".join(parts).encode()


class _Clamd(socketserver.BaseRequestHandler):
    server: _ClamdServer

    def handle(self) -> None:
        command = b""
        while not command.endswith(b"\0"):
            part = self.request.recv(1)
            if not part:
                return
            command += part
        if command != b"zINSTREAM\0":
            self.request.sendall(b"UNKNOWN COMMAND\0")
            return
        data = b""
        while True:
            size = struct.unpack(">I", self._exactly(4))[0]
            if size == 0:
                break
            data += self._exactly(size)
        self.server.scanned.append(len(data))
        found = [name for name, signature in self.server.signatures if signature in data]
        reply = f"stream: {found[0]} FOUND\0" if found else "stream: OK\0"
        self.request.sendall(reply.encode())

    def _exactly(self, n: int) -> bytes:
        data = b""
        while len(data) < n:
            part = self.request.recv(n - len(data))
            if not part:
                raise ConnectionError
            data += part
        return data


class _ClamdServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, signatures: list[tuple[str, bytes]]) -> None:
        super().__init__(("127.0.0.1", 0), _Clamd)
        self.signatures = signatures
        self.scanned: list[int] = []


@contextmanager
def fake_clamd(signature_file: Path) -> Iterator[_ClamdServer]:
    """A local clamd speaking INSTREAM, flagging the signatures of a `name:hex` file."""
    signatures = []
    for line in signature_file.read_text().splitlines():
        name, _, hexed = line.partition(":")
        signatures.append((name, bytes.fromhex(hexed)))
    server = _ClamdServer(signatures)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def eicar_signature_file(directory: Path) -> Path:
    """Write a signature database naming the EICAR string (hex), as a test fixture."""
    path = directory / "test-signatures.txt"
    path.write_text(f"Eicar-Test-Signature:{eicar().hex()}\n")
    return path


async def upload_document(
    app: App, owner_id: str, site_id: str, data: bytes, *, name: str = "roof.jpg",
    order_id: str | None = None,
) -> DocumentRead:  # fmt: skip
    """Upload a document the way the route does, for the owner."""

    async def read() -> tuple[bytes, str | None]:
        return data, name

    async with app.db.transaction() as session:
        return await service.upload(
            session,
            caller(app, owner_id, Perm.DOCUMENTS_CREATE),
            site_id=site_id,
            order_id=order_id,
            read=read,
        )
