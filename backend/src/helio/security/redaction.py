"""Log redaction: a structlog processor that keeps PII and secrets out of logs.

Two layers, because neither alone is enough:
- by key: values under keys that name PII or secrets (`email`, `password`,
  `Authorization`, `user_email`, `accessToken`, …) become "[redacted]",
  at any depth of nested dicts and lists;
- by shape: email addresses, phone numbers and bearer tokens inside any other
  string, the event message included, are masked.

The shape rules are tuned not to touch request ids, UUIDs, ISO timestamps,
durations, decimals and IPv4 addresses. Bare digit runs without `+` or
separators are left alone: in logs they are counts, ids and epoch times far
more often than phone numbers. Place `redact_pii` after `format_exc_info` (so
exception texts are scanned) and before the renderer.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, time
from functools import lru_cache
from typing import Any

from structlog.typing import EventDict, WrappedLogger

REDACTED = "[redacted]"
EMAIL_MASK = "[email]"
PHONE_MASK = "[phone]"
_MAX_DEPTH = 8
_PASS_THROUGH = frozenset({"exc_info", "stack_info"})
_SAFE_CODE_SUFFIXES = (
    "status_code", "error_code", "country_code", "currency_code", "exit_code",
    "language_code", "response_code", "reason_code", "http_code",
)  # fmt: skip

# Keys that are never redacted by name (their values are still scanned).
_SAFE_KEYS = frozenset(
    {
        "event", "timestamp", "level", "logger", "component", "request_id", "ip_address",
        "client_ip", "remote_address", "remote_addr", "client_address", "token_type",
        "mfa_method", "mfa_enabled",
    }
)  # fmt: skip
_SENSITIVE_KEYS = frozenset(
    {
        "name", "full_name", "first_name", "last_name", "given_name", "family_name",
        "surname", "display_name", "customer_name", "contact_name", "user_name",
        "username", "login", "code", "mfa", "otp", "pin", "session", "postcode",
        "postal_code", "zip", "note", "notes", "body", "request_body", "response_body",
        "query_string", "query_params", "latitude", "longitude", "lat", "lon", "lng",
        "coordinates", "dob", "date_of_birth", "birthdate", "ssn", "iban",
    }
)  # fmt: skip
_SENSITIVE_PARTS = (
    "password", "passwd", "passphrase", "secret", "token", "authorization", "cookie",
    "credential", "api_key", "apikey", "private_key", "email", "phone", "mobile",
    "street", "address", "recovery", "totp", "otp_", "_otp", "card_number", "cvv", "cvc",
    "signature",
)  # fmt: skip

_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
# Local part without the rare ' / ` { | } so quoted or path-embedded addresses mask cleanly.
_EMAIL = re.compile(r"[\w.!#$%&*+=?^~-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){1,8}")
_BEARER = re.compile(r"(?i)\b(bearer|basic)\s+[\w\-.~+/]{8,}=*")
# A phone candidate: optional + or "(", 7..15 digits joined by at most two of
# " .-()", not glued to a word, a dash, a dot or a time ("…01 12:30") on either side.
_PHONE = re.compile(r"(?<![\w.+-])(?:\+|\(\+?)?\d(?:[ .()-]{0,2}\d){6,14}\)?(?![\w/-]|[.:]\d)")
_NOT_PHONE = re.compile(
    r"\d{4}([-.])\d{2}\1\d{2}"  # 2025-01-31, 2025.01.31
    r"|\d{2}([-.])\d{2}\2\d{4}"  # 31.01.2025
    r"|\d{1,3}(?:\.\d{1,3}){3}"  # IPv4
    r"|\d+\.\d+"  # decimals, durations
)


def redact_pii(logger: WrappedLogger, method_name: str, event_dict: EventDict) -> EventDict:
    """Redact PII and secrets in a structlog event, by key and by value shape.

    Args:
        logger, method_name: unused; part of the structlog processor signature.
        event_dict: the event; nested containers are copied, never mutated.

    Returns:
        The event with sensitive values replaced by "[redacted]" and emails,
        phone numbers and bearer credentials in strings masked.
    """
    for key, value in list(event_dict.items()):
        if key in _PASS_THROUGH:
            continue
        event_dict[key] = REDACTED if is_sensitive_key(key) else _scrub(value, 0)
    return event_dict


@lru_cache(maxsize=4096)
def is_sensitive_key(key: str) -> bool:
    """Return True when a key's name says its value is PII or a secret."""
    normal = _CAMEL.sub("_", key).lower().replace("-", "_").replace(" ", "_").strip("_")
    if normal in _SAFE_KEYS or normal.endswith(_SAFE_CODE_SUFFIXES):
        return False
    if normal in _SENSITIVE_KEYS or normal.endswith("_code"):
        return True
    return any(part in normal for part in _SENSITIVE_PARTS)


def mask_text(text: str) -> str:
    """Mask email addresses, phone numbers and bearer credentials inside a string."""
    if "@" in text:
        text = _EMAIL.sub(EMAIL_MASK, text)
    text = _BEARER.sub(lambda m: f"{m.group(1)} {REDACTED}", text)
    return _PHONE.sub(_mask_phone, text)


def _mask_phone(match: re.Match[str]) -> str:
    candidate = match.group(0)
    if _NOT_PHONE.fullmatch(candidate):
        return candidate
    if candidate.startswith(("+", "(")) or any(ch in " .-()" for ch in candidate):
        return PHONE_MASK
    return candidate


def _scrub(value: Any, depth: int) -> Any:
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, str):
        return mask_text(value)
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, Mapping | list | tuple | set | frozenset) and depth >= _MAX_DEPTH:
        return "[truncated]"
    if isinstance(value, Mapping):
        return {
            key: REDACTED if is_sensitive_key(str(key)) else _scrub(item, depth + 1)
            for key, item in value.items()
        }
    if isinstance(value, tuple):
        return tuple(_scrub(item, depth + 1) for item in value)
    if isinstance(value, list | set | frozenset):
        return [_scrub(item, depth + 1) for item in value]
    # Other objects would be rendered with repr(); scan their text instead.
    return mask_text(str(value))
