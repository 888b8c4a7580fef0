"""The audit hash chain: canonical form and link hashes."""

from __future__ import annotations

import hashlib
import json
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


def canonical(fields: dict[str, Any]) -> bytes:
    """Return the canonical JSON bytes of an event's hashed fields."""
    out: dict[str, Any] = {}
    for name in HASHED_FIELDS:
        value = fields.get(name)
        if isinstance(value, datetime):
            value = value.replace(tzinfo=None).isoformat(timespec="microseconds")
        out[name] = value
    return json.dumps(out, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()


def link_hash(prev_hash: str, fields: dict[str, Any]) -> str:
    """Return SHA-256(prev_hash ‖ canonical(event)) as hex."""
    return hashlib.sha256(prev_hash.encode("ascii") + canonical(fields)).hexdigest()
