"""JSON-ready plain values for exports: decimals as strings, times in ISO 8601."""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal
from typing import Any


def plain(value: Any) -> Any:
    """Return a decimal as its string and a datetime in ISO 8601; anything else as it is."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def maybe_json(value: str | None) -> Any:
    """Return a JSON object stored as text, parsed; other text as it is."""
    if value is None or not value.startswith("{"):
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value
