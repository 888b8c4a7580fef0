"""The audit hash chain: canonical form and link hashes."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

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


def _dumps(value: dict[str, Any]) -> bytes:
    if _ENCODE is None:
        text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
        return text.encode()
    return "".join(_ENCODE(value, 0)).encode()


def _timestamp(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.replace(tzinfo=None).isoformat(timespec="microseconds")
    return value


def canonical(fields: dict[str, Any]) -> bytes:
    """Return the canonical JSON bytes of an event's hashed fields."""
    out = {name: _timestamp(fields.get(name)) for name in HASHED_FIELDS}
    return _dumps(out)


def canonical_row(values: Sequence[Any]) -> bytes:
    """Return the canonical bytes of an event given as values in HASHED_FIELDS order."""
    out = dict(zip(HASHED_FIELDS, values, strict=True))
    out["occurred_at"] = _timestamp(values[_OCCURRED_AT])
    return _dumps(out)


def link_hash(prev_hash: str, fields: dict[str, Any]) -> str:
    """Return SHA-256(prev_hash ‖ canonical(event)) as hex."""
    return hashlib.sha256(prev_hash.encode("ascii") + canonical(fields)).hexdigest()


def row_hash(prev_hash: str, values: Sequence[Any]) -> str:
    """Return the link hash of an event given as values in HASHED_FIELDS order."""
    return hashlib.sha256(prev_hash.encode("ascii") + canonical_row(values)).hexdigest()
