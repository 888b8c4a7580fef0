"""The one base of every request body: unknown fields, NaN and infinities are refused."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class StrictInput(BaseModel):
    """A request body or query: extra fields are a 422, floats must be finite, values frozen.

    Whitespace is stripped per field (`StringConstraints(strip_whitespace=True)`),
    never globally: a password keeps every character it was typed with.
    """

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, frozen=True)
