"""A text field's OpenAPI schema and its validation agree: the document says what is accepted."""

from __future__ import annotations

from typing import Annotated

import jsonschema
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError

from helio.kit.text import NOTE_CHARS, WHITE_SPACE, Text, chars
from helio.staff.admin.schemas import AttestationCreate

RULES = [
    chars(8),
    chars(8, None),
    chars(12, 6),
    chars(5, lines=True),
    chars(NOTE_CHARS, None, lines=True),
    chars(10, 3, any_character=True),
]
# Ordinary letters, every kind of white space, controls, format characters and joiners.
CHARACTERS = st.sampled_from(
    list("ab Zé中")
    + list(WHITE_SPACE)
    + ["\x00", "\x1f", "\x7f", "\x9f", "\u00ad", "\u200b"]
    + ["\u200c", "\u200d", "\u202e", "\u2060", "\ufeff", "\x1c", "\u180e", "😀"]
)


def accepted(rule: Text, value: str) -> bool:
    try:
        TypeAdapter(Annotated[str, rule]).validate_python(value)
    except ValidationError:
        return False
    return True


def documented(rule: Text, value: str) -> bool:
    schema = TypeAdapter(Annotated[str, rule]).json_schema()
    return bool(jsonschema.Draft202012Validator(schema).is_valid(value))


@pytest.mark.parametrize("rule", RULES, ids=repr)
@settings(max_examples=300, deadline=None)
@given(value=st.text(CHARACTERS, max_size=16))
@example(value="")
@example(value="   ")
@example(value=" \tab\n ")
@example(value="abcdefgh ")
def test_validation_accepts_exactly_what_the_schema_allows(rule: Text, value: str) -> None:
    assert accepted(rule, value) == documented(rule, value)


@pytest.mark.asvs("V2.2.1")
def test_the_attest_note_counts_what_was_sent_and_keeps_the_stripped_text() -> None:
    schema = TypeAdapter(AttestationCreate).json_schema()
    note = schema["properties"]["note"]["anyOf"][0]
    assert note["maxLength"] == NOTE_CHARS
    padded = " " * 3 + "x" * NOTE_CHARS
    assert not jsonschema.Draft202012Validator(note).is_valid(padded)
    with pytest.raises(ValidationError):
        AttestationCreate.model_validate({"note": padded})
    kept = AttestationCreate.model_validate({"note": "  looked at every grant \n"})
    assert kept.note == "looked at every grant"
