"""Field types of leads: plain-text fields without control characters, money, postcodes."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, EmailStr, StringConstraints

from helio.security.blind_index import normalise_email, normalise_phone

# Letters, digits, punctuation and line breaks: no other control characters, so nothing
# a terminal, a log or a CSV export would interpret.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _plain_text(value: str) -> str:
    if _CONTROL.search(value):
        raise ValueError("control characters are not allowed")
    return value


def _phone(value: str) -> str:
    normalise_phone(value)  # with its country code: sales call it as written
    return value


def _email(value: str) -> str:
    normalise_email(value)
    return value


def _text(min_length: int, max_length: int) -> StringConstraints:
    return StringConstraints(strip_whitespace=True, min_length=min_length, max_length=max_length)


Name = Annotated[str, _text(1, 120), AfterValidator(_plain_text)]
Phone = Annotated[str, _text(6, 40), AfterValidator(_phone)]
Email = Annotated[EmailStr, _text(3, 254), AfterValidator(_email)]
Postcode = Annotated[
    str, StringConstraints(strip_whitespace=True, pattern=r"^[A-Za-z0-9][A-Za-z0-9 -]{1,10}$")
]
Message = Annotated[str, _text(1, 2000), AfterValidator(_plain_text)]
Currency = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]
