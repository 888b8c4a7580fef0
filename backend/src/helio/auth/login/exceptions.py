"""Errors of sign-in; messages say what to do, never which part failed."""

from __future__ import annotations

from helio.errors import Forbidden, RateLimited, ServiceUnavailable, Unauthenticated


class InvalidCredentials(Unauthenticated):
    code, message = "invalid_credentials", "Email or password is incorrect."


class EmailNotVerified(Forbidden):
    code, message = (
        "email_not_verified",
        "Confirm your email address first; we have sent you a new link.",
    )


class InvalidGrant(Unauthenticated):
    code, message = "invalid_grant", "The grant is not valid; sign in again."


class TooManyAttempts(RateLimited):
    code, message = "too_many_attempts", "Too many failed attempts; try again later."


class PasswordHashingBusy(ServiceUnavailable):
    """Too many password checks are already waiting; the client should retry shortly."""

    code, message = "auth_busy", "Sign-in is busy right now; try again in a moment."

    def __init__(self) -> None:
        super().__init__(headers={"Retry-After": "1"})
