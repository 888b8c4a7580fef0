"""Password policy (NIST SP 800-63B): length, no composition rules, common and contextual words."""

from __future__ import annotations

import secrets
import string
import time

import pytest

from helio.auth.login.password_policy import (
    CONTEXT_WORDS,
    MSG_COMMON,
    MSG_CONTEXT,
    MSG_LONG,
    MSG_SHORT,
    MSG_WEAK,
    check_password,
    check_password_async,
    common_passwords,
    is_common,
    is_within_length,
    strip_context,
)
from helio.errors import ValidationFailed

STRONG = "velvet tractor orbits quietly"


def refusal(pw: str, *, email: str | None = None, name: str | None = None) -> str:
    with pytest.raises(ValidationFailed) as caught:
        check_password(pw, email=email, name=name)
    error = caught.value
    assert error.status == 422
    assert error.code == "weak_password"
    assert error.fields == {"password": error.message}
    return error.message


def accepted(pw: str, *, email: str | None = None, name: str | None = None) -> None:
    check_password(pw, email=email, name=name)


@pytest.mark.asvs("V6.2.1")
def test_minimum_length_is_twelve() -> None:
    assert refusal("Xq7#mZ2!pL9") == MSG_SHORT == "Use at least 12 characters."
    accepted("Xq7#mZ2!pL9w")
    accepted("glacier-ink-89-tundra")


@pytest.mark.asvs("V6.2.9")
def test_64_and_128_characters_allowed_129_refused_clearly() -> None:
    accepted("".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(64)))
    accepted("".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(128)))
    assert refusal("k" + "".join(secrets.choice(string.ascii_letters) for _ in range(128))) == (
        MSG_LONG
    )
    assert MSG_LONG == "Use at most 128 characters."


def test_length_counts_code_points_after_nfkc() -> None:
    assert is_within_length("o\ufb03ce-ink-r")  # 11 typed, 13 after NFKC (ffi ligature)
    assert not is_within_length("a" * 11)
    assert is_within_length("\u00e9" * 12)
    assert is_within_length("\u2600" * 128)
    assert not is_within_length("\u2600" * 129)


@pytest.mark.asvs("V6.2.5")
@pytest.mark.parametrize(
    "pw",
    [
        "quietlymarbleharborcandle",
        "8305174926381047",
        "   lots of   spaces in here   ",
        "ÄÖÜ ñandú çedille ☀ 日本語の合言葉",
        "UPPERCASEONLYWORDSBRIDGE",
        "-!?-%&*-=+_-~^:;/",
    ],
)
def test_no_composition_rules(pw: str) -> None:
    accepted(pw)


@pytest.mark.asvs("V6.2.4", "V6.2.12")
@pytest.mark.parametrize(
    "pw", ["password1234", "Password1234!", "iloveyou2024!", "qwertyuiop123", "123456789012"]
)
def test_common_and_breached_passwords_refused(pw: str) -> None:
    assert refusal(pw) == MSG_COMMON


@pytest.mark.asvs("V6.2.4", "V6.2.12")
def test_top_3000_list_entries_refused_when_padded_to_policy_length() -> None:
    listed = common_passwords()
    assert len(listed) >= 5000
    assert {"123456", "password", "qwerty", "iloveyou", "password1234"} <= listed
    source = (line for line in _list_lines() if not line.startswith("#"))
    for entry in [next(source) for _ in range(3000)]:
        padded = entry + "2024!1234567"[: max(0, 12 - len(entry))]
        assert is_common(padded), entry
        assert is_common(padded.upper()), entry
        assert is_common("#1" + entry + "!"), entry
        assert refusal(padded) == MSG_COMMON


def _list_lines() -> list[str]:
    from importlib.resources import files

    text = files("helio.auth").joinpath("data/common-passwords.txt").read_text("utf-8")
    return [line for line in text.splitlines() if line.strip()]


@pytest.mark.asvs("V6.1.2")
def test_context_word_list_is_defined() -> None:
    assert {"helio", "solar", "panel"} <= set(CONTEXT_WORDS)
    assert all(w == w.lower() and len(w) >= 3 for w in CONTEXT_WORDS)


@pytest.mark.asvs("V6.2.11")
@pytest.mark.parametrize(
    "pw", ["HelioSolar2025", "Helio-Solar-2025!", "H3l10-S0lar-2025!", "solarpanel19872024"]
)
def test_context_words_refused(pw: str) -> None:
    assert refusal(pw) == MSG_CONTEXT


@pytest.mark.asvs("V6.2.11")
def test_name_and_email_refused() -> None:
    email, name = "maria.gonzalez@example.com", "María González"
    for pw in ("MariaGonzalez1987", "maria.gonzalez@example.com", "Gonzalez!Maria#2024"):
        assert refusal(pw, email=email, name=name) == MSG_CONTEXT, pw
    assert refusal("gonzalez-maria-1990", email=email, name=None) == MSG_CONTEXT
    accepted("maria climbs basalt ridges at dawn", email=email, name=name)


def test_strip_context_is_case_and_l33t_insensitive() -> None:
    assert strip_context("xxHELIOyy", ["helio"]) == "xxyy"
    assert strip_context("S0l@r!", ["solar"]) == "!"
    assert strip_context(STRONG, ["helio"]) == STRONG


def test_weak_password_explains_what_to_fix() -> None:
    message = refusal("aaaaaaaaaaaaaaaa")
    assert message.startswith(MSG_WEAK)
    assert "Repeats" in message
    assert "Add another word" in message
    assert refusal("abcdefghijklmnop").startswith(MSG_WEAK)


def test_strong_part_counts_in_long_passwords() -> None:
    accepted("a" * 40 + "-glacier ink tundra 89 fox")
    assert refusal("ab" * 40).startswith(MSG_WEAK)


def test_worst_case_check_is_fast() -> None:
    alphabet = string.ascii_letters + string.digits + string.punctuation
    slowest = 0.0
    for _ in range(10):
        pw = "".join(secrets.choice(alphabet) for _ in range(128))
        start = time.perf_counter()
        check_password(pw, email="someone@example.com", name="Some One")
        slowest = max(slowest, time.perf_counter() - start)
    assert slowest < 0.25, slowest


async def test_async_variant_runs_the_same_checks() -> None:
    await check_password_async(STRONG, email=None, name=None)
    with pytest.raises(ValidationFailed):
        await check_password_async("HelioSolar2025", email=None, name=None)
