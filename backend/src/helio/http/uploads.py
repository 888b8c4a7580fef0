"""Bodies that are JSON figures or an uploaded XML document (raw or one multipart file)."""

from __future__ import annotations

from typing import Any, TypeVar

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ValidationError
from starlette.datastructures import UploadFile

from helio.errors import BadRequest, PayloadTooLarge, UnsupportedMediaType

Model = TypeVar("Model", bound=BaseModel)
# Room for the multipart boundaries and part headers around the file.
_MULTIPART_OVERHEAD = 64 * 1024
_FILE_FIELD = "file"
_XML_PART_TYPES = frozenset(
    {"", "application/xml", "text/xml", "application/atom+xml", "application/octet-stream"}
)


def openapi_body(model: type[BaseModel]) -> dict[str, Any]:
    """Return the OpenAPI request body of a route that takes `model` as JSON or an XML file."""
    return {
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": model.model_json_schema()},
                "application/xml": {"schema": {"type": "string", "format": "binary"}},
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "properties": {_FILE_FIELD: {"type": "string", "format": "binary"}},
                        "required": [_FILE_FIELD],
                        "additionalProperties": False,
                    }
                },
            },
        }
    }


class UploadTooLarge(PayloadTooLarge):
    code, message = "file_too_large", "The file is too large."


def _media_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";", 1)[0].strip().lower()


def _refuse_declared_size(request: Request, allowance: int, too_large: UploadTooLarge) -> None:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > allowance:
        raise too_large


async def read_json_or_xml(
    request: Request, model: type[Model], *, max_bytes: int, label: str
) -> Model | bytes:
    """Return the body validated as `model` when JSON, or the bytes of an uploaded XML file.

    Args:
        request: the request; its body is read here, at most `max_bytes` of XML.
        model: what a JSON body must be.
        max_bytes: the largest XML document accepted.
        label: what the file is, for the 413 message ("Green Button file").

    Returns:
        The validated model, or the raw document for its parser.

    Raises:
        RequestValidationError: JSON that is not a valid `model` (422).
        UploadTooLarge: an XML document over the limit (413).
        UnsupportedMediaType: any other content type (415).
        BadRequest: a multipart body without exactly one file field (400).
    """
    too_large = UploadTooLarge(f"A {label} may be at most {max_bytes} bytes.")
    media_type = _media_type(request)
    if media_type == "application/json":
        return _json(await request.body(), model)
    if media_type == "application/xml":
        return await _raw_xml(request, max_bytes, too_large)
    if media_type == "multipart/form-data":
        return await _multipart_xml(request, max_bytes, too_large)
    raise UnsupportedMediaType(
        "Send application/json, application/xml or a multipart/form-data file."
    )


def _json(body: bytes, model: type[Model]) -> Model:
    try:
        return model.model_validate_json(body)
    except ValidationError as error:
        raise RequestValidationError(
            [{**e, "loc": ("body", *e["loc"])} for e in error.errors(include_input=False)]
        ) from None


async def _raw_xml(request: Request, max_bytes: int, too_large: UploadTooLarge) -> bytes:
    _refuse_declared_size(request, max_bytes, too_large)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > max_bytes:
            raise too_large
        chunks.append(chunk)
    return b"".join(chunks)


async def _multipart_xml(request: Request, max_bytes: int, too_large: UploadTooLarge) -> bytes:
    _refuse_declared_size(request, max_bytes + _MULTIPART_OVERHEAD, too_large)
    async with request.form(max_files=1, max_fields=1, max_part_size=1024) as form:
        files = form.getlist(_FILE_FIELD)
        if len(files) != 1 or not isinstance(files[0], UploadFile) or len(form) != 1:
            raise BadRequest(f"Send exactly one file, in the form field '{_FILE_FIELD}'.")
        upload = files[0]
        part_type = (upload.content_type or "").split(";", 1)[0].strip().lower()
        if part_type not in _XML_PART_TYPES:
            raise UnsupportedMediaType("The uploaded file must be an XML document.")
        data = await upload.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise too_large
    return data


def openapi_file_body(description: str) -> dict[str, Any]:
    """Return the OpenAPI request body of a route that takes one multipart file."""
    return {
        "requestBody": {
            "required": True,
            "content": {
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "properties": {
                            _FILE_FIELD: {
                                "type": "string",
                                "format": "binary",
                                "description": description,
                            }
                        },
                        "required": [_FILE_FIELD],
                        "additionalProperties": False,
                    }
                }
            },
        }
    }


async def read_one_file(request: Request, *, max_bytes: int) -> tuple[bytes, str | None]:
    """Return the bytes and the client's name of the one file of a multipart body.

    At most `max_bytes + 1` bytes of the file are returned (the caller refuses more);
    the body itself is capped while it streams (`BodyLimitMiddleware`).

    Raises:
        UnsupportedMediaType: the body is not multipart/form-data.
        BadRequest: not exactly one file in the field `file`, or other fields.
        UploadTooLarge: the declared length is over the limit.
    """
    if _media_type(request) != "multipart/form-data":
        raise UnsupportedMediaType(f"Send the file as multipart/form-data, field '{_FILE_FIELD}'.")
    _refuse_declared_size(request, max_bytes + _MULTIPART_OVERHEAD, UploadTooLarge())
    async with request.form(max_files=1, max_fields=1, max_part_size=1024) as form:
        files = form.getlist(_FILE_FIELD)
        if len(files) != 1 or not isinstance(files[0], UploadFile) or len(form) != 1:
            raise BadRequest(f"Send exactly one file, in the form field '{_FILE_FIELD}'.")
        upload = files[0]
        return await upload.read(max_bytes + 1), upload.filename
