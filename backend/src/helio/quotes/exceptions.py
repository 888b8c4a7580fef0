"""Errors of /quotes and of the quote engine."""

from __future__ import annotations

from helio.errors import Conflict, RateLimited, ValidationFailed


class WeatherInvalid(ValidationFailed):
    """The supplied weather year cannot be simulated."""

    code, message = "invalid_weather", "The weather data is not a usable hourly year."


class RoofTooSmall(ValidationFailed):
    """No roof plane can hold a single panel."""

    code, message = "roof_too_small", "No roof plane is large enough for one panel."


class UsageRequired(ValidationFailed):
    code = "usage_required"
    message = "Enter the site's energy use before asking for a quote (rule QUOTE-1)."


class QuoteQuotaReached(RateLimited):
    """The owner's daily quote quota is used up (rule QUOTE-2)."""


class ModelVersionMismatch(Conflict):
    code = "model_version_mismatch"
    message = "This quote was computed by another model version and cannot be recomputed here."


class WeatherMismatch(Conflict):
    code = "weather_mismatch"
    message = "This weather year is not the one the quote was computed from."


class WeatherUnavailable(Conflict):
    code = "weather_unavailable"
    message = "The weather year this quote was computed from cannot be obtained again."
