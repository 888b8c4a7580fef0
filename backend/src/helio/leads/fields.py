"""Field types of leads: names and messages as the shared text types, money, postcodes."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, EmailStr, StringConstraints

from helio.kit.text import (
    EMAIL_CHARS,
    LEAD_MESSAGE_CHARS,
    POSTAL_CODE_CHARS,
    PersonName,
    PhoneText,
    chars,
)
from helio.security.blind_index import normalise_email, normalise_phone


def _phone(value: str) -> str:
    normalise_phone(value)  # with its country code: sales call it as written
    return value


def _email(value: str) -> str:
    normalise_email(value)
    return value


Name = PersonName
Phone = Annotated[PhoneText, AfterValidator(_phone)]
Email = Annotated[
    EmailStr,
    StringConstraints(strip_whitespace=True, min_length=3, max_length=EMAIL_CHARS),
    AfterValidator(_email),
]
Postcode = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True,
        max_length=POSTAL_CODE_CHARS,
        pattern=r"^[A-Za-z0-9][A-Za-z0-9 -]{1,10}$",
    ),
]
# What the lead wrote: several lines (LF, TAB) but no other control character.
Message = Annotated[str, chars(LEAD_MESSAGE_CHARS, lines=True)]
Currency = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]
