"""Errors of sign-up, email verification and password changes."""

from __future__ import annotations

from helio.errors import BadRequest, Forbidden


class InvalidLinkToken(BadRequest):
    code, message = "invalid_token", "This link is invalid, used or expired; request a new one."


class WrongPassword(Forbidden):
    code, message = "invalid_password", "The password is not correct."
