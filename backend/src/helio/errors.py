"""Application errors and the uniform error envelope of API.md."""

from __future__ import annotations

from typing import Any


class AppError(Exception):
    """An error the client may see: a status, a snake_case code and a safe message."""

    status: int = 400
    code: str = "bad_request"
    message: str = "The request could not be processed."

    def __init__(
        self,
        message: str | None = None,
        *,
        code: str | None = None,
        status: int | None = None,
        fields: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.message = message or type(self).message
        self.code = code or type(self).code
        self.status = status or type(self).status
        self.fields = fields
        self.headers = headers or {}
        super().__init__(self.message)


class BadRequest(AppError):
    status, code, message = 400, "bad_request", "The request could not be processed."


class Unauthenticated(AppError):
    status, code, message = 401, "unauthenticated", "Authentication is required."


class Forbidden(AppError):
    status, code, message = 403, "forbidden", "You may not do this."


class StepUpRequired(Forbidden):
    code, message = "step_up_required", "Confirm your identity again (MFA step-up) to do this."


class NotFound(AppError):
    status, code, message = 404, "not_found", "Not found."


class Conflict(AppError):
    status, code, message = 409, "conflict", "The request conflicts with the current state."


class PayloadTooLarge(AppError):
    status, code, message = 413, "payload_too_large", "The request body is too large."


class UnsupportedMediaType(AppError):
    status, code, message = 415, "unsupported_media_type", "This content type is not accepted."


class ValidationFailed(AppError):
    status, code, message = 422, "validation_failed", "The request is not valid."


class RateLimited(AppError):
    status, code, message = 429, "rate_limited", "Too many requests; try again later."

    def __init__(self, retry_after: int, message: str | None = None, *, code: str | None = None):
        super().__init__(message, code=code, headers={"Retry-After": str(max(1, retry_after))})
        self.retry_after = max(1, retry_after)


class ServiceUnavailable(AppError):
    status, code, message = 503, "unavailable", "The service is temporarily unavailable."


def error_body(
    code: str, message: str, request_id: str, fields: dict[str, str] | None = None
) -> dict[str, Any]:
    """Build the uniform error body: {"error": {code, message, request_id, fields?}}."""
    error: dict[str, Any] = {"code": code, "message": message, "request_id": request_id}
    if fields:
        error["fields"] = fields
    return {"error": error}
