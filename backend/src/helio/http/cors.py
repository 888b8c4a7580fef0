"""CORS from an allowlist of exact origins (Starlette's middleware, made stricter)."""

from __future__ import annotations

from starlette.datastructures import Headers, MutableHeaders
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import Response
from starlette.types import Message, Send


class StrictCORSMiddleware(CORSMiddleware):
    """Starlette's CORS, but a refused origin gets no Allow-Credentials either.

    Starlette sends its static CORS headers to every request with an Origin,
    so a refused origin would still read `Access-Control-Allow-Credentials: true`.
    """

    def preflight_response(self, request_headers: Headers) -> Response:
        """Answer a preflight; drop the credentials grant when the origin is refused."""
        response = super().preflight_response(request_headers)
        if "access-control-allow-origin" not in response.headers:
            del response.headers["access-control-allow-credentials"]
        return response

    async def send(self, message: Message, send: Send, request_headers: Headers) -> None:
        """Send a simple response; drop the credentials grant when the origin is refused."""

        async def strip_refused(outgoing: Message) -> None:
            if outgoing["type"] == "http.response.start":
                headers = MutableHeaders(scope=outgoing)
                if "access-control-allow-origin" not in headers:
                    del headers["access-control-allow-credentials"]
            await send(outgoing)

        await super().send(message, strip_refused, request_headers)
