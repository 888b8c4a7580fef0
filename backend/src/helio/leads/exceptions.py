"""Errors of /leads and /staff/leads."""

from __future__ import annotations

from helio.errors import Conflict, Forbidden, RateLimited, ValidationFailed


class LeadsFromAddressLimited(RateLimited):
    """Too many leads from one address or network this hour."""


class LeadNotYours(Forbidden):
    code = "lead_not_yours"
    message = "Claim this lead (assign it to yourself) before changing or converting it."


class LeadConverted(Conflict):
    code, message = "lead_converted", "This lead became a customer; it no longer changes."


class LeadHasNoEmail(ValidationFailed):
    code = "lead_has_no_email"
    message = "An invitation needs the lead's email address; add it first."


class LeadEmailTaken(Conflict):
    code = "lead_email_taken"
    message = "This email address belongs to a staff account; it cannot be a customer's."


class StatusNotSettable(ValidationFailed):
    code = "status_not_settable"
    message = "A lead becomes converted through its conversion, not by setting the status."
