"""Key providers: the local keyring file, AWS KMS (through the stand-in) and wrapped keys."""

from __future__ import annotations

import asyncio
import json
import os
import stat
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError
from hypothesis import given, settings
from hypothesis import strategies as st

from helio.security.crypto import DecryptionError, data_key_context, new_data_key
from helio.security.files import KeyringError
from helio.security.keys import build_key_provider
from helio.security.keys.aws_kms import AwsKmsKeyProvider
from helio.security.keys.local import LocalKeyProvider
from helio.security.keys.types import (
    KeyProvider,
    KeyServiceUnavailable,
    WrappedKey,
    generate_data_key_async,
    unwrap_async,
    wrap_async,
)
from helio_standins.kms import STANDIN_ALIAS, FakeKmsClient, standin_client

CTX = data_key_context("user:0b3c", 1)
OTHER_CTX = data_key_context("user:9f1e", 1)


@pytest.fixture
def keyring_path(tmp_path: Path) -> Path:
    return tmp_path / "keys" / "keyring.json"


@pytest.fixture
def local(keyring_path: Path) -> LocalKeyProvider:
    return LocalKeyProvider(keyring_path)


@pytest.fixture
def kms() -> FakeKmsClient:
    return FakeKmsClient()


@pytest.fixture
def aws(kms: FakeKmsClient) -> AwsKmsKeyProvider:
    return AwsKmsKeyProvider(kms, kms.ensure_alias(STANDIN_ALIAS))


@pytest.fixture(params=["local", "aws-kms"])
def provider(request: pytest.FixtureRequest, keyring_path: Path) -> KeyProvider:
    client, key_id = standin_client(keyring_path, None, None)
    return build_key_provider(
        request.param, keyring_path=keyring_path, kms_key_id=key_id, region=None, kms_client=client
    )


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


class TestWrappedKey:
    @settings(derandomize=True, database=None, max_examples=100)
    @given(kek_id=st.text(min_size=1, max_size=300), blob=st.binary(min_size=1, max_size=300))
    def test_bytes_round_trip(self, kek_id: str, blob: bytes) -> None:
        wrapped = WrappedKey(kek_id, blob)
        assert WrappedKey.from_bytes(wrapped.to_bytes()) == wrapped

    def test_format_is_versioned_and_names_the_kek(self) -> None:
        data = WrappedKey("kek-1", b"blob").to_bytes()
        assert data == b"\x01\x00\x05kek-1blob"

    @pytest.mark.parametrize(
        "data", [b"", b"\x01", b"\x01\x00\x05kek-1", b"\x02\x00\x05kek-1blob", b"\x01\x00\x00blob"]
    )
    def test_malformed_bytes_are_an_integrity_error(self, data: bytes) -> None:
        with pytest.raises(DecryptionError):
            WrappedKey.from_bytes(data)


class TestProviders:
    """The same contract for the local keyring and AWS KMS."""

    def test_generated_key_unwraps_to_itself(self, provider: KeyProvider) -> None:
        key, wrapped = provider.generate_data_key(CTX)
        assert len(key) == 32
        assert wrapped.kek_id == provider.current_kek_id()
        assert provider.unwrap(WrappedKey.from_bytes(wrapped.to_bytes()), context=CTX) == key

    def test_wrap_unwrap_round_trip(self, provider: KeyProvider) -> None:
        key = new_data_key()
        assert provider.unwrap(provider.wrap(key, context=CTX), context=CTX) == key

    @pytest.mark.asvs("V11.3.3")
    def test_wrapped_key_of_another_owner_does_not_unwrap(self, provider: KeyProvider) -> None:
        _, wrapped = provider.generate_data_key(OTHER_CTX)
        with pytest.raises(DecryptionError):
            provider.unwrap(wrapped, context=CTX)

    @pytest.mark.asvs("V11.3.3")
    def test_tampering_any_byte_of_the_blob_fails(self, provider: KeyProvider) -> None:
        _, wrapped = provider.generate_data_key(CTX)
        for position in range(len(wrapped.blob)):
            blob = bytearray(wrapped.blob)
            blob[position] ^= 0x80
            with pytest.raises(DecryptionError):
                provider.unwrap(WrappedKey(wrapped.kek_id, bytes(blob)), context=CTX)

    def test_a_context_is_required(self, provider: KeyProvider) -> None:
        with pytest.raises(ValueError, match="context"):
            provider.generate_data_key({})

    def test_only_256_bit_data_keys_are_wrapped(self, provider: KeyProvider) -> None:
        with pytest.raises(ValueError, match="256-bit"):
            provider.wrap(b"k" * 16, context=CTX)

    async def test_async_helpers_run_in_a_thread(self, provider: KeyProvider) -> None:
        key, wrapped = await generate_data_key_async(provider, CTX)
        rewrapped = await wrap_async(provider, key, context=CTX)
        results = await asyncio.gather(
            unwrap_async(provider, wrapped, context=CTX),
            unwrap_async(provider, rewrapped, context=CTX),
        )
        assert list(results) == [key, key]


@pytest.mark.asvs("V13.3.1", "V13.3.2")
class TestKeyringFile:
    def test_created_at_first_use_with_mode_0600(self, keyring_path: Path) -> None:
        old_umask = os.umask(0o000)  # even a permissive umask must not widen the mode
        try:
            LocalKeyProvider(keyring_path)
        finally:
            os.umask(old_umask)
        assert mode(keyring_path) == 0o600
        assert mode(keyring_path.parent) == 0o700
        data = json.loads(keyring_path.read_text())
        assert data["format"] == "helio-keyring/1"
        assert list(data["kek"]["keys"]) == [data["kek"]["current"]]

    def test_no_temporary_files_are_left_behind(self, local: LocalKeyProvider) -> None:
        local.rotate_kek()
        names = sorted(p.name for p in local.path.parent.iterdir())
        assert names == ["keyring.json", "keyring.json.lock"]

    @pytest.mark.parametrize("file_mode", [0o644, 0o640, 0o604, 0o660, 0o606])
    def test_refused_when_group_or_others_have_access(
        self, local: LocalKeyProvider, file_mode: int
    ) -> None:
        local.path.chmod(file_mode)
        with pytest.raises(KeyringError, match=r"group or others.*chmod 600"):
            LocalKeyProvider(local.path)

    def test_refused_when_it_is_a_symlink(self, local: LocalKeyProvider, tmp_path: Path) -> None:
        link = tmp_path / "link.json"
        link.symlink_to(local.path)
        with pytest.raises(KeyringError, match="cannot open"):
            LocalKeyProvider(link)

    def test_refused_when_corrupt(self, keyring_path: Path) -> None:
        keyring_path.parent.mkdir()
        keyring_path.write_text('{"format": "helio-keyring/1"}')
        keyring_path.chmod(0o600)
        with pytest.raises(KeyringError, match="corrupt"):
            LocalKeyProvider(keyring_path)

    def test_refused_when_a_key_is_short(self, local: LocalKeyProvider) -> None:
        data = json.loads(local.path.read_text())
        data["kek"]["keys"][local.current_kek_id()]["key"] = "c2hvcnQ="
        local.path.write_text(json.dumps(data))
        with pytest.raises(KeyringError, match="32 bytes"):
            LocalKeyProvider(local.path)

    def test_a_second_instance_reads_the_same_keys(self, local: LocalKeyProvider) -> None:
        key, wrapped = local.generate_data_key(CTX)
        again = LocalKeyProvider(local.path)
        assert again.current_kek_id() == local.current_kek_id()
        assert again.unwrap(wrapped, context=CTX) == key

    def test_concurrent_first_use_creates_one_keyring(self, keyring_path: Path) -> None:
        with ThreadPoolExecutor(max_workers=8) as pool:
            providers = list(pool.map(lambda _: LocalKeyProvider(keyring_path), range(16)))
            secrets = set(pool.map(lambda p: p.secret("csrf"), providers))
        assert len({p.current_kek_id() for p in providers}) == 1
        assert len(secrets) == 1

    def test_named_secrets_are_generated_once_and_persist(self, local: LocalKeyProvider) -> None:
        secret = local.secret("csrf")
        assert len(secret) == 32
        assert local.secret("csrf") == secret
        assert LocalKeyProvider(local.path).secret("csrf") == secret
        assert local.secret("pow") != secret

    @pytest.mark.parametrize("name", ["", "CSRF", "../x", "a" * 65, "x y"])
    def test_secret_names_are_restricted(self, local: LocalKeyProvider, name: str) -> None:
        with pytest.raises(ValueError, match="secret names"):
            local.secret(name)


@pytest.mark.asvs("V11.2.2")
class TestKekRotation:
    def test_rotation_keeps_old_wraps_readable_and_new_wraps_use_the_new_kek(
        self, local: LocalKeyProvider
    ) -> None:
        old_id = local.current_kek_id()
        old_key, old_wrap = local.generate_data_key(CTX)
        new_id = local.rotate_kek()
        new_key, new_wrap = local.generate_data_key(CTX)
        assert new_id != old_id
        assert local.current_kek_id() == new_id
        assert (old_wrap.kek_id, new_wrap.kek_id) == (old_id, new_id)
        assert local.unwrap(old_wrap, context=CTX) == old_key
        assert local.unwrap(new_wrap, context=CTX) == new_key
        assert local.kek_ids() == sorted([old_id, new_id])

    def test_rewrapping_then_retiring_the_old_kek(self, local: LocalKeyProvider) -> None:
        key, old_wrap = local.generate_data_key(CTX)
        old_id = old_wrap.kek_id
        local.rotate_kek()
        rewrapped = local.wrap(local.unwrap(old_wrap, context=CTX), context=CTX)
        local.retire_kek(old_id)
        assert local.unwrap(rewrapped, context=CTX) == key
        with pytest.raises(DecryptionError):
            local.unwrap(old_wrap, context=CTX)
        assert old_id not in LocalKeyProvider(local.path).kek_ids()

    def test_the_current_or_an_unknown_kek_cannot_be_retired(self, local: LocalKeyProvider) -> None:
        with pytest.raises(ValueError, match="non-current"):
            local.retire_kek(local.current_kek_id())
        with pytest.raises(ValueError, match="non-current"):
            local.retire_kek("kek-unknown")

    def test_another_process_sees_a_rotation_when_it_meets_the_new_kek(
        self, local: LocalKeyProvider
    ) -> None:
        other = LocalKeyProvider(local.path)  # e.g. another API worker
        local.rotate_kek()
        key, wrapped = local.generate_data_key(CTX)
        assert other.unwrap(wrapped, context=CTX) == key
        assert other.current_kek_id() == local.current_kek_id()

    @pytest.mark.asvs("V11.3.3")
    def test_a_wrap_relabelled_with_another_kek_id_fails(self, local: LocalKeyProvider) -> None:
        _, wrapped = local.generate_data_key(CTX)
        local.rotate_kek()
        with pytest.raises(DecryptionError):
            local.unwrap(WrappedKey(local.current_kek_id(), wrapped.blob), context=CTX)


@pytest.mark.asvs("V11.2.2")
class TestBlindIndexKeys:
    def test_versions_are_added_kept_and_retired(self, local: LocalKeyProvider) -> None:
        first = local.blind_index_key(1)
        assert local.current_blind_index_version() == 1
        assert local.add_blind_index_version() == 2
        assert local.blind_index_versions() == [2, 1]
        assert local.blind_index_key(1) == first
        assert local.blind_index_key(2) != first
        local.retire_blind_index_version(1)
        assert LocalKeyProvider(local.path).blind_index_versions() == [2]
        with pytest.raises(KeyError):
            local.blind_index_key(1)
        with pytest.raises(ValueError, match="non-current"):
            local.retire_blind_index_version(2)

    def test_blind_index_keys_are_not_encryption_keys(self, local: LocalKeyProvider) -> None:
        data = json.loads(local.path.read_text())
        kek_material = {entry["key"] for entry in data["kek"]["keys"].values()}
        index_material = {entry["key"] for entry in data["blind_index"]["keys"].values()}
        assert not kek_material & index_material


class TestFakeKms:
    @pytest.mark.asvs("V11.3.3")
    def test_wrong_context_is_invalid_ciphertext(self, kms: FakeKmsClient) -> None:
        key_id = kms.create_key()["KeyMetadata"]["KeyId"]
        blob = kms.encrypt(KeyId=key_id, Plaintext=b"k" * 32, EncryptionContext=CTX)[
            "CiphertextBlob"
        ]
        with pytest.raises(kms.exceptions.InvalidCiphertextException) as caught:
            kms.decrypt(CiphertextBlob=blob, EncryptionContext=OTHER_CTX)
        assert isinstance(caught.value, ClientError)
        assert caught.value.response["Error"]["Code"] == "InvalidCiphertextException"
        assert caught.value.operation_name == "Decrypt"

    def test_blob_of_another_key_is_incorrect_key(self, kms: FakeKmsClient) -> None:
        first, second = (kms.create_key()["KeyMetadata"]["KeyId"] for _ in range(2))
        blob = kms.encrypt(KeyId=first, Plaintext=b"x", EncryptionContext=CTX)["CiphertextBlob"]
        with pytest.raises(kms.exceptions.IncorrectKeyException):
            kms.decrypt(CiphertextBlob=blob, EncryptionContext=CTX, KeyId=second)

    def test_unknown_key_is_not_found(self, kms: FakeKmsClient) -> None:
        with pytest.raises(kms.exceptions.NotFoundException):
            kms.encrypt(KeyId="alias/missing", Plaintext=b"x")

    def test_disabled_key_refuses_every_operation(self, kms: FakeKmsClient) -> None:
        key_id = kms.create_key()["KeyMetadata"]["KeyId"]
        blob = kms.encrypt(KeyId=key_id, Plaintext=b"x", EncryptionContext=CTX)["CiphertextBlob"]
        kms.disable_key(KeyId=key_id)
        with pytest.raises(kms.exceptions.DisabledException):
            kms.decrypt(CiphertextBlob=blob, EncryptionContext=CTX)
        with pytest.raises(kms.exceptions.DisabledException):
            kms.generate_data_key(KeyId=key_id, KeySpec="AES_256", EncryptionContext=CTX)
        kms.enable_key(KeyId=key_id)
        assert kms.decrypt(CiphertextBlob=blob, EncryptionContext=CTX)["Plaintext"] == b"x"

    @pytest.mark.asvs("V11.2.2")
    def test_rotated_key_still_decrypts_old_blobs(self, kms: FakeKmsClient) -> None:
        key_id = kms.create_key()["KeyMetadata"]["KeyId"]
        old = kms.encrypt(KeyId=key_id, Plaintext=b"old", EncryptionContext=CTX)
        kms.rotate_key_on_demand(KeyId=key_id)
        new = kms.encrypt(KeyId=key_id, Plaintext=b"new", EncryptionContext=CTX)
        assert old["CiphertextBlob"][-19:] != new["CiphertextBlob"][-19:]
        for response, plain in ((old, b"old"), (new, b"new")):
            decrypted = kms.decrypt(
                CiphertextBlob=response["CiphertextBlob"], EncryptionContext=CTX
            )
            assert decrypted["Plaintext"] == plain
            assert decrypted["KeyId"] == response["KeyId"]

    def test_keys_are_addressed_by_id_arn_or_alias(self, kms: FakeKmsClient) -> None:
        key_id = kms.ensure_alias("alias/helio-test")
        arn = kms.describe_key(KeyId=key_id)["KeyMetadata"]["Arn"]
        assert arn == f"arn:aws:kms:eu-west-1:000000000000:key/{key_id}"
        for ref in (key_id, arn, "alias/helio-test"):
            assert kms.describe_key(KeyId=ref)["KeyMetadata"]["KeyId"] == key_id
        with pytest.raises(kms.exceptions.AlreadyExistsException):
            kms.create_alias(AliasName="alias/helio-test", TargetKeyId=key_id)

    def test_generate_data_key_returns_an_aes_256_key(self, kms: FakeKmsClient) -> None:
        key_id = kms.create_key()["KeyMetadata"]["KeyId"]
        response = kms.generate_data_key(KeyId=key_id, KeySpec="AES_256", EncryptionContext=CTX)
        assert len(response["Plaintext"]) == 32
        blob = response["CiphertextBlob"]
        assert (
            kms.decrypt(CiphertextBlob=blob, EncryptionContext=CTX)["Plaintext"]
            == (response["Plaintext"])
        )

    def test_state_file_is_private_and_shared_by_clients(self, tmp_path: Path) -> None:
        path = tmp_path / "kms-standin.json"
        first, second = FakeKmsClient(state_path=path), FakeKmsClient(state_path=path)
        key_id = first.ensure_alias(STANDIN_ALIAS)
        assert second.ensure_alias(STANDIN_ALIAS) == key_id  # no second key behind the alias
        blob = first.encrypt(KeyId=key_id, Plaintext=b"x", EncryptionContext=CTX)
        third = FakeKmsClient(state_path=path)
        assert (
            third.decrypt(CiphertextBlob=blob["CiphertextBlob"], EncryptionContext=CTX)["Plaintext"]
            == b"x"
        )
        assert mode(path) == 0o600


class TestAwsKmsKeyProvider:
    def test_wraps_record_the_key_arn(self, aws: AwsKmsKeyProvider) -> None:
        _, wrapped = aws.generate_data_key(CTX)
        assert wrapped.kek_id.startswith("arn:aws:kms:")
        assert wrapped.kek_id == aws.current_kek_id()

    @pytest.mark.asvs("V11.2.2")
    def test_switching_to_a_new_kms_key_keeps_old_wraps_readable(
        self, kms: FakeKmsClient, aws: AwsKmsKeyProvider
    ) -> None:
        key, old_wrap = aws.generate_data_key(CTX)
        new_key_id = kms.create_key()["KeyMetadata"]["KeyId"]
        switched = AwsKmsKeyProvider(kms, new_key_id)
        _, new_wrap = switched.generate_data_key(CTX)
        assert new_wrap.kek_id != old_wrap.kek_id
        assert switched.unwrap(old_wrap, context=CTX) == key

    @pytest.mark.asvs("V11.3.3")
    def test_blob_claiming_another_key_is_an_integrity_error(
        self, kms: FakeKmsClient, aws: AwsKmsKeyProvider
    ) -> None:
        _, wrapped = aws.generate_data_key(CTX)
        other = kms.describe_key(KeyId=kms.create_key()["KeyMetadata"]["KeyId"])
        with pytest.raises(DecryptionError):
            aws.unwrap(WrappedKey(other["KeyMetadata"]["Arn"], wrapped.blob), context=CTX)

    @pytest.mark.asvs("V16.5.2")
    def test_disabled_key_fails_closed_as_unavailable(
        self, kms: FakeKmsClient, aws: AwsKmsKeyProvider
    ) -> None:
        _, wrapped = aws.generate_data_key(CTX)
        kms.disable_key(KeyId=STANDIN_ALIAS)
        with pytest.raises(KeyServiceUnavailable) as caught:
            aws.unwrap(wrapped, context=CTX)
        assert (caught.value.status, caught.value.code) == (503, "key_service_unavailable")
        with pytest.raises(KeyServiceUnavailable):
            aws.generate_data_key(CTX)

    @pytest.mark.asvs("V16.5.2")
    def test_unreachable_kms_fails_closed_as_unavailable(self) -> None:
        class Unreachable:
            """The one failure the stand-in cannot produce: the network is down."""

            def decrypt(self, **_: object) -> None:
                raise EndpointConnectionError(endpoint_url="https://kms.eu-west-1.amazonaws.com")

        with pytest.raises(KeyServiceUnavailable):
            AwsKmsKeyProvider(Unreachable(), "alias/x").unwrap(WrappedKey("k", b"b"), context=CTX)


class TestBuildKeyProvider:
    def test_local(self, keyring_path: Path) -> None:
        built = build_key_provider("local", keyring_path=keyring_path, kms_key_id=None, region=None)
        assert isinstance(built, LocalKeyProvider)

    def test_stand_in_persists_next_to_the_keyring(self, keyring_path: Path) -> None:
        def build() -> KeyProvider:
            client, key_id = standin_client(keyring_path, None, None)
            return build_key_provider(
                "aws-kms",
                keyring_path=keyring_path,
                kms_key_id=key_id,
                region=None,
                kms_client=client,
            )

        key, wrapped = build().generate_data_key(CTX)
        assert build().unwrap(wrapped, context=CTX) == key  # survives a restart
        assert mode(keyring_path.with_name("keyring.json.kms-standin")) == 0o600

    def test_real_kms_needs_a_key_id_and_region(self, keyring_path: Path) -> None:
        with pytest.raises(ValueError, match="KMS_KEY_ID"):
            build_key_provider(
                "aws-kms",
                keyring_path=keyring_path,
                kms_key_id=None,
                region=None,
            )

    def test_real_kms_builds_a_boto3_client_without_calling_it(self, keyring_path: Path) -> None:
        built = build_key_provider(
            "aws-kms",
            keyring_path=keyring_path,
            kms_key_id="alias/helio",
            region="eu-west-1",
        )
        assert isinstance(built, AwsKmsKeyProvider)

    def test_unknown_kind_is_refused(self, keyring_path: Path) -> None:
        with pytest.raises(ValueError, match="unknown key provider"):
            build_key_provider("vault", keyring_path=keyring_path, kms_key_id=None, region=None)
