"""Refuse request bodies of a media type the API does not speak (415).

JSON everywhere, multipart or XML for uploads. Refusing the rest also closes
the "simple request" path a cross-site form would use (text/plain, urlencoded).
"""

from __future__ import annotations

import json

from starlette.types import ASGIApp, Receive, Scope, Send

from helio.errors import error_body
from helio.logging import current_request_id

ACCEPTED = (b"application/json", b"multipart/form-data", b"application/xml", b"text/xml")
BODY_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


class ContentTypeMiddleware:
    """Answer 415 to a request with a body whose Content-Type is not accepted."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] in BODY_METHODS and _refused(scope):
            body = json.dumps(
                error_body(
                    "unsupported_media_type",
                    "Send JSON (application/json), or multipart/form-data or XML for uploads.",
                    current_request_id(),
                )
            ).encode()
            await send(
                {
                    "type": "http.response.start",
                    "status": 415,
                    "headers": [
                        (b"content-type", b"application/json"),
                        (b"content-length", str(len(body)).encode()),
                    ],
                }
            )
            await send({"type": "http.response.body", "body": body})
            return
        await self.app(scope, receive, send)


def _refused(scope: Scope) -> bool:
    headers = dict(scope.get("headers", []))
    has_body = headers.get(b"content-length", b"0") != b"0" or b"transfer-encoding" in headers
    if not has_body:
        return False
    media_type = headers.get(b"content-type", b"").split(b";")[0].strip().lower()
    return media_type not in ACCEPTED
