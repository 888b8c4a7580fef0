"""Errors the quote engine raises; each is a 422 the client can act on."""

from __future__ import annotations

from helio.errors import ValidationFailed


class WeatherInvalid(ValidationFailed):
    """The supplied weather year cannot be simulated."""

    code, message = "invalid_weather", "The weather data is not a usable hourly year."


class RoofTooSmall(ValidationFailed):
    """No roof plane can hold a single panel."""

    code, message = "roof_too_small", "No roof plane is large enough for one panel."
