"""Errors of staff administration."""

from __future__ import annotations

from helio.errors import Conflict


class EmailTaken(Conflict):
    code, message = "email_taken", "An account with this email address already exists."
