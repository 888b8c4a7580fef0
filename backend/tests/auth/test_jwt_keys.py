"""Access-token keys and JWTs: issue, verify, rotate, JWKS, and the classic attacks."""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import json
from collections.abc import Callable
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric.ec import SECP256R1, generate_private_key
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
)

from helio.kit.clock import clock
from helio.security.jwt_keys import (
    LEEWAY_SECONDS,
    InvalidToken,
    SigningKey,
    SigningKeySet,
    public_jwk,
    thumbprint,
)

ISS, AUD = "https://api.helio.test", "helio-api"
CLAIMS = {"sub": "user-7f3a", "sid": "sess-91bc"}


@pytest.fixture
def keys() -> SigningKeySet:
    return SigningKeySet.generate(issuer=ISS, audience=AUD)


def b64(data: bytes | dict[str, Any]) -> str:
    raw = json.dumps(data).encode() if isinstance(data, dict) else data
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def craft(header: dict[str, Any], payload: dict[str, Any], sign: Callable[[bytes], bytes]) -> str:
    signing_input = f"{b64(header)}.{b64(payload)}"
    return f"{signing_input}.{b64(sign(signing_input.encode()))}"


def good_payload(**changes: Any) -> dict[str, Any]:
    now = int(clock.timestamp())
    payload = {"iss": ISS, "aud": AUD, "iat": now, "nbf": now, "exp": now + 300, "jti": "j1"}
    payload |= CLAIMS | changes
    return {k: v for k, v in payload.items() if v is not None}


def signed_by(keys: SigningKeySet, payload: dict[str, Any], **header: Any) -> str:
    """Sign with the set's own current key, as a compromised issuer path would."""
    key = keys.current
    head = {"alg": "EdDSA", "kid": key.kid, "typ": "at+jwt"} | header
    head = {k: v for k, v in head.items() if v is not None}
    return craft(head, payload, key.private_key.sign)


def refused(keys: SigningKeySet, token: str) -> InvalidToken:
    with pytest.raises(InvalidToken) as caught:
        keys.verify(token)
    error = caught.value
    assert (error.status, error.code, error.message) == (
        401,
        "invalid_token",
        "The access token is not valid.",
    )
    return error


def test_issue_and_verify(keys: SigningKeySet) -> None:
    token = keys.issue({**CLAIMS, "role": "customer"}, ttl_seconds=300)
    header = jwt.get_unverified_header(token)
    assert header == {"alg": "EdDSA", "kid": keys.current.kid, "typ": "at+jwt"}
    claims = keys.verify(token)
    assert claims["sub"] == "user-7f3a"
    assert claims["sid"] == "sess-91bc"
    assert claims["role"] == "customer"
    assert (claims["iss"], claims["aud"]) == (ISS, AUD)
    assert claims["exp"] - claims["iat"] == 300
    assert claims["nbf"] == claims["iat"]
    assert len(claims["jti"]) >= 22
    assert keys.verify(keys.issue(CLAIMS, ttl_seconds=300))["jti"] != claims["jti"]


def test_issue_refuses_reserved_or_missing_claims(keys: SigningKeySet) -> None:
    for claims in ({**CLAIMS, "aud": "other"}, {**CLAIMS, "exp": 1}, {"sub": "u"}, {"sid": "s"}):
        with pytest.raises(ValueError, match="claims"):
            keys.issue(claims, ttl_seconds=60)
    for ttl in (0, 3601):
        with pytest.raises(ValueError, match="ttl"):
            keys.issue(CLAIMS, ttl_seconds=ttl)


@pytest.mark.asvs("V9.2.1")
def test_expired_token_refused(keys: SigningKeySet) -> None:
    token = keys.issue(CLAIMS, ttl_seconds=60)
    clock.advance(60 + LEEWAY_SECONDS - 1)
    assert keys.verify(token)
    clock.advance(2)
    refused(keys, token)


@pytest.mark.asvs("V9.2.1")
def test_not_yet_valid_token_refused(keys: SigningKeySet) -> None:
    now = int(clock.timestamp())
    refused(keys, signed_by(keys, good_payload(nbf=now + 120)))
    refused(keys, signed_by(keys, good_payload(iat=now + 120)))
    assert keys.verify(signed_by(keys, good_payload(nbf=now + LEEWAY_SECONDS - 1)))
    refused(keys, signed_by(keys, good_payload(exp=str(now + 300))))
    refused(keys, signed_by(keys, good_payload(exp=True)))


@pytest.mark.asvs("V9.2.3")
def test_wrong_or_missing_audience_and_issuer_refused(keys: SigningKeySet) -> None:
    refused(keys, signed_by(keys, good_payload(aud="another-service")))
    refused(keys, signed_by(keys, good_payload(aud=[AUD, "another-service"])))
    refused(keys, signed_by(keys, good_payload(aud=None)))
    refused(keys, signed_by(keys, good_payload(iss="https://evil.example")))
    refused(keys, signed_by(keys, good_payload(iss=None)))
    token = keys.issue(CLAIMS, ttl_seconds=60)
    same_keys = keys.to_json()
    refused(SigningKeySet.from_json(same_keys, issuer=ISS, audience="staff-api"), token)
    refused(SigningKeySet.from_json(same_keys, issuer="https://other", audience=AUD), token)


@pytest.mark.asvs("V9.2.2", "V9.2.4")
def test_other_token_types_refused(keys: SigningKeySet) -> None:
    refused(keys, signed_by(keys, good_payload(), typ="JWT"))
    refused(keys, signed_by(keys, good_payload(), typ=None))
    refused(keys, signed_by(keys, good_payload(aud="helio-mfa")))


@pytest.mark.parametrize("claim", ["sub", "sid", "jti", "exp", "iat", "nbf"])
def test_required_claims(keys: SigningKeySet, claim: str) -> None:
    refused(keys, signed_by(keys, good_payload(**{claim: None})))
    if claim in {"sub", "sid", "jti"}:
        refused(keys, signed_by(keys, good_payload(**{claim: ""})))
        refused(keys, signed_by(keys, good_payload(**{claim: 42})))


@pytest.mark.asvs("V9.1.2", "V6.8.2")
@pytest.mark.parametrize("alg", ["none", "None", "NONE"])
def test_alg_none_refused(keys: SigningKeySet, alg: str) -> None:
    header = {"alg": alg, "kid": keys.current.kid, "typ": "at+jwt"}
    token = f"{b64(header)}.{b64(good_payload())}."
    refused(keys, token)
    refused(keys, craft(header, good_payload(), lambda _: b""))


@pytest.mark.asvs("V9.1.2")
def test_hs256_key_confusion_with_the_public_key_refused(keys: SigningKeySet) -> None:
    public = keys.current.public_key
    secrets_ = [
        public.public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo),
        public.public_bytes(Encoding.Raw, PublicFormat.Raw),
        json.dumps(public_jwk(public)).encode(),
        keys.current.kid.encode(),
    ]
    for secret in secrets_:
        for alg, digest in (("HS256", hashlib.sha256), ("HS512", hashlib.sha512)):
            header = {"alg": alg, "kid": keys.current.kid, "typ": "at+jwt"}
            mac = functools.partial(hmac.digest, secret, digest=digest)
            refused(keys, craft(header, good_payload(), mac))


@pytest.mark.asvs("V9.1.2")
def test_other_asymmetric_algorithm_refused(keys: SigningKeySet) -> None:
    ec = generate_private_key(SECP256R1())
    token = jwt.encode(
        good_payload(), ec, algorithm="ES256", headers={"kid": keys.current.kid, "typ": "at+jwt"}
    )
    refused(keys, token)


@pytest.mark.asvs("V9.1.3")
def test_unknown_or_missing_kid_refused(keys: SigningKeySet) -> None:
    refused(keys, signed_by(keys, good_payload(), kid="no-such-key"))
    refused(keys, signed_by(keys, good_payload(), kid=None))
    refused(keys, signed_by(keys, good_payload(), kid=""))
    refused(keys, signed_by(keys, good_payload(), kid=["x"]))
    refused(keys, signed_by(keys, good_payload(), kid="../../../../dev/null"))


@pytest.mark.asvs("V9.1.3")
def test_token_supplied_keys_are_ignored(keys: SigningKeySet) -> None:
    attacker = Ed25519PrivateKey.generate()
    jwk = {**public_jwk(attacker.public_key()), "kid": keys.current.kid}
    payload = good_payload()
    for extra in ({"jwk": jwk}, {"jku": "https://evil.example/jwks.json"}, {"x5u": "https://e"}):
        header = {"alg": "EdDSA", "kid": keys.current.kid, "typ": "at+jwt", **extra}
        refused(keys, craft(header, payload, attacker.sign))
        refused(keys, craft(header, payload, keys.current.private_key.sign))


@pytest.mark.asvs("V9.1.1", "V6.8.2")
def test_tampered_or_foreign_signed_token_refused(keys: SigningKeySet) -> None:
    token = keys.issue(CLAIMS, ttl_seconds=300)
    head, body, sig = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    forged_body = b64({**claims, "sub": "admin-0001"})
    refused(keys, f"{head}.{forged_body}.{sig}")
    refused(keys, f"{head}.{body}.")
    refused(keys, f"{head}.{body}")
    flipped = sig[:10] + ("A" if sig[10] != "A" else "B") + sig[11:]
    refused(keys, f"{head}.{body}.{flipped}")
    attacker = Ed25519PrivateKey.generate()
    header = {"alg": "EdDSA", "kid": keys.current.kid, "typ": "at+jwt"}
    refused(keys, craft(header, good_payload(), attacker.sign))
    for junk in ("", "a.b.c", "....", "x" * 5000, "\u00e9.\u00e9.\u00e9"):
        refused(keys, junk)


@pytest.mark.asvs("V9.1.3", "V11.2.2")
def test_rotation_keeps_previous_key_for_one_rotation(keys: SigningKeySet) -> None:
    before = keys.issue(CLAIMS, ttl_seconds=600)
    old_kid = keys.current.kid
    new = keys.rotate()
    assert keys.current is new
    assert new.kid != old_kid
    assert keys.verify(before)["sub"] == CLAIMS["sub"]
    after = keys.issue(CLAIMS, ttl_seconds=600)
    assert jwt.get_unverified_header(after)["kid"] == new.kid
    keys.rotate()
    refused(keys, before)
    assert keys.verify(after)
    assert old_kid not in keys.verification_keys()


@pytest.mark.asvs("V9.1.3")
def test_previous_key_stops_verifying_after_the_grace_period() -> None:
    keys = SigningKeySet.generate(issuer=ISS, audience=AUD, grace_seconds=600)
    old = keys.current
    keys.rotate()
    # Someone holding the retired private key forges a long-lived token.
    header = {"alg": "EdDSA", "kid": old.kid, "typ": "at+jwt"}
    forged = craft(header, good_payload(exp=int(clock.timestamp()) + 86_400), old.private_key.sign)
    assert keys.verify(forged)
    clock.advance(601)
    assert set(keys.verification_keys()) == {keys.current.kid}
    assert [k["kid"] for k in keys.jwks()["keys"]] == [keys.current.kid]
    refused(keys, forged)


def test_jwks_has_current_and_previous_public_keys_only(keys: SigningKeySet) -> None:
    keys.rotate()
    jwks = keys.jwks()
    kids = [k["kid"] for k in jwks["keys"]]
    assert kids == list(keys.verification_keys())
    assert len(kids) == 2
    for jwk in jwks["keys"]:
        assert set(jwk) == {"kty", "crv", "x", "kid", "use", "alg"}
        assert (jwk["kty"], jwk["crv"], jwk["use"], jwk["alg"]) == (
            "OKP",
            "Ed25519",
            "sig",
            "EdDSA",
        )
    text = json.dumps(jwks)
    assert '"d"' not in text
    assert "PRIVATE" not in text
    # Standard clients can verify our tokens with the published set alone.
    token = keys.issue(CLAIMS, ttl_seconds=60)
    signing_key = jwt.PyJWKSet.from_dict(jwks)[jwt.get_unverified_header(token)["kid"]]
    claims = jwt.decode(token, signing_key, algorithms=["EdDSA"], audience=AUD, issuer=ISS)
    assert claims["sub"] == CLAIMS["sub"]


def test_kid_is_the_rfc7638_thumbprint(keys: SigningKeySet) -> None:
    jwk = public_jwk(keys.current.public_key)
    canonical = json.dumps({"crv": jwk["crv"], "kty": jwk["kty"], "x": jwk["x"]}).replace(" ", "")
    expected = b64(hashlib.sha256(canonical.encode()).digest())
    assert keys.current.kid == thumbprint(keys.current.public_key) == expected
    # RFC 8037 appendix A.3: the thumbprint of its example Ed25519 key.
    rfc_key = Ed25519PrivateKey.from_private_bytes(
        base64.urlsafe_b64decode("nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A=")
    )
    assert thumbprint(rfc_key.public_key()) == "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"


@pytest.mark.asvs("V11.6.1")
def test_json_round_trip_and_refusals(keys: SigningKeySet) -> None:
    keys.rotate()
    token = keys.issue(CLAIMS, ttl_seconds=60)
    text = keys.to_json()
    loaded = SigningKeySet.from_json(text, issuer=ISS, audience=AUD)
    assert loaded.verify(token)["sid"] == CLAIMS["sid"]
    assert list(loaded.verification_keys()) == list(keys.verification_keys())
    data = json.loads(text)
    assert data["keys"][0]["private_key"].startswith("-----BEGIN PRIVATE KEY-----")
    wrong_kid = {**data, "keys": [{**data["keys"][0], "kid": data["keys"][1]["kid"]}]}
    with pytest.raises(ValueError, match="thumbprint"):
        SigningKeySet.from_json(json.dumps(wrong_kid), issuer=ISS, audience=AUD)
    ec_pem = (
        generate_private_key(SECP256R1())
        .private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())
        .decode()
    )
    ec_doc = {**data, "keys": [{**data["keys"][0], "private_key": ec_pem}]}
    with pytest.raises(ValueError, match="Ed25519"):
        SigningKeySet.from_json(json.dumps(ec_doc), issuer=ISS, audience=AUD)
    with pytest.raises(ValueError, match="not a"):
        SigningKeySet.from_json(json.dumps({"keys": []}), issuer=ISS, audience=AUD)
    retired_first = {**data, "keys": list(reversed(data["keys"]))}
    with pytest.raises(ValueError, match="current"):
        SigningKeySet.from_json(json.dumps(retired_first), issuer=ISS, audience=AUD)


def test_set_requires_issuer_audience_and_one_current_key() -> None:
    key = SigningKey.generate(int(clock.timestamp()))
    with pytest.raises(ValueError, match="issuer"):
        SigningKeySet([key], issuer="", audience=AUD)
    with pytest.raises(ValueError, match="current"):
        SigningKeySet([], issuer=ISS, audience=AUD)
    with pytest.raises(ValueError, match="only the first"):
        SigningKeySet([key, key], issuer=ISS, audience=AUD)
