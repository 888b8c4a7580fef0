"""Errors of sessions and the CSRF check."""

from __future__ import annotations

from helio.errors import Forbidden, Unauthenticated


class SessionInvalid(Unauthenticated):
    code, message = "session_invalid", "Your session has ended; sign in again."


class CsrfRefused(Forbidden):
    code, message = "csrf_failed", "The request failed the cross-site request forgery check."


class ForeignOrigin(Forbidden):
    code, message = "origin_refused", "Requests from this origin are not accepted."
