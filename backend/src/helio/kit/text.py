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
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import AfterValidator, GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import PydanticCustomError, core_schema

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


# The one check of each kind of text where a field has its own length rule (emails).
SingleLine = AfterValidator(single_line_text)
MultiLine = AfterValidator(multi_line_text)

# Unicode's White_Space property: what a text field strips from both ends.
WHITE_SPACE = (
    "\t\n\x0b\x0c\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006"
    "\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)


def _ranges(chars: list[int]) -> str:
    """Return a regex character-class body for code points.

    Only the basic multilingual plane, written as `\\uXXXX` (ECMA and Python alike); the
    few refused characters beyond it (format characters such as U+E0001) are left to
    the validator, and so are lone surrogates (no regex engine of JSON Schema
    validators can name them; no UTF-8 body carries them).
    """
    spans: list[tuple[int, int]] = []
    for point in sorted(set(chars)):
        if spans and point == spans[-1][1] + 1:
            spans[-1] = (spans[-1][0], point)
        else:
            spans.append((point, point))
    return "".join(f"\\u{a:04x}" if a == b else f"\\u{a:04x}-\\u{b:04x}" for a, b in spans)


def _refused_points(allowed: frozenset[str]) -> list[int]:
    return [
        point
        for point in range(0x10000)
        if unicodedata.category(chr(point)) in _REFUSED_CATEGORIES - {"Cs"}
        and chr(point) not in allowed | _JOINERS
    ]


_WHITE = [ord(c) for c in WHITE_SPACE]
# Refused anywhere / refused or white (the first and last kept character).
_CLASSES = {
    lines: (_ranges(_refused_points(allowed)), _ranges(_refused_points(allowed) + _WHITE))
    for lines, allowed in ((False, frozenset()), (True, _LINE_BREAKS))
}


def text_pattern(
    max_chars: int, min_chars: int | None, *, lines: bool, any_character: bool = False
) -> str:
    """Return the regex of a text field: white space at the ends, then the kept text.

    The kept text (what remains once the ends are stripped) holds no refused character
    (none is refused with `any_character`) and has `min_chars`..`max_chars` characters;
    the raw value's length is `maxLength`.
    """
    refused, edge = _CLASSES[lines]
    white = _ranges(_WHITE)
    inner = r"[\s\S]" if any_character else f"[^{refused}]"
    if any_character:
        edge = white
    lower = min_chars or 0
    if max_chars == 1:
        kept = f"[^{edge}]"
    else:
        kept = f"[^{edge}](?:{inner}{{{max(lower - 2, 0)},{max_chars - 2}}}[^{edge}])"
        kept += "?" if lower <= 1 else ""
    kept = f"(?:{kept})" + ("?" if lower == 0 else "")
    return f"^[{white}]*{kept}[{white}]*$"


@dataclass(frozen=True)
class Text:
    """A free-text field: at most `max_chars` as sent, its ends stripped, what is kept checked.

    The kept text must have at least `min_chars` characters and no control or format
    character (`lines`: LF and TAB allowed; `any_character`: all allowed, for a term that
    is only looked for, never kept or shown). The OpenAPI document says the same:
    `maxLength` counts the raw value, `pattern` describes the ends and the kept text.
    """

    max_chars: int
    min_chars: int | None = 1
    lines: bool = False
    any_character: bool = False

    def check(self, value: str) -> str:
        """Return the kept text of a value, or refuse it (pydantic errors)."""
        kept = value.strip(WHITE_SPACE)
        if not self.any_character:
            _refuse(kept, _LINE_BREAKS if self.lines else frozenset())
        if len(kept) < (self.min_chars or 0):
            raise PydanticCustomError(
                "string_too_short",
                "String should have at least {min_length} characters",
                {"min_length": self.min_chars},
            )
        return kept

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        raw = core_schema.str_schema(max_length=self.max_chars)
        return core_schema.no_info_after_validator_function(self.check, raw)

    def __get_pydantic_json_schema__(
        self, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return {
            "type": "string",
            "maxLength": self.max_chars,
            "pattern": text_pattern(
                self.max_chars, self.min_chars, lines=self.lines, any_character=self.any_character
            ),
        }


def chars(
    max_chars: int, min_chars: int | None = 1, *, lines: bool = False, any_character: bool = False
) -> Text:
    """Return the rule of a text field (see `Text`)."""
    return Text(max_chars, min_chars, lines, any_character)


PersonName = Annotated[str, chars(PERSON_NAME_CHARS)]
PhoneText = Annotated[str, chars(PHONE_CHARS, 6)]
AddressLine = Annotated[str, chars(ADDRESS_LINE_CHARS)]
OptionalAddressLine = Annotated[str, chars(ADDRESS_LINE_CHARS, None)]
City = Annotated[str, chars(CITY_CHARS)]
Region = Annotated[str, chars(REGION_CHARS, None)]
PostalCode = Annotated[str, chars(POSTAL_CODE_CHARS)]
Note = Annotated[str, chars(NOTE_CHARS, lines=True)]


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
