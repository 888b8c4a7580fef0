"""Decide whether an outbound destination is allowed: URL, host and every address.

The address tables follow the IANA special-purpose registries (RFC 6890 and
successors). They are spelled out here instead of relying only on
`ipaddress.is_global`, whose lists changed between Python patch releases.
`helio.security.outbound` makes the HTTP call; everything it may reach is
decided here.
"""

from __future__ import annotations

import asyncio
import ipaddress
import re
import socket
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

import httpx
import idna
import structlog

from helio.errors import AppError

Resolver = Callable[[str, int], Awaitable[Sequence[str]]]
"""Resolve (host, port) to IP address strings; `system_resolver` is the default."""

_log = structlog.get_logger(component="outbound")

DEFAULT_PORTS = {"http": 80, "https": 443}
MAX_URL_LENGTH = 2048
# Whitespace, controls and backslashes are read differently by different URL
# parsers (WHATWG strips tabs, turns "\" into "/"), so such URLs are refused.
UNSAFE_URL_CHARS = re.compile(r"[\x00-\x20\x7f\\]")
_HOST_LABEL = r"[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?"
_HOST_NAME = re.compile(rf"(?=.{{1,253}}\Z){_HOST_LABEL}(?:\.{_HOST_LABEL})*")

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

_V4, _V6 = ipaddress.IPv4Network, ipaddress.IPv6Network

_BLOCKED_V4 = tuple(
    _V4(net)
    for net in (
        "0.0.0.0/8",  # "this network", incl. the unspecified 0.0.0.0
        "10.0.0.0/8",  # RFC 1918
        "100.64.0.0/10",  # carrier-grade NAT
        "127.0.0.0/8",  # loopback
        "169.254.0.0/16",  # link-local, incl. cloud metadata 169.254.169.254
        "172.16.0.0/12",  # RFC 1918
        "192.0.0.0/24",  # IETF protocol assignments
        "192.0.2.0/24",  # documentation TEST-NET-1
        "192.88.99.0/24",  # retired 6to4 relay anycast
        "192.168.0.0/16",  # RFC 1918
        "198.18.0.0/15",  # benchmarking
        "198.51.100.0/24",  # documentation TEST-NET-2
        "203.0.113.0/24",  # documentation TEST-NET-3
        "224.0.0.0/4",  # multicast
        "240.0.0.0/4",  # reserved, incl. broadcast 255.255.255.255
    )
)

# Everything outside 2000::/3 is loopback, unspecified, IPv4-compatible, ULA
# (fc00::/7, incl. AWS metadata fd00:ec2::254), link-local, site-local,
# multicast, discard or local-use NAT64, so only global unicast can pass.
_GLOBAL_UNICAST_V6 = _V6("2000::/3")
_BLOCKED_V6 = tuple(
    _V6(net)
    for net in (
        "2001::/23",  # IETF protocol assignments, incl. Teredo 2001::/32 (tunnels refused outright)
        "2001:db8::/32",  # documentation
        "3fff::/20",  # documentation (RFC 9637)
    )
)
_NAT64_V6 = _V6("64:ff9b::/96")
_SIXTOFOUR_V6 = _V6("2002::/16")

_INTERNAL_V4 = tuple(
    _V4(net)
    for net in ("10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16")
)
_INTERNAL_V6 = (_V6("::1/128"), _V6("fc00::/7"))
_METADATA = frozenset(
    ipaddress.ip_address(ip)
    for ip in ("169.254.169.254", "169.254.170.2", "100.100.100.200", "fd00:ec2::254")
)

_INET_ATON_CHARS = re.compile(r"[0-9a-fA-FxX.]+")


def embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """Return the IPv4 address carried inside an IPv4-mapped, NAT64 or 6to4 address."""
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip in _NAT64_V6:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    if ip in _SIXTOFOUR_V6:
        return ip.sixtofour
    return None


def is_public_address(ip: IPAddress) -> bool:
    """Tell whether an address is a public unicast destination an outbound call may reach.

    Args:
        ip: the address a host name resolved to or a URL named literally.

    Returns:
        True only for global unicast addresses; False for loopback, private,
        link-local, CGNAT, multicast, reserved, unspecified, broadcast,
        documentation and benchmark ranges, and for IPv6 forms (mapped,
        compatible, NAT64, 6to4, Teredo) that embed or tunnel to any of them.
    """
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.scope_id:
            return False
        inner = embedded_ipv4(ip)
        if inner is not None:
            return _is_public_v4(inner)
        if ip not in _GLOBAL_UNICAST_V6 or any(ip in net for net in _BLOCKED_V6):
            return False
        return ip.is_global and not ip.is_multicast
    return _is_public_v4(ip)


def _is_public_v4(ip: ipaddress.IPv4Address) -> bool:
    if any(ip in net for net in _BLOCKED_V4):
        return False
    return ip.is_global and not ip.is_multicast


def is_internal_address(ip: IPAddress) -> bool:
    """Tell whether an address is an internal unicast host an operator may allowlist by name.

    Args:
        ip: a resolved address of a host name listed in `allow_private_hosts`.

    Returns:
        True for loopback, RFC 1918, CGNAT and unique-local addresses; False for
        cloud metadata endpoints, link-local, unspecified, multicast and
        reserved addresses, which no allowlist entry can open.
    """
    if ip in _METADATA:
        return False
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.scope_id:
            return False
        inner = embedded_ipv4(ip)
        if inner is None:
            return any(ip in net for net in _INTERNAL_V6)
        ip = inner
    return ip not in _METADATA and any(ip in net for net in _INTERNAL_V4)


def parse_host_literal(host: str) -> IPAddress | None:
    """Read a URL host as an IP literal the way the system resolver would.

    Args:
        host: a host name as it appears in a URL, brackets and one trailing dot allowed.

    Returns:
        The address for any IPv4 notation libc's inet_aton accepts (decimal
        `2130706433`, octal `0177.0.0.1`, hex `0x7f.1`, short `127.1`) or any
        IPv6 literal (`[::ffff:127.0.0.1]`); None when the host is a name.
    """
    text = host[1:-1] if host.startswith("[") and host.endswith("]") else host
    if text.endswith("."):
        text = text[:-1]
    if ":" in text:
        try:
            return ipaddress.IPv6Address(text)
        except ValueError:
            return None
    if not _INET_ATON_CHARS.fullmatch(text):
        return None
    # socket.inet_aton is libc's own inet_aton, the parser getaddrinfo applies to
    # numeric hosts, so it sees exactly what a connection would; ipaddress
    # rejects these legacy forms. The character check above stops glibc from
    # accepting trailing garbage after a space ("1.2.3.4 x").
    try:
        return ipaddress.IPv4Address(socket.inet_aton(text))
    except OSError:
        return None


class OutboundRefused(AppError):
    """The outbound call was refused before or while it ran; nothing more is sent."""

    status, code, message = 422, "outbound_refused", "This outbound address is not allowed."


class OutboundError(AppError):
    """The remote service failed (refused, timed out, broke the protocol)."""

    status, code, message = 502, "outbound_failed", "The remote service could not be reached."


@dataclass(frozen=True)
class OutboundPolicy:
    """What an outbound call may reach and how long and how much it may take."""

    allowed_schemes: frozenset[str] = frozenset({"https", "http"})
    allowed_ports: frozenset[int] = frozenset({80, 443})
    allowed_hosts: frozenset[str] | None = None
    allow_private_hosts: frozenset[str] = frozenset()
    connect_timeout: float = 3.0
    read_timeout: float = 5.0
    total_timeout: float = 10.0
    max_response_bytes: int = 1_000_000
    max_redirects: int = 3
    user_agent: str = "Helio-Outbound/1"
    ca_file: str | None = None  # PEM bundle to trust instead of the public CAs (internal TLS)

    def __post_init__(self) -> None:
        if not self.allowed_schemes or not self.allowed_schemes <= DEFAULT_PORTS.keys():
            raise ValueError("allowed_schemes must be a non-empty subset of {'http', 'https'}")
        if not all(1 <= port <= 65535 for port in self.allowed_ports):
            raise ValueError("allowed_ports must be TCP ports")
        timeouts = (self.connect_timeout, self.read_timeout, self.total_timeout)
        if min(timeouts) <= 0 or self.max_response_bytes <= 0 or self.max_redirects < 0:
            raise ValueError("timeouts and the size cap must be positive")
        if self.allowed_hosts is not None:
            object.__setattr__(self, "allowed_hosts", _config_hosts(self.allowed_hosts))
        object.__setattr__(self, "allow_private_hosts", _config_hosts(self.allow_private_hosts))


def _config_hosts(hosts: frozenset[str]) -> frozenset[str]:
    return frozenset(_canonical_config_host(host) for host in hosts)


def _canonical_config_host(host: str) -> str:
    literal = parse_host_literal(host.strip())
    if literal is not None:
        return str(literal)
    name = host.strip().lower().removesuffix(".")
    return idna.encode(name).decode("ascii") if not name.isascii() else name


def refuse(
    reason: str, message: str, host: str = "", *, code: str | None = None, **extra: Any
) -> OutboundRefused:
    """Log a refused outbound call (a security event) and return the error to raise."""
    _log.warning("outbound_refused", reason=reason, host=host, **extra)
    return OutboundRefused(message, code=code)


def validate_url(url: str, policy: OutboundPolicy) -> httpx.URL:
    """Check a URL against the policy without touching the network; return it normalised.

    Args:
        url: the absolute http(s) URL to call (also used to validate URLs at save time).
        policy: the schemes, ports and hosts that are allowed.

    Returns:
        The URL with a lower-case IDNA host, no trailing dot, IP literals in
        canonical form and no fragment.

    Raises:
        OutboundRefused: bad syntax, credentials in the URL, a scheme, port or
            host outside the policy, or an IP literal that is not public.
    """
    if len(url) > MAX_URL_LENGTH or UNSAFE_URL_CHARS.search(url):
        raise refuse("syntax", "The URL is not valid.")
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, UnicodeError):
        raise refuse("syntax", "The URL is not valid.") from None
    if parsed.scheme not in policy.allowed_schemes:
        raise refuse("scheme", "This URL scheme is not allowed.", scheme=parsed.scheme[:16])
    if parsed.userinfo:
        raise refuse("userinfo", "Credentials in URLs are not allowed.")
    host = _normalise_host(parsed.raw_host)
    literal = parse_host_literal(host)
    if literal is not None:
        host = str(literal)
    port = parsed.port or DEFAULT_PORTS[parsed.scheme]
    if port not in policy.allowed_ports:
        raise refuse("port", "This port is not allowed.", host=host, port=port)
    if policy.allowed_hosts is not None and host not in policy.allowed_hosts:
        raise refuse("host", "This host is not allowed.", host=host)
    if literal is not None:
        _check_address(literal, host, policy)
    return parsed.copy_with(host=host, fragment=None)


def _normalise_host(raw_host: bytes) -> str:
    try:
        host = raw_host.decode("ascii").lower()
    except UnicodeDecodeError:
        raise refuse("syntax", "The URL is not valid.") from None
    host = host.removesuffix(".")
    if not host:
        raise refuse("syntax", "The URL has no host.")
    if ":" in host:
        if "%" in host:  # IPv6 zone ids pick an interface; never meaningful outbound
            raise refuse("syntax", "The URL is not valid.")
        try:
            return str(ipaddress.IPv6Address(host))
        except ValueError:
            raise refuse("syntax", "The URL is not valid.") from None
    if not _HOST_NAME.fullmatch(host):
        raise refuse("syntax", "The URL is not valid.")
    return host


def _check_address(ip: IPAddress, host: str, policy: OutboundPolicy) -> None:
    if is_public_address(ip):
        return
    if host in policy.allow_private_hosts and is_internal_address(ip):
        return
    raise refuse("address", "This outbound address is not allowed.", host=host, address=str(ip))


async def system_resolver(host: str, port: int) -> Sequence[str]:
    """Resolve a host name with the system resolver, without blocking the event loop."""
    loop = asyncio.get_running_loop()
    infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


async def resolve_pinned(host: str, port: int, policy: OutboundPolicy, resolver: Resolver) -> str:
    """Resolve a checked host once and return the address to connect to.

    Args:
        host: a host already normalised by `validate_url`.
        port: the port to connect to.
        policy: which host names may reach internal addresses.
        resolver: where the answers come from.

    Returns:
        The first resolved address, after every answer passed the address rules.

    Raises:
        OutboundRefused: any answer is not allowed (or not an address).
        OutboundError: the name does not resolve.
    """
    literal = parse_host_literal(host)
    if literal is not None:
        _check_address(literal, host, policy)
        return str(literal)
    try:
        answers = await resolver(host, port)
    except (OSError, UnicodeError) as exc:
        _log.warning("outbound_failed", reason="resolve", host=host, error=type(exc).__name__)
        raise OutboundError() from None
    if not answers:
        _log.warning("outbound_failed", reason="resolve", host=host, error="no_address")
        raise OutboundError()
    addresses: list[IPAddress] = []
    for answer in answers:
        try:
            addresses.append(ipaddress.ip_address(answer))
        except ValueError:
            raise refuse("address", "This outbound address is not allowed.", host=host) from None
    for address in addresses:  # every answer: a mixed public+private answer is refused
        _check_address(address, host, policy)
    return str(addresses[0])
