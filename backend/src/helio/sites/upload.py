"""The body of PUT /sites/{id}/usage: JSON figures, a raw XML body or a multipart file."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError
from starlette.datastructures import UploadFile

from helio.errors import BadRequest, PayloadTooLarge, UnsupportedMediaType
from helio.security.xml import DEFAULT_MAX_BYTES
from helio.sites.schemas import UsageIn

# Green Button uploads (ASVS V5.1.1): one XML document of at most 5 MB.
MAX_GREEN_BUTTON_BYTES = DEFAULT_MAX_BYTES
# Room for the multipart boundaries and part headers around the file.
_MULTIPART_OVERHEAD = 64 * 1024
_FILE_FIELD = "file"
_XML_PART_TYPES = frozenset(
    {"", "application/xml", "text/xml", "application/atom+xml", "application/octet-stream"}
)

OPENAPI_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": UsageIn.model_json_schema()},
            "application/xml": {"schema": {"type": "string", "format": "binary"}},
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {_FILE_FIELD: {"type": "string", "format": "binary"}},
                    "required": [_FILE_FIELD],
                }
            },
        },
    }
}


class UploadTooLarge(PayloadTooLarge):
    code = "file_too_large"
    message = f"A Green Button file may be at most {MAX_GREEN_BUTTON_BYTES} bytes."


def _media_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";", 1)[0].strip().lower()


def _refuse_declared_size(request: Request, allowance: int) -> None:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > allowance:
        raise UploadTooLarge


async def read_usage_body(request: Request) -> UsageIn | bytes:
    """Return the monthly figures sent as JSON, or the bytes of an uploaded XML file.

    Args:
        request: the PUT request; its body is read here, at most 5 MB of XML.

    Returns:
        The validated figures, or the raw document for the Green Button parser.

    Raises:
        RequestValidationError: JSON that is not twelve monthly figures (422).
        UploadTooLarge: an XML document over the limit (413).
        UnsupportedMediaType: any other content type (415).
        BadRequest: a multipart body without exactly one file field (400).
    """
    media_type = _media_type(request)
    if media_type == "application/json":
        return _usage_json(await request.body())
    if media_type == "application/xml":
        return await _raw_xml(request)
    if media_type == "multipart/form-data":
        return await _multipart_xml(request)
    raise UnsupportedMediaType(
        "Send application/json, application/xml or a multipart/form-data file."
    )


def _usage_json(body: bytes) -> UsageIn:
    try:
        return UsageIn.model_validate_json(body)
    except ValidationError as error:
        raise RequestValidationError(
            [{**e, "loc": ("body", *e["loc"])} for e in error.errors(include_input=False)]
        ) from None


async def _raw_xml(request: Request) -> bytes:
    _refuse_declared_size(request, MAX_GREEN_BUTTON_BYTES)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_GREEN_BUTTON_BYTES:
            raise UploadTooLarge
        chunks.append(chunk)
    return b"".join(chunks)


async def _multipart_xml(request: Request) -> bytes:
    _refuse_declared_size(request, MAX_GREEN_BUTTON_BYTES + _MULTIPART_OVERHEAD)
    async with request.form(max_files=1, max_fields=1, max_part_size=1024) as form:
        files = form.getlist(_FILE_FIELD)
        if len(files) != 1 or not isinstance(files[0], UploadFile) or len(form) != 1:
            raise BadRequest(f"Send exactly one file, in the form field '{_FILE_FIELD}'.")
        upload = files[0]
        part_type = (upload.content_type or "").split(";", 1)[0].strip().lower()
        if part_type not in _XML_PART_TYPES:
            raise UnsupportedMediaType("The uploaded file must be an XML document.")
        data = await upload.read(MAX_GREEN_BUTTON_BYTES + 1)
    if len(data) > MAX_GREEN_BUTTON_BYTES:
        raise UploadTooLarge
    return data
