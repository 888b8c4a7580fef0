"""What a file is, decided from its bytes alone, and the clean copy that is kept.

Pure and CPU-bound (run it through `ctx.app.cpu`). The type comes from the magic
bytes and a full parse, never from the name or the declared type. Photos are
decoded and re-encoded by Pillow (no metadata survives: EXIF, GPS, comments);
HEIC/HEIF photos are decoded by libheif (pillow-heif, Pillow's HEIF plugin) and
kept as JPEG through the same path. PDFs are parsed whole by pypdf and refused
when they carry active content.
"""

from __future__ import annotations

import io
import struct
import warnings
from dataclasses import dataclass
from typing import Any

import pillow_heif
from PIL import Image, ImageOps
from pypdf import PdfReader
from pypdf.errors import PdfReadError
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

from helio.documents.exceptions import (
    DocumentMalformed,
    DocumentPolyglot,
    EmptyFile,
    FileTooLarge,
    ImageTooLarge,
    PdfActiveContent,
    UnsupportedDocument,
)

MAX_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 25_000_000
# Pillow's own guard: above it, Image.open raises DecompressionBombError.
Image.MAX_IMAGE_PIXELS = MAX_PIXELS

JPEG, PNG, PDF, HEIF = "image/jpeg", "image/png", "application/pdf", "image/heif"
_PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
_PNG_END = b"\x00\x00\x00\x00IEND\xaeB`\x82"
# HEVC-coded HEIF (what phones write); AVIF shares the container but has no decoder here.
_HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1"}
_FORMATS = {JPEG: "JPEG", PNG: "PNG", HEIF: "HEIF"}  # Pillow's names
_KEPT_AS = {JPEG: JPEG, PNG: PNG, HEIF: JPEG}  # browsers and viewers show JPEG, not HEIC
# The primary image only: no thumbnails, depth maps or auxiliary images are decoded.
pillow_heif.register_heif_opener(thumbnails=False, depth_images=False, aux_images=False)
# Another format's structure inside the file: ZIP (local header, central directory, end).
_FOREIGN = (b"PK\x03\x04", b"PK\x01\x02", b"PK\x05\x06", b"Rar!\x1a\x07", b"7z\xbc\xaf\x27\x1c")
_MARKUP = (b"<?php", b"<script", b"<html", b"<!doctype html", b"<svg", b"<?xml")
_PDF_KEYS = {"/JS", "/JavaScript", "/OpenAction", "/AA", "/EmbeddedFiles", "/EmbeddedFile",
             "/RichMedia", "/XFA", "/Launch"}  # fmt: skip
_PDF_ACTIONS = {"/JavaScript", "/Launch", "/SubmitForm", "/ImportData", "/GoToE", "/GoToR"}
_TYPE_KEYS = {"/S", "/Type", "/Subtype"}
_PDF_REFUSED = _PDF_ACTIONS | {"/EmbeddedFile", "/Filespec", "/RichMedia"}
_MAX_PDF_OBJECTS = 200_000
_JPEG_QUALITY = 90


@dataclass(frozen=True)
class Cleaned:
    """The copy of an upload that is kept: its kind, media type and bytes."""

    kind: str  # photo | bill
    media_type: str
    data: bytes


def check_size(data: bytes) -> None:
    """Refuse an empty file or one above 10 MB.

    Raises:
        EmptyFile, FileTooLarge.
    """
    if not data:
        raise EmptyFile
    if len(data) > MAX_BYTES:
        raise FileTooLarge


def sniff(data: bytes) -> str:
    """Return the media type the magic bytes announce.

    Raises:
        EmptyFile, FileTooLarge, UnsupportedDocument.
    """
    check_size(data)
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith(_PNG_MAGIC):
        return PNG
    if data.startswith(b"%PDF-"):
        return PDF
    if data[4:8] == b"ftyp" and data[8:12] in _HEIF_BRANDS:
        return HEIF
    raise UnsupportedDocument


def _refuse_foreign(data: bytes) -> None:
    if any(marker in data for marker in _FOREIGN):
        raise DocumentPolyglot
    head = data[:4096].lower()
    if any(marker in head for marker in _MARKUP):
        raise DocumentPolyglot


def clean(data: bytes) -> Cleaned:
    """Decide what `data` is and return the copy to keep.

    Raises:
        EmptyFile, FileTooLarge, UnsupportedDocument: by the magic bytes.
        DocumentPolyglot: trailing data or another format's structure inside.
        DocumentMalformed: it does not parse whole as the type it starts as.
        ImageTooLarge: a photo above 25 megapixels (decompression bombs included).
        PdfActiveContent: a PDF with scripts, actions, embedded files or encryption.
    """
    media_type = sniff(data)
    _refuse_foreign(data)
    if media_type == PDF:
        _check_pdf(data)
        return Cleaned("bill", PDF, data)
    return Cleaned("photo", _KEPT_AS[media_type], _reencode(data, media_type))


def _check_trailer(data: bytes, media_type: str) -> None:
    # Nothing may follow the image's end marker (a file appended to a photo).
    if media_type == JPEG and not data.endswith(b"\xff\xd9"):
        raise DocumentPolyglot
    if media_type == PNG and not data.endswith(_PNG_END):
        raise DocumentPolyglot
    if media_type == HEIF:
        _check_boxes(data)


def _check_boxes(data: bytes) -> None:
    """The file's top-level ISO BMFF boxes must cover it exactly: nothing appended."""
    offset = 0
    while offset < len(data):
        if len(data) - offset < 8:
            raise DocumentPolyglot
        size = int.from_bytes(data[offset : offset + 4], "big")
        if size == 1:  # a 64-bit size follows the box type
            size = int.from_bytes(data[offset + 8 : offset + 16], "big")
        elif size == 0:  # the box runs to the end of the file
            size = len(data) - offset
        if size < 8 or offset + size > len(data):
            raise DocumentMalformed
        offset += size


def _reencode(data: bytes, media_type: str) -> bytes:
    _check_trailer(data, media_type)
    expected = _FORMATS[media_type]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=[expected]) as probe:
                _check_pixels(probe.size)
                probe.verify()
            with Image.open(io.BytesIO(data), formats=[expected]) as image:
                _check_pixels(image.size)
                image.load()
                upright = ImageOps.exif_transpose(image)
                return _encode(upright, _FORMATS[_KEPT_AS[media_type]])
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageTooLarge from None
    except (OSError, ValueError, SyntaxError, struct.error) as error:
        raise DocumentMalformed from error


def _check_pixels(size: tuple[int, int]) -> None:
    width, height = size
    if width <= 0 or height <= 0:
        raise DocumentMalformed
    if width * height > MAX_PIXELS:
        raise ImageTooLarge


def _encode(image: Image.Image, fmt: str) -> bytes:
    # A new image from the pixels only: no info dict, EXIF, XMP, ICC or text chunks.
    mode = "RGB" if fmt == "JPEG" else ("RGBA" if "A" in image.getbands() else "RGB")
    if image.mode not in ("L", mode):
        image = image.convert(mode)
    pixels = Image.new(image.mode, image.size)
    pixels.paste(image)
    out = io.BytesIO()
    if fmt == "JPEG":
        pixels.save(out, format="JPEG", quality=_JPEG_QUALITY)
    else:
        pixels.save(out, format="PNG")
    return out.getvalue()


def _check_pdf(data: bytes) -> None:
    if not data.rstrip(b"\r\n\t \0").endswith(b"%%EOF"):
        raise DocumentPolyglot
    try:
        reader = PdfReader(io.BytesIO(data), strict=True)
        if reader.is_encrypted:
            raise PdfActiveContent
        if len(reader.pages) < 1:
            raise DocumentMalformed
        _walk(reader.trailer)
        for page in reader.pages:
            page.extract_text()  # parses every content stream
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, RecursionError) as e:
        raise DocumentMalformed from e


def _walk(root: Any) -> None:
    """Visit every object reachable from the trailer; refuse any active-content marker."""
    seen: set[tuple[int, int]] = set()
    stack: list[Any] = [root]
    while stack:
        item = stack.pop()
        if isinstance(item, IndirectObject):
            ref = (item.idnum, item.generation)
            if ref in seen:
                continue
            seen.add(ref)
            if len(seen) > _MAX_PDF_OBJECTS:
                raise DocumentMalformed
            stack.append(item.get_object())
        elif isinstance(item, DictionaryObject):
            for key, value in item.items():
                if key in _PDF_KEYS:
                    raise PdfActiveContent
                if key in _TYPE_KEYS and isinstance(value, NameObject) and value in _PDF_REFUSED:
                    raise PdfActiveContent
                stack.append(value)
        elif isinstance(item, ArrayObject):
            stack.extend(item)
