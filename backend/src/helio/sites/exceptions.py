"""Errors of /sites."""

from __future__ import annotations

from helio.errors import Conflict, ValidationFailed

# Business limit (ASVS V2.1.3, rule SITE-6).
MAX_SITES_PER_CUSTOMER = 5


class SiteLimitReached(Conflict):
    code = "site_limit_reached"
    message = f"A customer can have at most {MAX_SITES_PER_CUSTOMER} sites (rule SITE-6)."


class GreenButtonInvalid(ValidationFailed):
    """The upload is well-formed XML but not usable Green Button usage data."""

    code, message = "invalid_green_button", "The file is not usable Green Button usage data."


class NoUsableUsage(ValidationFailed):
    code, message = "invalid_green_button", "The file shows no usable electricity use for a year."
