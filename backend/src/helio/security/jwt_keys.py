"""Access-token signing keys (Ed25519) and the JWTs they sign, with PyJWT.

The set holds one current key, which signs, and the keys it replaced, which
still verify for a grace period so that tokens issued just before a rotation
keep working until they expire. Verification pins the algorithm to EdDSA and
picks the key strictly by `kid` from this set: a token cannot name its own key
(`jwk`, `jku`, `x5u`, ... headers are refused) or its own algorithm.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
    load_pem_private_key,
)

from helio.errors import Unauthenticated
from helio.kit.clock import clock

ALGORITHM = "EdDSA"
ACCESS_TYP = "at+jwt"  # RFC 9068 access-token media type, checked on verify
FORMAT = "helio-jwt-keys/1"
LEEWAY_SECONDS = 10
DEFAULT_GRACE_SECONDS = 3600
DEFAULT_MAX_PREVIOUS = 1
MAX_TOKEN_CHARS = 4096
# Tokens whose signature this process verified, by their exact text (bounded, oldest out).
VERIFIED_CACHE_SIZE = 4096
REQUIRED_CLAIMS = ("iss", "aud", "sub", "sid", "iat", "nbf", "exp", "jti")
_SET_BY_ISSUER = frozenset({"iss", "aud", "iat", "nbf", "exp", "jti"})
_ALLOWED_HEADERS = frozenset({"alg", "typ", "kid"})


class InvalidToken(Unauthenticated):
    """The bearer token was refused; the reason is never told to the client."""

    code, message = "invalid_token", "The access token is not valid."


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def public_jwk(public_key: Ed25519PublicKey) -> dict[str, str]:
    """Return the RFC 8037 OKP members of an Ed25519 public key."""
    raw = public_key.public_bytes(Encoding.Raw, PublicFormat.Raw)
    return {"crv": "Ed25519", "kty": "OKP", "x": _b64url(raw)}


def thumbprint(public_key: Ed25519PublicKey) -> str:
    """Return the RFC 7638 JWK SHA-256 thumbprint of a public key (used as its `kid`)."""
    canonical = json.dumps(public_jwk(public_key), separators=(",", ":"), sort_keys=True)
    return _b64url(hashlib.sha256(canonical.encode("ascii")).digest())


@dataclass(frozen=True)
class SigningKey:
    """One Ed25519 key pair, its id and its life (UNIX seconds)."""

    kid: str
    private_key: Ed25519PrivateKey
    created_at: int
    retired_at: int | None = None

    @classmethod
    def generate(cls, now: int) -> SigningKey:
        """Create a fresh key pair with the library's CSPRNG."""
        private_key = Ed25519PrivateKey.generate()
        return cls(thumbprint(private_key.public_key()), private_key, now)

    @property
    def public_key(self) -> Ed25519PublicKey:
        """Return the public half."""
        return self.private_key.public_key()

    def to_dict(self) -> dict[str, Any]:
        """Serialise with the private key as unencrypted PKCS#8 PEM (store it in the keyring)."""
        pem = self.private_key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())
        return {
            "kid": self.kid,
            "alg": ALGORITHM,
            "created_at": self.created_at,
            "retired_at": self.retired_at,
            "private_key": pem.decode("ascii"),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> SigningKey:
        """Load a key, refusing anything but Ed25519 or a `kid` that does not match the key."""
        private_key = load_pem_private_key(str(data["private_key"]).encode("ascii"), None)
        if not isinstance(private_key, Ed25519PrivateKey):
            raise ValueError("JWT signing keys must be Ed25519")
        kid = str(data["kid"])
        if kid != thumbprint(private_key.public_key()):
            raise ValueError("kid does not match the key's thumbprint")
        retired = data.get("retired_at")
        return cls(
            kid, private_key, int(data["created_at"]), None if retired is None else int(retired)
        )


class SigningKeySet:
    """The current signing key plus the previous keys still inside their grace period."""

    def __init__(
        self,
        keys: Sequence[SigningKey],
        *,
        issuer: str,
        audience: str,
        grace_seconds: int = DEFAULT_GRACE_SECONDS,
        max_previous: int = DEFAULT_MAX_PREVIOUS,
    ) -> None:
        if not keys or keys[0].retired_at is not None:
            raise ValueError("the first key must be the current (unretired) key")
        if any(k.retired_at is None for k in keys[1:]):
            raise ValueError("only the first key may be current")
        if len({k.kid for k in keys}) != len(keys):
            raise ValueError("duplicate kid")
        if not issuer or not audience or grace_seconds < 1 or max_previous < 0:
            raise ValueError("issuer, audience, grace_seconds and max_previous are required")
        self.issuer, self.audience = issuer, audience
        self.grace_seconds, self.max_previous = grace_seconds, max_previous
        self._keys: tuple[SigningKey, ...] = tuple(keys[: max_previous + 1])
        # token text -> (kid, claims) of a token whose signature and claims verified.
        self._verified: dict[str, tuple[str, dict[str, Any]]] = {}

    @classmethod
    def generate(
        cls,
        *,
        issuer: str,
        audience: str,
        grace_seconds: int = DEFAULT_GRACE_SECONDS,
        max_previous: int = DEFAULT_MAX_PREVIOUS,
    ) -> SigningKeySet:
        """Create a set with one fresh current key."""
        key = SigningKey.generate(int(clock.timestamp()))
        return cls(
            [key],
            issuer=issuer,
            audience=audience,
            grace_seconds=grace_seconds,
            max_previous=max_previous,
        )

    @classmethod
    def from_json(
        cls,
        text: str,
        *,
        issuer: str,
        audience: str,
        grace_seconds: int = DEFAULT_GRACE_SECONDS,
        max_previous: int = DEFAULT_MAX_PREVIOUS,
    ) -> SigningKeySet:
        """Load a set saved by `to_json`.

        Raises:
            ValueError: malformed document, a key that is not Ed25519, or a kid mismatch.
        """
        data = json.loads(text)
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise ValueError(f"not a {FORMAT} document")
        keys = [SigningKey.from_dict(item) for item in data["keys"]]
        return cls(
            keys,
            issuer=issuer,
            audience=audience,
            grace_seconds=grace_seconds,
            max_previous=max_previous,
        )

    def to_json(self) -> str:
        """Serialise all keys, private material included: store it only in the keyring."""
        return json.dumps({"format": FORMAT, "keys": [k.to_dict() for k in self._keys]})

    @property
    def current(self) -> SigningKey:
        """Return the key that signs new tokens."""
        return self._keys[0]

    def verification_keys(self) -> dict[str, SigningKey]:
        """Return the keys that may verify a token now, by kid: current plus those in grace."""
        now = clock.timestamp()
        return {
            k.kid: k
            for k in self._keys
            if k.retired_at is None or now < k.retired_at + self.grace_seconds
        }

    def rotate(self) -> SigningKey:
        """Make a fresh current key; keep the old one for the grace period; drop the oldest.

        Returns:
            The new current key (the caller saves `to_json()` to the keyring).
        """
        now = int(clock.timestamp())
        retired = replace(self._keys[0], retired_at=now)
        live = [
            k
            for k in self._keys[1:]
            if k.retired_at is not None and now < k.retired_at + self.grace_seconds
        ]
        self._keys = (SigningKey.generate(now), retired, *live)[: self.max_previous + 1]
        return self._keys[0]

    def jwks(self) -> dict[str, list[dict[str, str]]]:
        """Return the JWK Set of the public verification keys (RFC 7517, RFC 8037 OKP)."""
        return {
            "keys": [
                {**public_jwk(k.public_key), "kid": k.kid, "use": "sig", "alg": ALGORITHM}
                for k in self.verification_keys().values()
            ]
        }

    def issue(self, claims: Mapping[str, Any], *, ttl_seconds: int) -> str:
        """Sign an access token with the current key.

        Args:
            claims: `sub` and `sid` (non-empty strings) plus any extra private claims;
                `iss`, `aud`, `iat`, `nbf`, `exp` and `jti` are set here and may not be given.
            ttl_seconds: lifetime, at most the grace period so no token outlives its key.

        Returns:
            The compact JWS, header `{"alg": "EdDSA", "kid": ..., "typ": "at+jwt"}`.

        Raises:
            ValueError: missing subject or session, reserved claims given, or a bad ttl.
        """
        if _SET_BY_ISSUER & claims.keys():
            raise ValueError(f"claims may not set {sorted(_SET_BY_ISSUER & claims.keys())}")
        if not all(isinstance(claims.get(c), str) and claims[c] for c in ("sub", "sid")):
            raise ValueError("claims need non-empty string 'sub' and 'sid'")
        if not 1 <= ttl_seconds <= self.grace_seconds:
            raise ValueError("ttl_seconds must be between 1 and the key grace period")
        now = int(clock.timestamp())
        payload = {
            **claims,
            "iss": self.issuer,
            "aud": self.audience,
            "iat": now,
            "nbf": now,
            "exp": now + ttl_seconds,
            "jti": secrets.token_urlsafe(16),
        }
        key = self.current
        headers = {"kid": key.kid, "typ": ACCESS_TYP}
        return jwt.encode(payload, key.private_key, algorithm=ALGORITHM, headers=headers)

    def verify(self, token: str) -> dict[str, Any]:
        """Verify an access token and return its claims.

        Args:
            token: the compact JWS from the `Authorization: Bearer` header.

        Returns:
            The verified claims.

        Raises:
            InvalidToken: for any failure (bad form, header, kid, signature, issuer, audience,
                time, or missing claim); the reason is not disclosed.
        """
        try:
            return self._verify(token)
        except (jwt.PyJWTError, ValueError, TypeError, KeyError, OverflowError) as exc:
            raise InvalidToken() from exc

    def _verify(self, token: str) -> dict[str, Any]:
        """Verify a token; a token already verified here skips the signature, nothing else.

        A hit is the identical token text, so its signature is the one checked before;
        its kid must still be a verification key (rotation and grace) and its times are
        checked again against the clock.
        """
        if len(token) > MAX_TOKEN_CHARS:
            raise InvalidToken()
        seen = self._verified.get(token)
        if seen is not None:
            kid, claims = seen
            if kid not in self.verification_keys():
                del self._verified[token]
                raise InvalidToken()
            _check_claims(claims)
            return dict(claims)
        claims = self._verify_signed(token)
        if len(self._verified) >= VERIFIED_CACHE_SIZE:
            del self._verified[next(iter(self._verified))]
        self._verified[token] = (str(jwt.get_unverified_header(token)["kid"]), dict(claims))
        return claims

    def _verify_signed(self, token: str) -> dict[str, Any]:
        header = jwt.get_unverified_header(token)
        if not set(header) <= _ALLOWED_HEADERS:
            raise InvalidToken()
        if header.get("alg") != ALGORITHM or header.get("typ") != ACCESS_TYP:
            raise InvalidToken()
        key = self.verification_keys().get(header.get("kid", ""))
        if key is None:
            raise InvalidToken()
        claims: dict[str, Any] = jwt.decode(
            token,
            key.public_key,
            algorithms=[ALGORITHM],
            audience=self.audience,
            issuer=self.issuer,
            # PyJWT reads the system clock; time is checked below against helio's clock.
            options={
                "require": list(REQUIRED_CLAIMS),
                "verify_exp": False,
                "verify_nbf": False,
                "verify_iat": False,
                "strict_aud": True,
            },
        )
        _check_claims(claims)
        return claims


def _check_claims(claims: Mapping[str, Any]) -> None:
    """Refuse wrongly typed claims and tokens outside their validity window."""
    times = [claims[c] for c in ("iat", "nbf", "exp")]
    if any(type(t) is not int for t in times):
        raise InvalidToken()
    if not all(isinstance(claims[c], str) and claims[c] for c in ("sub", "sid", "jti")):
        raise InvalidToken()
    iat, nbf, exp = times
    now = clock.timestamp()
    if exp <= now - LEEWAY_SECONDS or nbf > now + LEEWAY_SECONDS or iat > now + LEEWAY_SECONDS:
        raise InvalidToken()
