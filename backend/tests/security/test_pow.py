"""Proof-of-work challenges: signed, scoped, expiring, single-use; on Redis and in memory."""

from __future__ import annotations

import hashlib
import os
import secrets
from collections.abc import AsyncIterator

import pytest

from helio.kit.clock import clock
from helio.security.pow import (
    DEFAULT_DIFFICULTY_BITS,
    Challenge,
    PowExpired,
    PowInvalid,
    PowReplayed,
    PowRequired,
    issue_challenge,
    leading_zero_bits,
    solve,
    verify_solution,
)
from helio.state.shared import MemoryState, RedisState, SharedState

SECRET = bytes(range(32))
BITS = 10


@pytest.fixture(params=["memory", pytest.param("redis", marks=pytest.mark.redis)])
async def state(request: pytest.FixtureRequest) -> AsyncIterator[SharedState]:
    if request.param == "memory":
        yield MemoryState()
        return
    url = os.environ.get("HELIO_TEST_REDIS_URL") or "redis://127.0.0.1:6379/0"
    redis = RedisState(url, prefix=f"test-pow-{secrets.token_hex(6)}:")
    yield redis
    await redis.close()


def challenge(scope: str = "login", *, bits: int = BITS, ttl: int = 120) -> Challenge:
    return issue_challenge(SECRET, difficulty_bits=bits, ttl_seconds=ttl, scope=scope)


def failing_counter(token: str, bits: int) -> str:
    """Return a solution header whose hash has fewer than `bits` leading zero bits."""
    counter = 0
    while leading_zero_bits(f"{token}:{counter}".encode()) >= bits:
        counter += 1
    return f"{token}:{counter}"


async def verify(header: str | None, state: SharedState, scope: str = "login") -> None:
    await verify_solution(header, secret=SECRET, scope=scope, state=state)


@pytest.mark.asvs("V2.4.1", "V6.3.1")
async def test_valid_solution_accepted_once(state: SharedState) -> None:
    issued = challenge()
    header = solve(issued.token, issued.difficulty_bits)
    assert header.startswith(issued.token + ":")
    assert leading_zero_bits(header.encode()) >= BITS
    await verify(header, state)
    with pytest.raises(PowReplayed) as caught:
        await verify(header, state)
    assert (caught.value.status, caught.value.code) == (403, "pow_replayed")
    another = challenge()
    await verify(solve(another.token, BITS), state)


@pytest.mark.asvs("V2.4.1")
async def test_replay_guard_lives_as_long_as_the_challenge(state: SharedState) -> None:
    issued = challenge(ttl=90)
    await verify(solve(issued.token, BITS), state)
    assert 1 <= await state.ttl(f"pow:{issued.nonce}") <= 91


@pytest.mark.asvs("V6.3.1")
@pytest.mark.parametrize("header", [None, ""])
async def test_missing_solution_refused(state: SharedState, header: str | None) -> None:
    with pytest.raises(PowRequired) as caught:
        await verify(header, state)
    assert (caught.value.status, caught.value.code) == (403, "pow_required")
    assert "X-PoW-Solution" in caught.value.message


@pytest.mark.asvs("V2.4.1")
async def test_wrong_scope_refused(state: SharedState) -> None:
    issued = challenge("lead")
    header = solve(issued.token, BITS)
    with pytest.raises(PowInvalid) as caught:
        await verify(header, state, scope="login")
    assert (caught.value.status, caught.value.code) == (403, "pow_invalid")
    await verify(header, state, scope="lead")


@pytest.mark.asvs("V2.4.1", "V6.3.1")
async def test_forged_challenges_refused(state: SharedState) -> None:
    issued = challenge(bits=16)
    version, scope, bits, expires, nonce, mac = issued.token.split(".")
    easier = f"{version}.{scope}.1.{expires}.{nonce}.{mac}"
    longer = f"{version}.{scope}.{bits}.{int(expires) + 86_400}.{nonce}.{mac}"
    other_scope = f"{version}.register.{bits}.{expires}.{nonce}.{mac}"
    forged = issue_challenge(
        b"attacker-chosen-secret-32-bytes!", difficulty_bits=1, ttl_seconds=60, scope="login"
    )
    for token, needed in ((easier, 1), (longer, 16), (other_scope, 16), (forged.token, 1)):
        with pytest.raises(PowInvalid):
            await verify(solve(token, needed), state, scope=token.split(".")[1])


@pytest.mark.asvs("V2.4.1", "V6.3.1")
async def test_insufficient_work_refused(state: SharedState) -> None:
    issued = challenge(bits=16)
    with pytest.raises(PowInvalid):
        await verify(failing_counter(issued.token, 16), state)
    # A refused attempt does not burn the challenge.
    await verify(solve(issued.token, 16), state)


async def test_minimum_difficulty_enforced(state: SharedState) -> None:
    issued = challenge(bits=4)
    header = solve(issued.token, 4)
    with pytest.raises(PowInvalid):
        await verify_solution(
            header, secret=SECRET, scope="login", state=state, min_difficulty_bits=12
        )
    await verify_solution(header, secret=SECRET, scope="login", state=state, min_difficulty_bits=4)


@pytest.mark.asvs("V2.4.1")
async def test_expired_challenge_refused(state: SharedState) -> None:
    issued = challenge(ttl=60)
    header = solve(issued.token, BITS)
    clock.advance(61)
    with pytest.raises(PowExpired) as caught:
        await verify(header, state)
    assert (caught.value.status, caught.value.code) == (403, "pow_expired")


@pytest.mark.parametrize(
    "mangle",
    ["no_counter", "letters", "negative", "huge", "long", "unicode", "parts", "empty_token"],
)
async def test_malformed_headers_refused(state: SharedState, mangle: str) -> None:
    issued = challenge()
    header = solve(issued.token, BITS)
    bad = {
        "no_counter": issued.token,
        "letters": issued.token + ":12ab",
        "negative": issued.token + ":-5",
        "huge": issued.token + ":" + "9" * 21,
        "long": header + "0" * 300,
        "unicode": header.replace("login", "l\u00f6gin"),
        "parts": header.replace(".", ".x.", 1),
        "empty_token": ":" + header.rpartition(":")[2],
    }[mangle]
    with pytest.raises(PowInvalid):
        await verify(bad, state)


def test_token_format_and_issue_limits() -> None:
    issued = challenge(bits=12, ttl=30)
    assert ":" not in issued.token
    assert issued.token.isascii()
    version, scope, bits, expires, nonce, mac = issued.token.split(".")
    assert (version, scope, int(bits)) == ("v1", "login", 12)
    assert int(expires) == issued.expires_at
    assert 29 <= issued.expires_at - clock.timestamp() <= 31
    assert nonce == issued.nonce
    assert len(nonce) == 22
    assert len(mac) == 43
    assert challenge().nonce != challenge().nonce
    bad_calls = [
        {"secret": b"short", "difficulty_bits": 8, "ttl_seconds": 60, "scope": "login"},
        {"secret": SECRET, "difficulty_bits": 0, "ttl_seconds": 60, "scope": "login"},
        {"secret": SECRET, "difficulty_bits": 33, "ttl_seconds": 60, "scope": "login"},
        {"secret": SECRET, "difficulty_bits": 8, "ttl_seconds": 601, "scope": "login"},
        {"secret": SECRET, "difficulty_bits": 8, "ttl_seconds": 60, "scope": "Log.in"},
        {"secret": SECRET, "difficulty_bits": 8, "ttl_seconds": 60, "scope": ""},
    ]
    for kwargs in bad_calls:
        with pytest.raises(ValueError, match=r"secret|range|scope"):
            issue_challenge(**kwargs)  # type: ignore[arg-type]


async def test_verifier_refuses_a_weak_secret() -> None:
    with pytest.raises(ValueError, match="secret"):
        await verify_solution("x:1", secret=b"short", scope="login", state=MemoryState())


def test_leading_zero_bits_and_solver_agree_with_sha256() -> None:
    assert leading_zero_bits(b"") == 0  # e3b0c442...
    digest = hashlib.sha256(b"abc").digest()
    assert leading_zero_bits(b"abc") == 256 - int.from_bytes(digest, "big").bit_length()
    header = solve("v1.test.token", 12)
    assert hashlib.sha256(header.encode()).digest()[0] == 0
    assert hashlib.sha256(header.encode()).digest()[1] >> 4 == 0
    assert 16 <= DEFAULT_DIFFICULTY_BITS <= 22
