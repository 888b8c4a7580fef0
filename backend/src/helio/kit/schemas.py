"""The one base of every request: unknown fields, NaN, infinities and type coercion refused.

Request bodies parse strictly (`strict=True`): a boolean is `true`/`false`, never `0`
or `"yes"`; a number sent as a string is refused where the schema says number; a
string is never made from a number. Time instants are ISO 8601 text *with* an
offset (`Instant`): naive times, Unix times (`0.5`) and dates beyond what UTC can
hold are a 422.

A query string carries only text, so query models (`StrictQuery`) read integers from
their digits; their instants and flags are as strict as in a body.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    PlainSerializer,
    WithJsonSchema,
)

# ISO 8601 / RFC 3339 date-time with a mandatory offset ("Z" or ±hh:mm).
INSTANT_PATTERN = r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?([Zz]|[+-]\d{2}:\d{2})$"
_INSTANT = re.compile(INSTANT_PATTERN)


def parse_instant(value: Any) -> datetime:
    """Return an aware UTC datetime from ISO 8601 text with an offset (or a datetime).

    Raises:
        ValueError: not text, no offset, not a real date, or out of the range UTC can hold.
    """
    if isinstance(value, datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError("a time needs its UTC offset (Z or +hh:mm)")
        parsed = value
    elif isinstance(value, str) and _INSTANT.match(value):
        try:
            parsed = datetime.fromisoformat(value.upper().replace("Z", "+00:00"))
        except ValueError:
            raise ValueError("not a valid ISO 8601 date and time") from None
    else:
        raise ValueError("an ISO 8601 date and time with its offset, e.g. 2026-05-01T09:00:00Z")
    try:
        return parsed.astimezone(UTC)
    except (OverflowError, ValueError):
        raise ValueError("this date is out of range") from None


def _query_flag(value: Any) -> Any:
    if isinstance(value, bool):
        return value
    if value in ("true", "false"):
        return value == "true"
    raise ValueError("true or false")


# An instant in a request: ISO 8601 with an offset, normalised to UTC.
Instant = Annotated[
    AwareDatetime,
    BeforeValidator(parse_instant),
    WithJsonSchema({"type": "string", "format": "date-time", "pattern": INSTANT_PATTERN}),
]

# A boolean in a query string: exactly "true" or "false".
QueryFlag = Annotated[
    bool,
    BeforeValidator(_query_flag),
    WithJsonSchema({"type": "boolean"}),
]


def as_utc(value: datetime) -> datetime:
    """Return a stored (naive UTC) or given time as an aware UTC time."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _utc_text(value: datetime) -> str:
    return as_utc(value).isoformat().replace("+00:00", "Z")


# An instant in an answer: always in UTC with its offset ("…Z"); a naive value from the
# database is UTC by the schema's convention.
UtcTime = Annotated[
    datetime,
    AfterValidator(as_utc),
    PlainSerializer(_utc_text, return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "format": "date-time"}, mode="serialization"),
]


class StrictInput(BaseModel):
    """A request body: extra fields are a 422, floats must be finite, no type coercion.

    Whitespace is stripped per field (`StringConstraints(strip_whitespace=True)`),
    never globally: a password keeps every character it was typed with.
    """

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, frozen=True, strict=True)


class StrictQuery(StrictInput):
    """Query parameters: as strict as a body, except that integers are read from text."""

    model_config = ConfigDict(strict=False)


def at_least_one(*names: str, null_counts: bool = False) -> dict[str, Any]:
    """The JSON Schema of a model validator's "give at least one of these fields" rule.

    `null_counts`: a field sent as null counts as given (the rule looks at the fields
    sent); otherwise one of them must be sent and not null. Written as `if`/`then`, which
    validators and fuzzers apply and typed clients leave out of their types.
    """
    if null_counts:
        none_sent: dict[str, Any] = {"not": {"anyOf": [{"required": [name]} for name in names]}}
    else:
        none_sent = {"properties": {name: {"type": "null"} for name in names}}
    return {"if": none_sent, "then": False}


def whole_number(value: Any) -> Any:
    """Return a float with no fraction as an int (JSON Schema's integers); anything else as is."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


# An integer in a body: JSON Schema's "integer" includes 240.0 (a number with no
# fraction), so the API takes it as 240; 240.5, "240" and true stay refused.
WholeNumber = Annotated[int, BeforeValidator(whole_number)]


def sent_not_null(schema: dict[str, Any]) -> None:
    """Document an optional field that may be left out but not sent as null.

    Use as `Field(default=None, json_schema_extra=sent_not_null)` on `X | None` when a
    validator refuses an explicit null: the `null` branch leaves the document.
    """
    branches = [b for b in schema.pop("anyOf", []) if b != {"type": "null"}]
    if len(branches) == 1:
        schema.update(branches[0])
    else:
        schema["anyOf"] = branches
