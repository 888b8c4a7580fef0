"""Brute-force defence in shared state: per-account delay and lockout, per-address limits, PoW.

Per account, keyed by an HMAC of the email as typed (so unknown emails behave
exactly like known ones): after `delay_after_failures` failures each further
failure imposes a growing wait, and `lockout_after_failures` locks sign-in for
`lockout_seconds`. While waiting or locked, attempts are refused with 429
before the password is even checked, so a lock is no oracle either.

Per client address and per network (/24, IPv6 /64): failures past a threshold
demand a proof-of-work solution on login, register and forgot-password, and
far more failures block the address for the rest of the window. Client
addresses come from the request-context middleware, which believes
X-Forwarded-For only from trusted proxies, so a spoofed header cannot reset
the counters. All counters live in Redis and hold across replicas.
"""

from __future__ import annotations

import hashlib
import hmac
import math
from dataclasses import dataclass

from helio.auth.login.exceptions import TooManyAttempts
from helio.auth.sessions.lifecycle import network_of
from helio.kit.clock import clock
from helio.platform.app import App
from helio.platform.policy import AuthPolicy
from helio.security import pow as proof_of_work
from helio.security.blind_index import normalise_email


@dataclass(frozen=True)
class Failure:
    """What one more failure did to an account's counters."""

    failures: int
    wait_seconds: int
    locked_now: bool


def account_key(app: App, email: str) -> str:
    """Return the counter key of the account an email names (whether it exists or not)."""
    try:
        canonical = normalise_email(email)
    except ValueError:
        canonical = email.strip().casefold()
    key = app.server_keys.hmac("lockout")
    return hmac.new(key, canonical.encode("utf-8"), hashlib.sha256).hexdigest()[:40]


def address_key(app: App, value: str) -> str:
    """Return the counter key part of a client address or network: an HMAC, never the address.

    Redis then holds no client address (personal data) in its key names, as the
    leads' per-address limits already do.
    """
    key = app.server_keys.hmac("address-counters")
    return hmac.new(key, value.encode("utf-8"), hashlib.sha256).hexdigest()[:32]


def _keys(app: App, ip: str) -> tuple[str, str | None]:
    network = network_of(ip)
    net_key = f"netf:{address_key(app, network)}" if network else None
    return f"ipf:{address_key(app, ip)}", net_key


def _public_key(app: App, ip: str) -> str:
    return f"ipp:{address_key(app, ip)}"


async def _count(app: App, key: str | None) -> int:
    if key is None:
        return 0
    value = await app.state.get(key)
    return int(value) if value and value.isdigit() else 0


async def _block(app: App, ip: str, failures: tuple[int, int]) -> None:
    policy = app.auth_policy
    ip_key, net_key = _keys(app, ip)
    if failures[0] >= policy.block_after_address_failures:
        raise TooManyAttempts(await app.state.ttl(ip_key) or policy.address_window_seconds)
    if net_key and failures[1] >= policy.block_after_network_failures:
        raise TooManyAttempts(await app.state.ttl(net_key) or policy.address_window_seconds)


async def check_address(app: App, ip: str) -> None:
    """Refuse an address (or its network) that failed far too often this window.

    Raises:
        TooManyAttempts: with Retry-After until the window ends.
    """
    ip_key, net_key = _keys(app, ip)
    await _block(app, ip, (await _count(app, ip_key), await _count(app, net_key)))


async def screen(app: App, ip: str, scope: str, solution: str | None) -> None:
    """Refuse a blocked address; demand and spend a proof-of-work solution when earned.

    Raises:
        TooManyAttempts: the address or its network is blocked for this window.
        PowRequired, PowInvalid, PowExpired, PowReplayed: no valid, fresh solution.
    """
    policy = app.auth_policy
    ip_key, net_key = _keys(app, ip)
    failures = (await _count(app, ip_key), await _count(app, net_key))
    await _block(app, ip, failures)
    needed = (
        failures[0] >= policy.pow_after_address_failures
        or failures[1] >= policy.pow_after_network_failures
        or await _count(app, _public_key(app, ip)) >= policy.pow_after_public_requests
    )
    if not needed:
        return
    await proof_of_work.verify_solution(
        solution,
        secret=app.server_keys.hmac("pow"),
        scope=scope,
        state=app.state,
        min_difficulty_bits=app.auth_policy.pow_difficulty_bits,
    )


def issue_challenge(app: App, scope: str) -> proof_of_work.Challenge:
    """Issue a proof-of-work challenge at the configured difficulty."""
    policy = app.auth_policy
    return proof_of_work.issue_challenge(
        app.server_keys.hmac("pow"),
        difficulty_bits=policy.pow_difficulty_bits,
        ttl_seconds=policy.pow_ttl_seconds,
        scope=scope,
    )


async def count_public_request(app: App, ip: str) -> None:
    """Count a sign-up or reset request from an address (repeated ones earn a PoW demand)."""
    await app.state.incr(_public_key(app, ip), app.auth_policy.address_window_seconds)


async def check_account(app: App, key: str) -> bool:
    """Refuse an attempt on an account that is waiting out a delay or locked.

    Returns:
        True when the account has failures on record (a success must forget them);
        read with the delay in one round trip.

    Raises:
        TooManyAttempts: with Retry-After until the account may try again.
    """
    failures, until = await app.state.get_many(f"af:{key}", f"aw:{key}")
    if until:
        remaining = float(until) - clock.timestamp()
        if remaining > 0:
            raise TooManyAttempts(math.ceil(remaining))
    return failures is not None or until is not None


def _wait_for(policy: AuthPolicy, failures: int) -> int:
    if failures >= policy.lockout_after_failures:
        return policy.lockout_seconds
    if failures > policy.delay_after_failures:
        extra = failures - policy.delay_after_failures
        return min(policy.wait_increment_seconds * extra, policy.max_wait_seconds)
    return 0


async def record_failure(app: App, ip: str, key: str | None) -> Failure:
    """Count a failed attempt against the address, its network and (if given) the account."""
    policy = app.auth_policy
    ip_key, net_key = _keys(app, ip)
    await app.state.incr(ip_key, policy.address_window_seconds)
    if net_key:
        await app.state.incr(net_key, policy.address_window_seconds)
    if key is None:
        return Failure(0, 0, locked_now=False)
    failures = await app.state.incr(f"af:{key}", policy.failure_reset_seconds)
    wait = _wait_for(policy, failures)
    if wait:
        until = clock.timestamp() + wait
        # The stored deadline follows the app clock; the Redis expiry only cleans up.
        await app.state.set(f"aw:{key}", f"{until:.3f}", wait + 60)
    return Failure(failures, wait, locked_now=failures == policy.lockout_after_failures)


async def record_success(app: App, key: str) -> None:
    """Forget an account's failures after a successful sign-in."""
    await app.state.delete(f"af:{key}", f"aw:{key}")


async def unlock(app: App, email: str) -> None:
    """Lift an account's delay or lockout (support action)."""
    await record_success(app, account_key(app, email))
