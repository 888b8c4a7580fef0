"""Masked forms of customer PII: what staff see until they reveal a field with a reason.

Masking is lossy on purpose and fails closed: a value that does not parse,
or an address part we do not know, is hidden entirely rather than shown.
"""

from __future__ import annotations

import re
from typing import Any

HIDDEN = "***"

# Country calling codes form a prefix code (ITU-T E.164): zones 1 and 7 are
# one digit, these are two, every other code is three. `phonenumbers` is not
# installed and masking needs only the calling code, so a table does.
# fmt: off
_TWO_DIGIT_CODES = frozenset({
    "20", "27", "30", "31", "32", "33", "34", "36", "39", "40", "41",
    "43", "44", "45", "46", "47", "48", "49", "51", "52", "53", "54",
    "55", "56", "57", "58", "60", "61", "62", "63", "64", "65", "66",
    "81", "82", "84", "86", "90", "91", "92", "93", "94", "95", "98",
})
# fmt: on
_SHOWN_DIGITS = 4
_MIN_DIGITS = 7

# Address parts shown as they are, masked down to a prefix, or cleaned of numbers.
_ADDRESS_KEEP = frozenset({"city", "locality", "region", "state", "country", "country_code"})
_ADDRESS_PREFIX = frozenset({"postcode", "postal_code", "zip"})
_ADDRESS_STREET = frozenset({"line1", "street", "street_address", "address_line1"})
_HAS_DIGIT = re.compile(r"\d")


def mask_email(email: str | None) -> str | None:
    """Return `j***@e***.com` for `jane@example.com`."""
    if not email:
        return None
    local, at, domain = email.strip().rpartition("@")
    labels = domain.split(".")
    if not at or not local or len(labels) < 2 or not labels[0]:
        return HIDDEN
    return f"{local[0]}{HIDDEN}@{labels[0][0]}{HIDDEN}.{labels[-1]}"


def mask_phone(phone: str | None) -> str | None:
    """Return `+1 *** *** 4567`: the calling code and the last four digits only."""
    if not phone:
        return None
    digits = "".join(ch for ch in phone if ch.isascii() and ch.isdigit())
    if len(digits) < _MIN_DIGITS:
        return HIDDEN
    # Fixed groups, whatever the number's length, so the mask leaks no more.
    masked = f"{HIDDEN} {HIDDEN} {digits[-_SHOWN_DIGITS:]}"
    if phone.lstrip().startswith("+"):
        return f"+{_calling_code(digits)} {masked}"
    return masked


def _calling_code(digits: str) -> str:
    if digits[0] in "17":
        return digits[0]
    return digits[:2] if digits[:2] in _TWO_DIGIT_CODES else digits[:3]


def mask_name(full_name: str | None) -> str | None:
    """Return the initials: `J. D.` for `Jane Doe`."""
    if not full_name:
        return None
    initials = [f"{part[0].upper()}." for part in full_name.split() if part[0].isalpha()]
    return " ".join(initials) or HIDDEN


def mask_address(address: dict[str, Any] | None) -> dict[str, str] | None:
    """Return the street without its number, the town and country, a postcode prefix."""
    if not address:
        return None
    masked: dict[str, str] = {}
    for key, value in address.items():
        if not isinstance(value, str) or not value:
            continue
        if key in _ADDRESS_KEEP:
            masked[key] = value
        elif key in _ADDRESS_PREFIX:
            masked[key] = value.strip()[:2] + HIDDEN
        elif key in _ADDRESS_STREET:
            words = [w for w in value.replace(",", " ").split() if not _HAS_DIGIT.search(w)]
            masked[key] = " ".join(words) or HIDDEN
    return masked
