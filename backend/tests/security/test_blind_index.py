"""Blind indexes: normalisation, keyed HMAC-SHA256, per-kind subkeys and key versions."""

from __future__ import annotations

import hashlib
import hmac
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helio.security.blind_index import (
    DEFAULT_NORMALISERS,
    INDEX_BYTES,
    BlindIndexer,
    normalise_email,
    normalise_phone,
)
from helio.security.keys.local import LocalKeyProvider


@pytest.fixture
def keyring(tmp_path: Path) -> LocalKeyProvider:
    return LocalKeyProvider(tmp_path / "keyring.json")


@pytest.fixture
def indexer(keyring: LocalKeyProvider) -> BlindIndexer:
    return BlindIndexer(keyring)


class TestNormaliseEmail:
    @pytest.mark.parametrize(
        "raw",
        [
            "John.Doe@Example.COM ",
            "  john.doe@example.com",
            "JOHN.DOE@EXAMPLE.COM",
            "ｊｏｈｎ.ｄｏｅ＠ｅｘａｍｐｌｅ.ｃｏｍ",  # fullwidth forms fold under NFKC
        ],
    )
    def test_case_width_and_spaces_are_folded(self, raw: str) -> None:
        assert normalise_email(raw) == "john.doe@example.com"

    def test_plus_addressing_is_kept(self) -> None:
        assert normalise_email("Ann+Solar@Example.com") == "ann+solar@example.com"

    @pytest.mark.parametrize("raw", ["", "   ", "ann", "@example.com", "ann@", "ann lee@x.com"])
    def test_non_addresses_are_refused(self, raw: str) -> None:
        with pytest.raises(ValueError, match="email"):
            normalise_email(raw)

    @settings(derandomize=True, database=None, max_examples=200)
    @given(local=st.text(min_size=1, max_size=20), domain=st.text(min_size=1, max_size=20))
    def test_is_idempotent(self, local: str, domain: str) -> None:
        try:
            once = normalise_email(f"{local}@{domain}")
        except ValueError:
            return
        assert normalise_email(once) == once


class TestNormalisePhone:
    @pytest.mark.parametrize(
        ("raw", "region"),
        [
            ("+1 (415) 555-0100", None),
            ("+14155550100", None),
            ("+1.415.555.0100", None),
            ("001 415 555 0100", None),
            ("(415) 555-0100", "US"),
            ("1-415-555-0100", "us"),
            ("415 555 0100", "CA"),
        ],
    )
    def test_us_formats_agree(self, raw: str, region: str | None) -> None:
        assert normalise_phone(raw, default_region=region) == "+14155550100"

    @pytest.mark.parametrize(
        ("raw", "region"),
        [("+44 (0)20 7946 0000", None), ("020 7946 0000", "GB"), ("0044 20 7946 0000", None)],
    )
    def test_trunk_zero_is_dropped(self, raw: str, region: str | None) -> None:
        assert normalise_phone(raw, default_region=region) == "+442079460000"

    @pytest.mark.parametrize(
        ("raw", "region", "message"),
        [
            ("415 555 0100", None, "country code"),
            ("415 555 0100", "ZZ", "unknown region"),
            ("+1 415 555 0100 x12", None, "not a phone"),
            ("+1 415 CALL NOW", None, "not a phone"),
            ("+0 415 555 0100", None, "not a phone"),
            ("+1 23", None, "7 to 15"),
            ("+1234567890123456", None, "7 to 15"),
            ("+١٤١٥٥٥٥٠١٠٠", None, "not a phone"),  # non-ASCII digits
        ],
    )
    def test_invalid_numbers_are_refused(self, raw: str, region: str | None, message: str) -> None:
        with pytest.raises(ValueError, match=message):
            normalise_phone(raw, default_region=region)

    @settings(derandomize=True, database=None, max_examples=200)
    @given(
        digits=st.text(alphabet="0123456789", min_size=6, max_size=14),
        separators=st.lists(st.sampled_from([" ", "-", ".", "(", ")"]), max_size=14),
    )
    def test_separators_other_than_the_trunk_mark_never_change_the_result(
        self, digits: str, separators: list[str]
    ) -> None:
        number = "+1" + digits
        spaced = "+1" + "".join(d + s for d, s in zip(digits, separators, strict=False))
        spaced += digits[len(separators) :]
        if "(0)" in spaced:
            return  # "+CC (0)…" is the trunk marker, the one meaningful parenthesis
        try:
            expected = normalise_phone(number)
        except ValueError:
            return
        assert normalise_phone(spaced) == expected
        assert normalise_phone(expected) == expected


@pytest.mark.asvs("V11.4.3")
class TestIndex:
    def test_equal_for_equivalent_emails(self, indexer: BlindIndexer) -> None:
        assert indexer.index("email", "John.Doe@Example.COM ") == indexer.index(
            "email", "john.doe@example.com"
        )

    def test_equal_for_equivalent_phones(self, indexer: BlindIndexer) -> None:
        assert indexer.index("phone", "+1 (415) 555-0100") == indexer.index("phone", "+14155550100")

    def test_different_values_differ(self, indexer: BlindIndexer) -> None:
        assert indexer.index("email", "ann@example.com") != indexer.index(
            "email", "ann+x@example.com"
        )

    def test_layout_is_version_byte_and_full_sha256(self, indexer: BlindIndexer) -> None:
        index = indexer.index("email", "ann@example.com")
        assert len(index) == INDEX_BYTES == 33
        assert index[0] == 1
        assert BlindIndexer.version_of(index) == 1

    def test_is_a_keyed_hmac_not_a_plain_hash(self, indexer: BlindIndexer) -> None:
        digest = indexer.index("email", "ann@example.com")[1:]
        assert digest != hashlib.sha256(b"ann@example.com").digest()
        assert digest != hashlib.sha256(b"\x05emailann@example.com").digest()

    def test_another_keyring_gives_other_indexes(self, tmp_path: Path) -> None:
        first = BlindIndexer(LocalKeyProvider(tmp_path / "a.json"))
        second = BlindIndexer(LocalKeyProvider(tmp_path / "b.json"))
        assert first.index("email", "ann@example.com") != second.index("email", "ann@example.com")

    def test_key_is_not_used_directly(
        self, indexer: BlindIndexer, keyring: LocalKeyProvider
    ) -> None:
        raw_key = keyring.blind_index_key(1)
        direct = hmac.new(raw_key, b"\x05emailann@example.com", hashlib.sha256).digest()
        assert indexer.index("email", "ann@example.com")[1:] != direct

    def test_kinds_are_unlinkable(self, keyring: LocalKeyProvider) -> None:
        indexer = BlindIndexer(
            keyring, normalisers={**DEFAULT_NORMALISERS, "billing_email": normalise_email}
        )
        assert indexer.index("email", "ann@example.com") != indexer.index(
            "billing_email", "ann@example.com"
        )

    def test_unknown_kind_is_refused(self, indexer: BlindIndexer) -> None:
        with pytest.raises(ValueError, match="kind"):
            indexer.index("name", "Ann")

    def test_kind_names_are_restricted(self, keyring: LocalKeyProvider) -> None:
        with pytest.raises(ValueError, match="lowercase"):
            BlindIndexer(keyring, normalisers={"E-Mail": normalise_email})

    def test_invalid_values_are_refused(self, indexer: BlindIndexer) -> None:
        with pytest.raises(ValueError, match="email"):
            indexer.index("email", "not an email")

    def test_version_of_refuses_other_bytes(self) -> None:
        with pytest.raises(ValueError, match="blind index"):
            BlindIndexer.version_of(b"\x01" * 32)


@pytest.mark.asvs("V11.2.2")
class TestRotation:
    def test_a_new_version_gives_different_digests(
        self, indexer: BlindIndexer, keyring: LocalKeyProvider
    ) -> None:
        old = indexer.index("email", "ann@example.com")
        assert keyring.add_blind_index_version() == 2
        new = indexer.index("email", "ann@example.com")
        assert new[0] == 2
        assert new[1:] != old[1:]
        assert indexer.index("email", "ann@example.com", version=1) == old

    def test_lookups_match_rows_of_every_live_version(
        self, indexer: BlindIndexer, keyring: LocalKeyProvider
    ) -> None:
        stored_before_rotation = indexer.index("email", "ann@example.com")
        keyring.add_blind_index_version()
        stored_after_rotation = indexer.index("email", "ann@example.com")
        candidates = indexer.lookup_candidates("email", "ANN@example.com")
        assert candidates == [stored_after_rotation, stored_before_rotation]

    def test_a_retired_version_cannot_be_used(
        self, indexer: BlindIndexer, keyring: LocalKeyProvider
    ) -> None:
        keyring.add_blind_index_version()
        keyring.retire_blind_index_version(1)
        with pytest.raises(KeyError):
            indexer.index("email", "ann@example.com", version=1)
        assert len(indexer.lookup_candidates("email", "ann@example.com")) == 1

    @pytest.mark.parametrize("version", [0, 256])
    def test_versions_fit_one_byte(self, indexer: BlindIndexer, version: int) -> None:
        with pytest.raises(ValueError, match=r"1\.\.255"):
            indexer.index("email", "ann@example.com", version=version)
