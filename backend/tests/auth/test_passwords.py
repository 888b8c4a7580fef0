"""Argon2id hashing: OWASP parameters, exact verification, rehash, dummy work, bounded pool."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Iterator

import pytest
from argon2 import Type, extract_parameters

from helio.auth.login import passwords
from helio.auth.login.exceptions import PasswordHashingBusy
from helio.auth.login.passwords import (
    DEFAULT_CONFIG,
    configure,
    current_config,
    hash_password,
    needs_rehash,
    verify_dummy,
    verify_password,
)

CHEAP = {"time_cost": 1, "memory_cost": 64, "parallelism": 1}


@pytest.fixture(autouse=True)
def cheap_hashing() -> Iterator[None]:
    """Use cheap parameters in tests, and restore the production defaults afterwards."""
    configure(**CHEAP, max_workers=2, max_pending=64)
    yield
    d = DEFAULT_CONFIG
    configure(d.time_cost, d.memory_cost, d.parallelism, d.max_workers, max_pending=d.max_pending)


@pytest.mark.asvs("V11.4.2", "V11.4.4")
async def test_production_defaults_are_at_least_owasp() -> None:
    d = DEFAULT_CONFIG
    assert d.memory_cost >= 19456
    assert d.time_cost >= 2
    assert d.parallelism >= 1
    configure(d.time_cost, d.memory_cost, d.parallelism)
    params = extract_parameters(await hash_password("correct horse battery staple"))
    assert params.type is Type.ID
    assert (params.memory_cost, params.time_cost, params.parallelism) == (19456, 2, 1)
    assert params.salt_len == 16
    assert params.hash_len == 32


@pytest.mark.asvs("V11.4.2")
async def test_hash_is_salted_argon2id_and_verifies() -> None:
    first = await hash_password("a long secret passphrase")
    second = await hash_password("a long secret passphrase")
    assert first.startswith("$argon2id$v=19$")
    assert first != second
    assert "passphrase" not in first
    assert await verify_password(first, "a long secret passphrase")
    assert await verify_password(second, "a long secret passphrase")
    assert not await verify_password(first, "a long secret passphrasE")


@pytest.mark.asvs("V6.2.8", "V6.2.9")
async def test_password_verified_exactly_as_typed() -> None:
    pw = "Sólar-Pänel Ünïcode ÄÖÜ secret ☀ mixed CASE " + "x" * 26
    assert len(pw) == 70
    stored = await hash_password(pw)
    assert await verify_password(stored, pw)
    for variant in (pw[:-1], pw[:64], pw.lower(), pw.upper(), pw + " ", " " + pw):
        assert not await verify_password(stored, variant), variant
    longest = "p" * 127 + "q"
    stored_long = await hash_password(longest)
    assert await verify_password(stored_long, longest)
    assert not await verify_password(stored_long, "p" * 128)


async def test_nfkc_normalised_on_both_paths() -> None:
    composed, decomposed = "caf\u00e9 au lait s\u00e9same", "cafe\u0301 au lait se\u0301same"
    stored = await hash_password(composed)
    assert await verify_password(stored, decomposed)
    ligature = await hash_password("\ufb01nancial o\ufb03ce")  # fi, ffi ligatures
    assert await verify_password(ligature, "financial office")


async def test_malformed_or_foreign_hash_is_false() -> None:
    for bad in ("", "plaintext", "$argon2id$v=19$m=1,t=1,p=1$bad", "$2b$12$" + "a" * 53):
        assert await verify_password(bad, "whatever") is False


@pytest.mark.asvs("V11.4.2", "V11.2.2")
async def test_rehash_when_parameters_change() -> None:
    old = await hash_password("the user's password")
    assert not needs_rehash(old)
    configure(time_cost=2, memory_cost=128)
    assert needs_rehash(old)
    assert await verify_password(old, "the user's password")
    new = await hash_password("the user's password")
    assert not needs_rehash(new)
    assert "m=128,t=2,p=1" in new
    assert needs_rehash("not a hash")


def test_configure_refuses_an_unbounded_or_empty_pool() -> None:
    with pytest.raises(ValueError, match="max_workers"):
        configure(max_workers=0)
    with pytest.raises(ValueError, match="max_pending"):
        configure(max_workers=4, max_pending=2)
    assert current_config().max_workers == 2


async def test_dummy_hash_uses_current_parameters() -> None:
    await verify_dummy("anything")
    configure(time_cost=2, memory_cost=96)
    await verify_dummy("anything")
    assert not needs_rehash(passwords._engine.dummy_hash())


async def _fastest(check: Callable[[], Awaitable[object]], runs: int = 7) -> float:
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        await check()
        best = min(best, time.perf_counter() - start)
    return best


@pytest.mark.asvs("V6.3.1")
async def test_unknown_user_costs_the_same_as_a_wrong_password() -> None:
    d = DEFAULT_CONFIG
    configure(d.time_cost, d.memory_cost, d.parallelism)
    stored = await hash_password("the real password")
    await verify_dummy("warm up")
    real = await _fastest(lambda: verify_password(stored, "a wrong guess"))
    dummy = await _fastest(lambda: verify_dummy("a wrong guess"))
    # The minimum of several runs filters scheduler noise; Argon2 dominates both.
    assert 0.5 < dummy / real < 2.0, (real, dummy)


@pytest.mark.asvs("V2.4.1")
async def test_flood_is_bounded_and_refused_fast_when_full() -> None:
    configure(time_cost=1, memory_cost=8192, max_workers=1, max_pending=2)
    results = await asyncio.gather(
        *(hash_password(f"password number {i}") for i in range(10)), return_exceptions=True
    )
    hashed = [r for r in results if isinstance(r, str)]
    refused = [r for r in results if isinstance(r, PasswordHashingBusy)]
    assert len(hashed) == 2
    assert len(refused) == 8
    assert refused[0].status == 503
    assert refused[0].code == "auth_busy"
    assert refused[0].headers == {"Retry-After": "1"}
    # The slots are released: the next call goes through again.
    assert await verify_password(hashed[0], "password number 0")
