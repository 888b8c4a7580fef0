"""Text in requests: one annotated type per kind of text, limits counted in characters.

`SingleLine` refuses every control and format character (Unicode Cc, Cf, Zl, Zp:
NUL, ESC, CR, LF, DEL, C1 controls, bidi overrides such as U+202E, line separators),
so nothing a mail header, a log line, a CSV export or a terminal would interpret
gets in. `MultiLine` allows LF and TAB besides, for genuinely multi-line text.
ZWNJ and ZWJ stay allowed: Persian and Indic names and emoji sequences need them.

A limit counts characters while a sealed column holds bytes: `sealed_bytes` sizes a
column from the same character limit (4 bytes of UTF-8 each, plus the cipher's
envelope), so the longest allowed value always fits.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Mapping
from typing import Annotated, Any

from pydantic import AfterValidator, StringConstraints
from pydantic_core import PydanticCustomError

# The most bytes one character takes in UTF-8.
UTF8_MAX_BYTES = 4
# security.crypto's envelope: version (1), key generation (4), nonce (12), GCM tag (16).
SEALED_ENVELOPE_BYTES = 1 + 4 + 12 + 16

_REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})
_JOINERS = frozenset({"\u200c", "\u200d"})
_LINE_BREAKS = frozenset({"\n", "\t"})

# Character limits of the text kinds that more than one request carries.
PERSON_NAME_CHARS = 200
PHONE_CHARS = 40
EMAIL_CHARS = 254
ADDRESS_LINE_CHARS = 200
CITY_CHARS = 100
REGION_CHARS = 100
POSTAL_CODE_CHARS = 20
COUNTRY_CHARS = 2
NOTE_CHARS = 1000
LEAD_MESSAGE_CHARS = 2000
DOCUMENT_NAME_CHARS = 200
SITE_LABEL_CHARS = 80
PASSKEY_NAME_CHARS = 64
# Why staff did something: kept in the audit trail and on access grants.
REASON_CHARS = 500
# An alert sink: a mail address or a webhook URL.
SINK_TARGET_CHARS = 500

# The keys of a sealed postal address (JSON) and the characters each may hold.
ADDRESS_CHARS: Mapping[str, int] = {
    "line1": ADDRESS_LINE_CHARS,
    "line2": ADDRESS_LINE_CHARS,
    "city": CITY_CHARS,
    "region": REGION_CHARS,
    "postal_code": POSTAL_CODE_CHARS,
    "country": COUNTRY_CHARS,
}


def _refuse(value: str, allowed: frozenset[str]) -> str:
    for char in value:
        if char in allowed or char in _JOINERS:
            continue
        if unicodedata.category(char) in _REFUSED_CATEGORIES:
            raise PydanticCustomError(
                "control_character",
                "Control characters (U+{codepoint}) are not allowed here.",
                {"codepoint": f"{ord(char):04X}"},
            )
    return value


def single_line_text(value: str) -> str:
    """Return `value` when it holds no control or format character.

    Raises:
        PydanticCustomError: `control_character`, naming the first one found.
    """
    return _refuse(value, frozenset())


def multi_line_text(value: str) -> str:
    """Return `value` when its only control characters are LF and TAB.

    Raises:
        PydanticCustomError: `control_character`, naming the first other one found.
    """
    return _refuse(value, _LINE_BREAKS)


def without_controls(value: str) -> str:
    """Return `value` with every character `SingleLine` refuses removed (for stored text)."""
    return "".join(
        c for c in value if c in _JOINERS or unicodedata.category(c) not in _REFUSED_CATEGORIES
    )


# The one check of each kind of text; every free-text request field carries one of them.
SingleLine = AfterValidator(single_line_text)
MultiLine = AfterValidator(multi_line_text)


def chars(max_chars: int, min_chars: int | None = 1) -> Any:
    """Return the length constraint of a text field (surrounding whitespace stripped)."""
    return StringConstraints(strip_whitespace=True, min_length=min_chars, max_length=max_chars)


PersonName = Annotated[str, chars(PERSON_NAME_CHARS), SingleLine]
PhoneText = Annotated[str, chars(PHONE_CHARS, 6), SingleLine]
AddressLine = Annotated[str, chars(ADDRESS_LINE_CHARS), SingleLine]
OptionalAddressLine = Annotated[str, chars(ADDRESS_LINE_CHARS, None), SingleLine]
City = Annotated[str, chars(CITY_CHARS), SingleLine]
Region = Annotated[str, chars(REGION_CHARS, None), SingleLine]
PostalCode = Annotated[str, chars(POSTAL_CODE_CHARS), SingleLine]
Note = Annotated[str, chars(NOTE_CHARS), MultiLine]


def sealed_bytes(max_chars: int) -> int:
    """Return the bytes a sealed text of at most `max_chars` characters needs."""
    return max_chars * UTF8_MAX_BYTES + SEALED_ENVELOPE_BYTES


def sealed_json_bytes(fields: Mapping[str, int]) -> int:
    """Return the bytes a sealed JSON object of single-line text fields needs.

    Serialised with `json_text`: UTF-8, not ASCII-escaped, so a character costs at
    most 4 bytes (a quote or backslash 2); each member adds its quoted key, a colon,
    two quotes and a separator with its space: 8 bytes besides the key and the value.
    """
    members = sum(len(key) + 8 + limit * UTF8_MAX_BYTES for key, limit in fields.items())
    return members + 2 + SEALED_ENVELOPE_BYTES


def json_text(value: Mapping[str, Any]) -> str:
    """Return an object as JSON text for sealing: UTF-8 as it is, never ASCII-escaped.

    `ensure_ascii` would turn one 4-byte character into 12 bytes (a surrogate pair of
    `\\uXXXX` escapes) and overflow a column sized by `sealed_json_bytes`.
    """
    return json.dumps(value, sort_keys=True, ensure_ascii=False)
