"""Where a request came from: its id, client address, user agent and origin, resolved once."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class RequestMeta:
    """What the request-context middleware resolved; empty outside a request (CLI, jobs)."""

    request_id: str | None = None
    client_ip: str | None = None
    user_agent: str | None = None
    origin: str | None = None  # the Origin header, or the origin of the Referer without one


NO_REQUEST = RequestMeta()
