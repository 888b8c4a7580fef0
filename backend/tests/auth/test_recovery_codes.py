"""Recovery codes: entropy, format, salted hashes only, lenient typing, single use."""

from __future__ import annotations

import re

import pytest

from helio.auth.mfa.recovery_codes import (
    ALPHABET,
    ENTROPY_BITS,
    generate_recovery_codes,
    hash_recovery_code,
    match_recovery_code,
    normalise_recovery_code,
)

FORMAT = re.compile(r"[0-9a-hjkmnp-tv-z]{6}(-[0-9a-hjkmnp-tv-z]{6}){3}")


@pytest.mark.asvs("V6.5.3", "V6.5.4", "V11.5.1")
def test_codes_are_high_entropy_and_unique() -> None:
    assert len(ALPHABET) == 32
    assert len(set(ALPHABET)) == 32
    assert not set("ilou") & set(ALPHABET)
    assert ENTROPY_BITS >= 112
    codes = generate_recovery_codes()
    assert len(codes) == 10
    many = [c for _ in range(100) for c in generate_recovery_codes(10)]
    assert len(set(many)) == len(many) == 1000
    assert all(FORMAT.fullmatch(c) for c in many)
    # Every symbol of the alphabet is drawn: the whole alphabet carries entropy.
    assert set("".join(many).replace("-", "")) == set(ALPHABET)


def test_count_is_bounded() -> None:
    assert len(generate_recovery_codes(1)) == 1
    for bad in (0, 101):
        with pytest.raises(ValueError, match="between"):
            generate_recovery_codes(bad)


@pytest.mark.asvs("V6.5.2")
def test_only_salted_hashes_are_stored() -> None:
    code = generate_recovery_codes(1)[0]
    first, second = hash_recovery_code(code), hash_recovery_code(code)
    assert first != second
    for stored in (first, second):
        scheme, salt, digest = stored.split("$")
        assert scheme == "rc1"
        assert len(bytes.fromhex(salt)) == 16
        assert len(bytes.fromhex(digest)) == 32
        assert code.replace("-", "") not in stored
        assert code not in stored


def test_typing_variants_match() -> None:
    codes = generate_recovery_codes(3)
    hashes: list[str | None] = [hash_recovery_code(c) for c in codes]
    code = codes[1]
    plain = code.replace("-", "")
    variants = [
        code,
        code.upper(),
        plain,
        " ".join(code.split("-")),
        f"  {plain[:12]} - {plain[12:]}  ",
        code.replace("0", "o").replace("1", "l"),
    ]
    for variant in variants:
        assert match_recovery_code(variant, hashes) == 1, variant


@pytest.mark.asvs("V6.5.1")
def test_a_used_code_no_longer_matches() -> None:
    codes = generate_recovery_codes(4)
    hashes: list[str | None] = [hash_recovery_code(c) for c in codes]
    index = match_recovery_code(codes[2], hashes)
    assert index == 2
    hashes[index] = None  # the caller marks it used
    assert match_recovery_code(codes[2], hashes) is None
    assert match_recovery_code(codes[3], hashes) == 3


def test_wrong_or_malformed_codes_do_not_match() -> None:
    codes = generate_recovery_codes(2)
    hashes: list[str | None] = [hash_recovery_code(c) for c in codes]
    other = generate_recovery_codes(1)[0]
    assert match_recovery_code(other, hashes) is None
    for bad in ("", codes[0][:-1], codes[0] + "x", codes[0][:-1] + "u", "\u0661" * 24):
        assert match_recovery_code(bad, hashes) is None, bad
    assert normalise_recovery_code(codes[0][:-1] + "!") is None
    with pytest.raises(ValueError, match="recovery code"):
        hash_recovery_code("not-a-code")


def test_corrupt_stored_hashes_are_skipped() -> None:
    code = generate_recovery_codes(1)[0]
    good = hash_recovery_code(code)
    _scheme, salt, digest = good.split("$")
    corrupt = [
        "",
        "garbage",
        f"rc0${salt}${digest}",
        f"rc1${salt}${digest[:-2]}",
        f"rc1$zz{salt[2:]}${digest}",
        f"rc1${salt}",
    ]
    assert match_recovery_code(code, [*corrupt, good]) == len(corrupt)
    assert match_recovery_code(code, corrupt) is None
