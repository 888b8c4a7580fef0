"""Refuse requests in a shape the API does not speak, before any routing.

Bodies: JSON everywhere, multipart or XML for uploads (else 415). Refusing the rest
also closes the "simple request" path a cross-site form would use (text/plain,
urlencoded). Query strings: no API parameter is a list, so a repeated name is
parameter pollution (a proxy and the API could each read another copy): 422.
"""

from __future__ import annotations

import json
from urllib.parse import parse_qsl

from starlette.types import ASGIApp, Receive, Scope, Send

from helio.errors import error_body
from helio.logging import current_request_id

ACCEPTED = (b"application/json", b"multipart/form-data", b"application/xml", b"text/xml")
BODY_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


class ContentTypeMiddleware:
    """Answer 415 to a body of a refused media type, 422 to a repeated query parameter."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] in BODY_METHODS and _refused(scope):
            await _answer(
                send,
                415,
                "unsupported_media_type",
                "Send JSON (application/json), or multipart/form-data or XML for uploads.",
            )
            return
        if scope["type"] == "http" and _repeated_parameter(scope.get("query_string", b"")):
            await _answer(
                send, 422, "duplicate_parameter", "Each query parameter may be given only once."
            )
            return
        await self.app(scope, receive, send)


def _repeated_parameter(query: bytes) -> bool:
    if not query:
        return False
    names = [name for name, _ in parse_qsl(query.decode("latin-1"), keep_blank_values=True)]
    return len(names) != len(set(names))


async def _answer(send: Send, status: int, code: str, message: str) -> None:
    body = json.dumps(error_body(code, message, current_request_id())).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def _refused(scope: Scope) -> bool:
    headers = dict(scope.get("headers", []))
    has_body = headers.get(b"content-length", b"0") != b"0" or b"transfer-encoding" in headers
    if not has_body:
        return False
    media_type = headers.get(b"content-type", b"").split(b";")[0].strip().lower()
    return media_type not in ACCEPTED
