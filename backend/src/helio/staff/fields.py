"""Field types shared by the staff console's inputs and outputs."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from pydantic import AfterValidator, StringConstraints

from helio.kit.ids import ID_PATTERN

REASON_MIN_CHARS = 10
REASON_MAX_CHARS = 500
DEFAULT_LIMIT = 50
MAX_LIMIT = 200

Reason = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, min_length=REASON_MIN_CHARS, max_length=REASON_MAX_CHARS
    ),
]
ObjectId = Annotated[str, StringConstraints(strip_whitespace=True, pattern=ID_PATTERN)]


def _as_utc(value: datetime | None) -> datetime | None:
    return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value


UtcTime = Annotated[datetime, AfterValidator(_as_utc)]
