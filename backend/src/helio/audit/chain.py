"""The audit hash chain: canonical form and link hashes."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import orjson

GENESIS_HASH = "0" * 64
CHAIN = "main"

# Fields that the hash covers, in this order; adding one is a new chain version.
HASHED_FIELDS = (
    "seq",
    "id",
    "occurred_at",
    "actor_id",
    "actor_roles",
    "session_id",
    "action",
    "resource_type",
    "resource_id",
    "outcome",
    "reason",
    "client_ip",
    "user_agent",
    "request_id",
    "details",
)
_OCCURRED_AT = HASHED_FIELDS.index("occurred_at")
_DETAILS = HASHED_FIELDS.index("details")
_FIELD_COUNT = len(HASHED_FIELDS)


def _refuse(value: object) -> object:
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


# The same output as json.dumps(sort_keys=True, separators=(",", ":"), ensure_ascii=True),
# built once: json.dumps makes a new encoder per call, a third of the cost of verifying a row.
_C_ENCODER = getattr(json.encoder, "c_make_encoder", None)
_ENCODE: Any = (
    _C_ENCODER(
        None, _refuse, json.encoder.encode_basestring_ascii, None, ":", ",", True, False, True
    )
    if _C_ENCODER is not None
    else None
)


def _dumps(values: list[Any]) -> bytes:
    if _ENCODE is None:
        text = json.dumps(values, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
        return text.encode()
    return "".join(_ENCODE(values, 0)).encode()


def _timestamp(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.replace(tzinfo=None).isoformat(timespec="microseconds")
    return value


def canonical(fields: dict[str, Any]) -> bytes:
    """Return the canonical bytes of an event's hashed fields.

    A compact ASCII JSON array of the HASHED_FIELDS values in order (objects
    inside `details` with sorted keys; `occurred_at` as naive UTC ISO 8601 with
    microseconds). An array, not an object: encoding it costs a third as much,
    which is most of the verifier's time.
    """
    return _dumps([_timestamp(fields.get(name)) for name in HASHED_FIELDS])


def canonical_row(values: Sequence[Any]) -> bytes:
    """Return the canonical bytes of an event given as values in HASHED_FIELDS order."""
    out = list(values)
    if len(out) != _FIELD_COUNT:
        raise ValueError("an event has exactly the HASHED_FIELDS values")
    out[_OCCURRED_AT] = _timestamp(out[_OCCURRED_AT])
    return _dumps(out)


def stored_values(row: Sequence[Any]) -> list[Any]:
    """Return the hashed fields of a row read without type processing, as written.

    The driver returns `details` as JSON text and, on SQLite, `occurred_at` as text.
    """
    values = list(row[:_FIELD_COUNT])
    details = values[_DETAILS]
    if isinstance(details, str | bytes):
        values[_DETAILS] = json.loads(details)
    occurred = values[_OCCURRED_AT]
    if isinstance(occurred, str):
        values[_OCCURRED_AT] = datetime.fromisoformat(occurred)
    return values


_SORTED = orjson.OPT_SORT_KEYS


def stored_row_matches(prev_hash: str, row: Sequence[Any], stored_hash: str) -> bool:
    """True when a row read without type processing hashes to `stored_hash` (the hot path).

    orjson encodes first: for ASCII content its compact, key-sorted output is the
    canonical text byte for byte. When its bytes differ (non-ASCII text, a float it
    writes differently, a timestamp on a whole second, whose zero microseconds it
    leaves out) or it cannot encode the row, the hash is computed again with the
    canonical encoder, so a row is judged by the exact canonical form either way.
    Accepting a match of the orjson bytes is sound: they are valid JSON that decodes
    to exactly these values.
    """
    values = list(row[:_FIELD_COUNT])
    details = values[_DETAILS]
    occurred = values[_OCCURRED_AT]
    try:
        if type(details) is str or type(details) is bytes:
            values[_DETAILS] = orjson.loads(details)
        if type(occurred) is not datetime or occurred.tzinfo is not None:
            raise ValueError("not a naive datetime")  # text on SQLite: the exact path decides
        encoded = orjson.dumps(values, option=_SORTED)
    except (TypeError, ValueError):  # orjson's errors too: NaN, huge integers
        encoded = b""
    if (
        encoded
        and encoded.isascii()
        and hashlib.sha256(prev_hash.encode("ascii") + encoded).hexdigest() == stored_hash
    ):
        return True
    return stored_row_hash(prev_hash, row) == stored_hash


def stored_row_hash(prev_hash: str, row: Sequence[Any]) -> str:
    """Return the link hash of a row read without type processing (the verifier's hot path)."""
    values = stored_values(row)
    values[_OCCURRED_AT] = _timestamp(values[_OCCURRED_AT])
    return hashlib.sha256(prev_hash.encode("ascii") + _dumps(values)).hexdigest()


def link_hash(prev_hash: str, fields: dict[str, Any]) -> str:
    """Return SHA-256(prev_hash ‖ canonical(event)) as hex."""
    return hashlib.sha256(prev_hash.encode("ascii") + canonical(fields)).hexdigest()


def row_hash(prev_hash: str, values: Sequence[Any]) -> str:
    """Return the link hash of an event given as values in HASHED_FIELDS order."""
    return hashlib.sha256(prev_hash.encode("ascii") + canonical_row(values)).hexdigest()
