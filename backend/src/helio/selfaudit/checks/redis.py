"""Checks on the shared state: Redis requires auth and TLS; no personal data in key names."""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import urlsplit, urlunsplit

from redis.asyncio import Redis
from redis.exceptions import AuthenticationError, RedisError, ResponseError

from helio.selfaudit.inputs import Inputs
from helio.selfaudit.registry import (
    Category,
    Outcome,
    Severity,
    Source,
    check,
    failed,
    manual,
    passed,
)

MAX_KEYS = 200_000
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+")
_IPV4 = re.compile(r"(?<![\d.])(\d{1,3}(\.\d{1,3}){3})(?![\d.])")
# Key names use ":" as a separator, so an address may follow one; a match that swallows a
# separator-joined hex prefix still names an address and is redacted whole (the safe side).
_IPV6 = re.compile(r"(?<![0-9A-Fa-f])([0-9A-Fa-f]{1,4}(:[0-9A-Fa-f]{0,4}){2,7})(?![0-9A-Fa-f:])")
NO_REDIS = "no HELIO_REDIS_URL: state lives in the process (development only)"


@check(
    "redis.auth_tls",
    category=Category.A02,
    severity=Severity.HIGH,
    source=Source.REDIS,
    title="Redis requires a password and TLS in production",
    fix="Use a rediss:// URL with a password (ElastiCache: transit encryption and AUTH/RBAC on).",
)
async def auth_tls(inputs: Inputs) -> Outcome:
    """The URL asks for TLS and a password, and the server refuses a caller without one."""
    url = inputs.settings.redis_url
    if not url:
        return failed(NO_REDIS) if inputs.production else passed(NO_REDIS)
    parts = urlsplit(url)
    tls, password = parts.scheme == "rediss", bool(parts.password)
    anonymous = await _anonymous_allowed(url) if password else None
    evidence = [
        f"TLS: {'yes (rediss://)' if tls else 'no (redis://)'}",
        f"password in the URL: {'yes' if password else 'no'}",
    ]
    if anonymous is not None:
        evidence.append(
            f"a caller without the password is {'ANSWERED' if anonymous else 'refused'}"
        )
    weak = not tls or not password or anonymous is True
    if weak and inputs.production:
        return failed(*evidence)
    if weak:
        return passed(*evidence, f"allowed outside production ({inputs.settings.env})")
    return passed(*evidence)


async def _anonymous_allowed(url: str) -> bool | None:
    """Whether the server answers PING without the password (None: could not tell)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    netloc = f"[{host}]" if ":" in host else host
    if parts.port:
        netloc += f":{parts.port}"
    bare = urlunsplit((parts.scheme, netloc, parts.path, "", ""))
    client = Redis.from_url(bare, socket_timeout=3, socket_connect_timeout=3)
    try:
        return bool(await client.ping())  # type: ignore[misc]  # redis 7 stubs
    except (AuthenticationError, ResponseError):
        return False
    except (RedisError, OSError):
        return None
    finally:
        await client.aclose()


@check(
    "redis.personal_data_in_keys",
    category=Category.A02,
    severity=Severity.MEDIUM,
    source=Source.REDIS,
    title="No personal data in Redis key names",
    fix="Key counters by an HMAC of the address or account (as the alert counters do), "
    "never by the address itself; expire the offending keys.",
)
async def personal_data_in_keys(inputs: Inputs) -> Outcome:
    """Scan key names for email addresses and IP addresses (the names only, never values)."""
    url = inputs.settings.redis_url
    if not url:
        return manual(NO_REDIS)
    client = Redis.from_url(url, socket_timeout=10, socket_connect_timeout=5)
    scanned, shapes = 0, dict[str, int]()
    try:
        async for raw in client.scan_iter(count=1000):
            scanned += 1
            key = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
            kind = personal_kind(key)
            if kind:
                shape = redact(key)
                shapes[shape] = shapes.get(shape, 0) + 1
            if scanned >= MAX_KEYS:
                break
    except (RedisError, OSError) as error:
        return manual(f"Redis could not be scanned ({type(error).__name__})")
    finally:
        await client.aclose()
    evidence = f"{scanned} key name(s) scanned" + (
        " (stopped at the cap)" if scanned >= MAX_KEYS else ""
    )
    if shapes:
        listed = [f"{count} key(s) like {shape}" for shape, count in sorted(shapes.items())[:10]]
        return failed(evidence, *listed)
    return passed(evidence, "no email or IP address in a key name")


def personal_kind(key: str) -> str | None:
    """'email' or 'ip' when a key name holds one, else None."""
    if _EMAIL.search(key):
        return "email"
    for match in _IPV4.finditer(key):
        if _is_ip(match.group(1)):
            return "ip"
    for match in _IPV6.finditer(key):
        if _is_ip(match.group(1)):
            return "ip"
    return None


def redact(key: str) -> str:
    """The key name with every email and IP address replaced by a placeholder."""
    shape = _EMAIL.sub("<email>", key)
    shape = _IPV4.sub(lambda m: "<ip>" if _is_ip(m.group(1)) else m.group(0), shape)
    return _IPV6.sub(lambda m: "<ip>" if _is_ip(m.group(1)) else m.group(0), shape)


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True
