"""Errors of just-in-time access grants."""

from __future__ import annotations

from helio.errors import Conflict


class GrantNotPending(Conflict):
    code, message = "grant_not_pending", "This grant was already decided."


class GrantNotOpen(Conflict):
    code, message = "grant_not_open", "This grant is no longer pending or active."


class GrantAlreadyRequested(Conflict):
    code, message = "grant_pending", "A request for this customer is already waiting."
