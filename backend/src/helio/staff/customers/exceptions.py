"""Errors of the staff view of customers."""

from __future__ import annotations

from helio.errors import Conflict


class AlreadyVerified(Conflict):
    code, message = "already_verified", "This email address is already verified."
