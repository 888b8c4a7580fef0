"""TOTP: secrets, enrolment URI, ±1 step window, exact 6-digit format, no reuse."""

from __future__ import annotations

import base64
from urllib.parse import parse_qs, urlparse

import pyotp
import pytest

from helio.auth.mfa.totp import new_secret, provisioning_uri, verify_totp
from helio.kit.clock import clock

T0 = 1_760_000_010.0  # 10 s into a 30 s step
# RFC 6238 appendix B test seed ("12345678901234567890"), and another fixed seed.
SECRET = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
OTHER = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def code_at(secret: str, at: float) -> str:
    return pyotp.TOTP(secret).at(at)


@pytest.mark.asvs("V6.5.3")
def test_secret_is_160_random_bits_in_base32() -> None:
    secrets_ = {new_secret() for _ in range(200)}
    assert len(secrets_) == 200
    for secret in secrets_:
        assert len(secret) == 32
        assert len(base64.b32decode(secret)) == 20


def test_provisioning_uri_for_authenticator_apps() -> None:
    secret = SECRET
    uri = urlparse(provisioning_uri(secret, "ana@example.com"))
    query = parse_qs(uri.query)
    assert (uri.scheme, uri.netloc) == ("otpauth", "totp")
    assert uri.path == "/Helio:ana%40example.com"
    assert query["secret"] == [secret]
    assert query["issuer"] == ["Helio"]
    assert query.get("digits", ["6"]) == ["6"]
    assert query.get("period", ["30"]) == ["30"]
    assert "Staff" in provisioning_uri(secret, "x", issuer="Helio Staff").replace("%20", " ")


def test_current_code_returns_its_step() -> None:
    secret = SECRET
    step = int(T0 // 30)
    assert verify_totp(secret, code_at(secret, T0), last_used_step=None, now=T0) == step


@pytest.mark.asvs("V6.5.1")
def test_code_is_usable_once() -> None:
    secret = SECRET
    code = code_at(secret, T0)
    step = verify_totp(secret, code, last_used_step=None, now=T0)
    assert step is not None
    assert verify_totp(secret, code, last_used_step=step, now=T0) is None
    assert verify_totp(secret, code, last_used_step=step, now=T0 + 25) is None
    later = code_at(secret, T0 + 30)
    assert verify_totp(secret, later, last_used_step=step, now=T0 + 30) == step + 1


@pytest.mark.asvs("V6.5.1")
def test_older_code_refused_once_a_newer_step_was_used() -> None:
    secret = SECRET
    previous, current = code_at(secret, T0 - 30), code_at(secret, T0)
    step = verify_totp(secret, current, last_used_step=None, now=T0)
    assert step is not None
    assert verify_totp(secret, previous, last_used_step=step, now=T0) is None


@pytest.mark.asvs("V6.5.5")
def test_window_is_one_step_either_side() -> None:
    secret = SECRET
    step = int(T0 // 30)
    for offset, expected in ((-30, step - 1), (30, step + 1)):
        assert verify_totp(secret, code_at(secret, T0 + offset), last_used_step=None, now=T0) == (
            expected
        )
    for offset in (-60, 60, -90, 3600):
        assert (
            verify_totp(secret, code_at(secret, T0 + offset), last_used_step=None, now=T0) is None
        )


@pytest.mark.asvs("V6.5.5")
def test_default_time_is_the_application_clock() -> None:
    secret = SECRET
    code = pyotp.TOTP(secret).at(clock.timestamp())
    clock.advance(90)
    assert verify_totp(secret, code, last_used_step=None) is None
    assert verify_totp(secret, pyotp.TOTP(secret).at(clock.timestamp()), last_used_step=None)


def test_spaces_are_ignored() -> None:
    secret = SECRET
    code = code_at(secret, T0)
    spaced = f" {code[:3]} {code[3:]}\t"
    assert verify_totp(secret, spaced, last_used_step=None, now=T0) == int(T0 // 30)


@pytest.mark.parametrize("mangle", ["drop", "extra", "letter", "fullwidth", "sign", "empty"])
def test_only_exactly_six_ascii_digits(mangle: str) -> None:
    secret = SECRET
    code = code_at(secret, T0)
    bad = {
        "drop": code[:5],
        "extra": code + "0",
        "letter": code[:5] + "a",
        "fullwidth": "".join(chr(0xFF10 + int(c)) for c in code),
        "sign": "+" + code[1:],
        "empty": "",
    }[mangle]
    assert verify_totp(secret, bad, last_used_step=None, now=T0) is None


def test_wrong_code_refused() -> None:
    window = {code_at(SECRET, T0 + offset) for offset in (-30, 0, 30)}
    wrong = next(f"{n:06d}" for n in range(1_000_000) if f"{n:06d}" not in window)
    assert verify_totp(SECRET, wrong, last_used_step=None, now=T0) is None
    good = code_at(SECRET, T0)
    assert good not in {code_at(OTHER, T0 + offset) for offset in (-30, 0, 30)}
    assert verify_totp(OTHER, good, last_used_step=None, now=T0) is None


def test_rfc6238_vector() -> None:
    # RFC 6238 appendix B, SHA-1, T = 59 s: 94287082, of which the last six digits.
    assert verify_totp(SECRET, "287082", last_used_step=None, now=59) == 1
