"""Field encryption: AES-256-GCM bound to (table, column, row), and the data-key cache."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helio.errors import AppError
from helio.security.crypto import (
    DATA_KEY_BYTES,
    FORMAT_VERSION,
    NONCE_BYTES,
    DataKeyCache,
    DecryptionError,
    FieldCipher,
    data_key_context,
    new_data_key,
)

cipher = FieldCipher()
WHERE: dict[str, Any] = {
    "table": "customers",
    "column": "email",
    "row_id": "7d3c1f0e-0b7a-4c6e-9a52-2f1f8e0b9c11",
}
HEADER = 1 + 4


def seal(key: bytes, text: str = "ann.lee@example.com", **where: str) -> bytes:
    return cipher.encrypt(key, text, **{**WHERE, **where})


class TestRoundTrip:
    def test_decrypts_what_it_encrypted(self) -> None:
        key = new_data_key()
        assert cipher.decrypt(key, seal(key), **WHERE) == "ann.lee@example.com"

    @settings(derandomize=True, database=None, max_examples=200)
    @given(
        text=st.text(max_size=300), row_id=st.uuids().map(str), generation=st.integers(1, 2**32 - 1)
    )
    def test_any_text_round_trips(self, text: str, row_id: str, generation: int) -> None:
        key = new_data_key()
        where = {**WHERE, "row_id": row_id}
        sealed = cipher.encrypt(key, text, key_generation=generation, **where)
        assert FieldCipher.key_generation(sealed) == generation
        assert cipher.decrypt(key, sealed, **where) == text

    def test_layout_is_version_generation_nonce_ciphertext_tag(self) -> None:
        sealed = cipher.encrypt(new_data_key(), "abc", key_generation=7, **WHERE)
        assert sealed[0] == FORMAT_VERSION
        assert int.from_bytes(sealed[1:5], "big") == 7
        assert len(sealed) == HEADER + NONCE_BYTES + len("abc") + 16

    def test_plaintext_does_not_appear_in_ciphertext(self) -> None:
        assert b"ann.lee" not in seal(new_data_key())


@pytest.mark.asvs("V11.3.3")
class TestIntegrity:
    """Moved, altered or foreign ciphertexts fail cleanly, never decrypt to wrong data."""

    def test_ciphertext_moved_to_another_row_fails(self) -> None:
        key = new_data_key()
        with pytest.raises(DecryptionError):
            cipher.decrypt(key, seal(key), **{**WHERE, "row_id": "another-row"})

    def test_ciphertext_moved_to_another_column_fails(self) -> None:
        key = new_data_key()
        with pytest.raises(DecryptionError):
            cipher.decrypt(key, seal(key), **{**WHERE, "column": "phone"})

    def test_ciphertext_moved_to_another_table_fails(self) -> None:
        key = new_data_key()
        with pytest.raises(DecryptionError):
            cipher.decrypt(key, seal(key), **{**WHERE, "table": "leads"})

    def test_ciphertext_of_another_owner_fails_under_this_owners_key(self) -> None:
        theirs, mine = new_data_key(), new_data_key()
        with pytest.raises(DecryptionError):
            cipher.decrypt(mine, seal(theirs), **WHERE)

    def test_field_boundaries_are_unambiguous(self) -> None:
        # ("ab", "c") and ("a", "bc") must not share associated data.
        key = new_data_key()
        sealed = cipher.encrypt(key, "x", table="ab", column="c", row_id="1")
        with pytest.raises(DecryptionError):
            cipher.decrypt(key, sealed, table="a", column="bc", row_id="1")

    def test_flipping_any_byte_fails(self) -> None:
        key = new_data_key()
        sealed = seal(key, "555-0100")
        for position in range(len(sealed)):
            tampered = bytearray(sealed)
            tampered[position] ^= 0x01
            with pytest.raises(DecryptionError):
                cipher.decrypt(key, bytes(tampered), **WHERE)

    @pytest.mark.parametrize("cut", [0, 1, HEADER, HEADER + NONCE_BYTES, HEADER + NONCE_BYTES + 15])
    def test_truncated_ciphertext_fails(self, cut: int) -> None:
        key = new_data_key()
        with pytest.raises(DecryptionError):
            cipher.decrypt(key, seal(key)[:cut], **WHERE)

    def test_appended_bytes_fail(self) -> None:
        key = new_data_key()
        with pytest.raises(DecryptionError):
            cipher.decrypt(key, seal(key) + b"\x00", **WHERE)

    def test_unknown_format_version_fails(self) -> None:
        key = new_data_key()
        with pytest.raises(DecryptionError):
            cipher.decrypt(key, bytes([FORMAT_VERSION + 1]) + seal(key)[1:], **WHERE)

    def test_the_error_is_a_clean_409_without_details(self) -> None:
        key = new_data_key()
        with pytest.raises(DecryptionError) as caught:
            cipher.decrypt(key, seal(key), **{**WHERE, "row_id": "x"})
        error = caught.value
        assert isinstance(error, AppError)
        assert (error.status, error.code) == (409, "data_integrity_error")
        assert "row" not in error.message
        assert "tag" not in error.message.lower()


@pytest.mark.asvs("V11.3.2", "V11.2.3", "V11.5.1")
class TestKeysAndNonces:
    def test_data_keys_are_256_bit_and_random(self) -> None:
        keys = {new_data_key() for _ in range(1000)}
        assert len(keys) == 1000
        assert all(len(key) == DATA_KEY_BYTES == 32 for key in keys)

    def test_nonces_are_unique_over_many_encryptions(self) -> None:
        key = new_data_key()
        nonces = {seal(key)[HEADER : HEADER + NONCE_BYTES] for _ in range(20_000)}
        assert len(nonces) == 20_000

    @pytest.mark.parametrize("size", [0, 16, 24, 31, 33])
    def test_keys_other_than_256_bit_are_refused(self, size: int) -> None:
        with pytest.raises(ValueError, match="256-bit"):
            cipher.encrypt(b"k" * size, "x", **WHERE)
        with pytest.raises(ValueError, match="256-bit"):
            cipher.decrypt(b"k" * size, seal(new_data_key()), **WHERE)

    @pytest.mark.parametrize("field", ["table", "column", "row_id"])
    def test_empty_location_is_refused(self, field: str) -> None:
        with pytest.raises(ValueError, match=field):
            cipher.encrypt(new_data_key(), "x", **{**WHERE, field: ""})

    @pytest.mark.parametrize("generation", [0, -1, 2**32])
    def test_generation_out_of_range_is_refused(self, generation: int) -> None:
        with pytest.raises(ValueError, match="key_generation"):
            cipher.encrypt(new_data_key(), "x", key_generation=generation, **WHERE)


@pytest.mark.asvs("V11.2.2")
class TestDataKeyRotation:
    def test_each_value_names_its_key_generation(self) -> None:
        old, new = new_data_key(), new_data_key()
        before = cipher.encrypt(old, "old value", key_generation=1, **WHERE)
        after = cipher.encrypt(new, "new value", key_generation=2, **WHERE)
        keys = {1: old, 2: new}
        for sealed, text in ((before, "old value"), (after, "new value")):
            assert cipher.decrypt(keys[FieldCipher.key_generation(sealed)], sealed, **WHERE) == text

    def test_a_relabelled_generation_fails(self) -> None:
        key = new_data_key()
        sealed = bytearray(cipher.encrypt(key, "x", key_generation=1, **WHERE))
        sealed[4] = 2  # claims generation 2 while the same key is supplied
        with pytest.raises(DecryptionError):
            cipher.decrypt(key, bytes(sealed), **WHERE)


class TestDataKeyContext:
    def test_binds_owner_and_generation(self) -> None:
        assert data_key_context("user:42", 3) == {
            "purpose": "field-data-key",
            "owner": "user:42",
            "generation": "3",
        }

    @pytest.mark.parametrize(("owner", "generation"), [("", 1), ("user:1", 0)])
    def test_refuses_incomplete_context(self, owner: str, generation: int) -> None:
        with pytest.raises(ValueError, match="owner"):
            data_key_context(owner, generation)


class FakeTime:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class TestDataKeyCache:
    def test_returns_what_was_put(self) -> None:
        cache, key = DataKeyCache(), new_data_key()
        cache.put("user:1", 1, key)
        assert cache.get("user:1", 1) == key
        assert cache.get("user:1", 2) is None
        assert cache.get("user:2", 1) is None

    def test_entries_expire_after_the_ttl(self) -> None:
        time = FakeTime()
        cache = DataKeyCache(ttl_seconds=60, now=time)
        cache.put("user:1", 1, new_data_key())
        time.now += 59.9
        assert cache.get("user:1", 1) is not None
        time.now += 0.2
        assert cache.get("user:1", 1) is None
        assert len(cache) == 0

    def test_least_recently_used_is_evicted_beyond_the_bound(self) -> None:
        cache = DataKeyCache(max_entries=2)
        cache.put("a", 1, new_data_key())
        cache.put("b", 1, new_data_key())
        assert cache.get("a", 1) is not None  # "b" is now least recently used
        cache.put("c", 1, new_data_key())
        assert cache.get("b", 1) is None
        assert cache.get("a", 1) is not None
        assert len(cache) == 2

    @pytest.mark.asvs("V14.2.4")
    def test_forget_drops_every_generation_of_one_owner(self) -> None:
        cache = DataKeyCache()
        for owner in ("user:1", "user:2"):
            for generation in (1, 2):
                cache.put(owner, generation, new_data_key())
        cache.forget("user:1")
        assert cache.get("user:1", 1) is None
        assert cache.get("user:1", 2) is None
        assert cache.get("user:2", 2) is not None

    def test_clear_drops_everything(self) -> None:
        cache = DataKeyCache()
        cache.put("user:1", 1, new_data_key())
        cache.clear()
        assert len(cache) == 0

    def test_returned_keys_are_copies(self) -> None:
        cache, key = DataKeyCache(), new_data_key()
        cache.put("user:1", 1, key)
        returned = cache.get("user:1", 1)
        cache.forget("user:1")
        assert returned == key  # wiping the cached copy does not alter what was handed out

    def test_refuses_bad_settings_and_keys(self) -> None:
        with pytest.raises(ValueError, match="positive"):
            DataKeyCache(max_entries=0)
        with pytest.raises(ValueError, match="positive"):
            DataKeyCache(ttl_seconds=0)
        with pytest.raises(ValueError, match="256-bit"):
            DataKeyCache().put("user:1", 1, b"short")
