"""Masked PII: what staff see before revealing a field."""

from __future__ import annotations

import pytest

from helio.authz.masking import HIDDEN, mask_address, mask_email, mask_name, mask_phone

pytestmark = pytest.mark.asvs("V8.1.2")


@pytest.mark.parametrize(
    ("email", "masked"),
    [
        ("jane@example.com", "j***@e***.com"),
        ("Jane.Doe+solar@mail.example.co.uk", "J***@m***.uk"),
        ("a@b.io", "a***@b***.io"),
        ("not-an-email", HIDDEN),
        ("@example.com", HIDDEN),
        ("jane@localhost", HIDDEN),
        (None, None),
    ],
)
def test_email(email: str | None, masked: str | None) -> None:
    assert mask_email(email) == masked


@pytest.mark.parametrize(
    ("phone", "masked"),
    [
        ("+1 415 555 4567", "+1 *** *** 4567"),
        ("+14155554567", "+1 *** *** 4567"),
        ("+44 20 7946 0958", "+44 *** *** 0958"),
        ("+353 1 234 5678", "+353 *** *** 5678"),
        ("+7 495 123 4567", "+7 *** *** 4567"),
        ("(415) 555-4567", "*** *** 4567"),
        ("12345", HIDDEN),
        (None, None),
    ],
)
def test_phone_keeps_only_calling_code_and_last_four(phone: str | None, masked: str | None) -> None:
    assert mask_phone(phone) == masked


def test_phone_mask_hides_the_length() -> None:
    assert (
        mask_phone("+49 30 1234 5678") == mask_phone("+49 3012 345 678 5678") == "+49 *** *** 5678"
    )


@pytest.mark.parametrize(
    ("name", "masked"),
    [("Jane Doe", "J. D."), ("jane  van der berg", "J. V. D. B."), ("  ", HIDDEN), (None, None)],
)
def test_name_initials(name: str | None, masked: str | None) -> None:
    assert mask_name(name) == masked


def test_address_keeps_street_without_number_town_and_country() -> None:
    masked = mask_address(
        {
            "line1": "12 Dolores Street",
            "line2": "Apt 4",
            "city": "San Francisco",
            "region": "CA",
            "postal_code": "94110",
            "country": "US",
        }
    )
    assert masked == {
        "line1": "Dolores Street",
        "city": "San Francisco",
        "region": "CA",
        "postal_code": "94***",
        "country": "US",
    }


def test_address_drops_unknown_parts_and_numbers_only_streets() -> None:
    masked = mask_address({"line1": "221B", "door_code": "1234", "city": "London", "zip": "N"})
    assert masked == {"line1": HIDDEN, "city": "London", "zip": "N***"}
    assert mask_address(None) is None
