"""Shapes shared by the staff console's inputs and outputs."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from pydantic import AfterValidator, ConfigDict, StringConstraints

# Inputs refuse unknown fields: a role, owner, status or id sent along is a 422.
INPUT = ConfigDict(extra="forbid", str_strip_whitespace=True)

REASON_MIN_CHARS = 10
REASON_MAX_CHARS = 500

Reason = Annotated[str, StringConstraints(min_length=REASON_MIN_CHARS, max_length=REASON_MAX_CHARS)]
ObjectId = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{32}$")]


def _as_utc(value: datetime | None) -> datetime | None:
    return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value


UtcTime = Annotated[datetime, AfterValidator(_as_utc)]
