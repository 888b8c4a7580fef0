"""The OpenAPI document as the exact contract: security schemes and the error answers.

FastAPI documents the 2xx answer and a 422 of its own shape. This adds what the
edge and the guards really answer, derived from each route's dependencies:

- `bearerAuth` (an access token) or `cookieAuth` (the session cookie, plus the
  `X-CSRF-Token` header on unsafe methods) on every guarded operation, none on
  public ones;
- the error envelope (`ErrorEnvelope`) for 401/403 (guarded: no session, role,
  MFA, step-up), 403 (unsafe methods: origin / CSRF / proof of work), 404 (a path
  parameter names something not found or not yours), 400/413/415 (a body: 400 when
  it is not JSON, or when it names something unusable such as a used token), 422 (any
  input), 429 (public routes' lockout and limits), 503 (Redis or the database down).

What only a route's own rules answer (a 401 for a wrong password on a public route,
a 409 for a state conflict, a 404 for an id named in the body, a 429 for a per-user
limit) the route declares with `responses=errors(...)`.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from helio.authz.access import route_permission
from helio.authz.matrix import PUBLIC_ROUTES
from helio.http.routes import api_routes

ENVELOPE = "ErrorEnvelope"
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
MESSAGES = {
    "400": "The request could not be processed (error.code says why).",
    "401": "No valid session or token.",
    "403": "Not allowed: role, MFA, step-up, origin, CSRF token or proof of work.",
    "404": "Not found, or not yours.",
    "409": "Conflicts with the current state.",
    "413": "The body is too large.",
    "415": "The body's media type is not accepted.",
    "422": "The input is not valid; error.fields names the fields.",
    "429": "Too many requests; see Retry-After.",
    "503": "A dependency is unavailable; retry after Retry-After.",
}


def errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """Declare error answers a route gives by its own rules (rendered as the envelope)."""
    return {status: {"description": MESSAGES[str(status)]} for status in statuses}


def _envelope_schema() -> dict[str, Any]:
    return {
        "title": ENVELOPE,
        "type": "object",
        "required": ["error"],
        "additionalProperties": False,
        "properties": {
            "error": {
                "type": "object",
                "required": ["code", "message", "request_id"],
                "additionalProperties": False,
                "properties": {
                    "code": {"type": "string", "pattern": "^[a-z0-9_]+$"},
                    "message": {"type": "string"},
                    "request_id": {"type": "string"},
                    "fields": {"type": "object", "additionalProperties": {"type": "string"}},
                },
            }
        },
    }


def _error(status: str) -> dict[str, Any]:
    return {
        "description": MESSAGES[status],
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{ENVELOPE}"}}},
    }


def _statuses(method: str, path: str, operation: dict[str, Any], guarded: bool) -> set[str]:
    # 422 everywhere: even a route without parameters refuses a repeated query name.
    statuses = {"503", "422"}
    if guarded:
        statuses |= {"401", "403"}
    if method in UNSAFE:
        statuses.add("403")
    if "{" in path:
        statuses.add("404")
    if "requestBody" in operation:
        statuses |= {"400", "413", "415"}
    if any(parameter["name"] == "cursor" for parameter in operation.get("parameters", [])):
        statuses.add("400")  # a cursor of the right form that does not decode
    if not guarded and method in UNSAFE:
        statuses.add("429")
    return statuses


def contract(api: FastAPI) -> dict[str, Any]:
    """Build the document: FastAPI's, with security and every guard's error answers."""
    document = get_openapi(
        title=api.title, version=api.version, routes=api.routes, description=api.description
    )
    components = document.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    schemas[ENVELOPE] = _envelope_schema()
    for unused in ("HTTPValidationError", "ValidationError"):
        schemas.pop(unused, None)
    components["securitySchemes"] = {
        "bearerAuth": {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "JWT",
            "description": "An access token from POST /api/v1/auth/token.",
        },
        "cookieAuth": {
            "type": "apiKey",
            "in": "cookie",
            "name": "__Host-helio_session",
            "description": "The session cookie set by POST /api/v1/auth/login.",
        },
        "csrfHeader": {
            "type": "apiKey",
            "in": "header",
            "name": "X-CSRF-Token",
            "description": "The CSRF cookie's value, sent back on unsafe cookie requests.",
        },
    }
    guards = {
        (route.method, route.path): route_permission(route.dependant) is not None
        for route in api_routes(api)
    }
    for path, operations in document.get("paths", {}).items():
        for method, operation in operations.items():
            verb = method.upper()
            guarded = guards.get((verb, path), (verb, path) not in PUBLIC_ROUTES)
            if guarded:
                cookie: dict[str, list[str]] = {"cookieAuth": []}
                if verb in UNSAFE:
                    cookie["csrfHeader"] = []
                operation["security"] = [{"bearerAuth": []}, cookie]
            else:
                operation["security"] = []
            responses = operation.setdefault("responses", {})
            for status in _statuses(verb, path, operation, guarded):
                responses[status] = _error(status)
            for status, response in responses.items():
                if status[0] in "45":  # every error answer is the envelope, whatever a route said
                    response["content"] = _error("400")["content"]
    return document


def install_openapi(api: FastAPI) -> None:
    """Serve the contract document (built once) as the app's OpenAPI document."""

    def openapi() -> dict[str, Any]:
        if api.openapi_schema is None:
            api.openapi_schema = contract(api)
        return api.openapi_schema

    api.openapi = openapi  # type: ignore[method-assign]
