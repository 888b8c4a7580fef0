"""Mobile/API sessions: access JWTs, refresh rotation and reuse detection, JWKS, forged tokens."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from tests.fixtures.principals import Harness, bearer, error_code

from helio.authz.matrix import Role
from helio.kit.clock import clock

TOKEN = "/api/v1/auth/token"
SESSIONS = "/api/v1/auth/sessions"


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _unverified(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    return jwt.get_unverified_header(token), jwt.decode(token, options={"verify_signature": False})


async def _refresh(auth: Harness, value: str) -> Any:
    return await auth.client().post(
        TOKEN, json={"grant_type": "refresh_token", "refresh_token": value}
    )


class TestGrants:
    @pytest.mark.asvs("V7.2.2", "V9.2.1", "V16.3.1")
    async def test_password_grant_issues_short_eddsa_token_with_kid(self, auth: Harness) -> None:
        account = await auth.customer()
        body = await auth.tokens(account)
        assert set(body) == {"access_token", "token_type", "expires_in", "refresh_token"}
        assert body["token_type"] == "Bearer"
        assert body["expires_in"] == 300
        header, claims = _unverified(body["access_token"])
        assert header["alg"] == "EdDSA"
        assert header["kid"] in {
            k["kid"] for k in (await auth.app_state.server_keys.signing()).jwks()["keys"]
        }
        assert claims["sub"] == account.user_id
        assert claims["aud"] == "helio-api"
        assert claims["exp"] - claims["iat"] == 300
        answer = await auth.client().get(SESSIONS, headers=bearer(body["access_token"]))
        assert answer.status_code == 200
        assert answer.json()["items"][0]["kind"] == "token"
        [issued] = await auth.events("auth.token_issued")
        assert issued.details is not None
        assert issued.details["method"] == "password"

    @pytest.mark.asvs("V6.3.3")
    async def test_staff_token_grant_needs_mfa(self, auth: Harness) -> None:
        staff = await auth.staff(Role.ADMIN)
        grant = {"grant_type": "password", "email": staff.email, "password": staff.password}
        first = await auth.client().post(TOKEN, json=grant)
        assert first.status_code == 200
        assert set(first.json()) == {"mfa_required", "mfa_token", "mfa_methods"}
        wrong = await auth.client().post(
            TOKEN,
            json={"grant_type": "mfa", "mfa_token": first.json()["mfa_token"], "code": "000000"},
        )
        assert (wrong.status_code, error_code(wrong)) == (401, "invalid_code")
        good = await auth.client().post(
            TOKEN,
            json={
                "grant_type": "mfa",
                "mfa_token": first.json()["mfa_token"],
                "code": staff.fresh_totp(),
            },
        )
        assert good.status_code == 200
        assert "access_token" in good.json()

    async def test_missing_grant_fields_are_422(self, auth: Harness) -> None:
        answer = await auth.client().post(
            TOKEN, json={"grant_type": "password", "email": "a@b.org"}
        )
        assert answer.status_code == 422


class TestRefresh:
    @pytest.mark.asvs("V10.4.5", "V7.2.3")
    async def test_rotation_and_reuse_revokes_the_family(self, auth: Harness) -> None:
        first = await auth.tokens(await auth.customer())
        second = (await _refresh(auth, first["refresh_token"])).json()
        assert second["refresh_token"] != first["refresh_token"]
        assert second["access_token"] != first["access_token"]
        replay = await _refresh(auth, first["refresh_token"])
        assert (replay.status_code, error_code(replay)) == (401, "invalid_grant")
        assert (await _refresh(auth, second["refresh_token"])).status_code == 401
        for access in (first["access_token"], second["access_token"]):
            assert (await auth.client().get(SESSIONS, headers=bearer(access))).status_code == 401
        [event] = await auth.events("auth.refresh_token_reused")
        assert event.outcome == "denied"

    async def test_unknown_refresh_token_is_refused(self, auth: Harness) -> None:
        answer = await _refresh(auth, "not-a-token")
        assert (answer.status_code, error_code(answer)) == (401, "invalid_grant")

    @pytest.mark.asvs("V7.3.1")
    async def test_refresh_idle_timeout_is_seven_days(self, auth: Harness) -> None:
        body = await auth.tokens(await auth.customer())
        clock.advance(6 * 86400)
        body = (await _refresh(auth, body["refresh_token"])).json()
        clock.advance(7 * 86400 + 1)
        assert (await _refresh(auth, body["refresh_token"])).status_code == 401

    @pytest.mark.asvs("V7.3.2", "V10.4.8")
    async def test_refresh_absolute_timeout_is_thirty_days(self, auth: Harness) -> None:
        body = await auth.tokens(await auth.customer())
        for _ in range(4):
            clock.advance(6 * 86400)
            answer = await _refresh(auth, body["refresh_token"])
            assert answer.status_code == 200
            body = answer.json()
        clock.advance(6 * 86400 + 1)  # 30 days and a second since sign-in
        assert (await _refresh(auth, body["refresh_token"])).status_code == 401

    @pytest.mark.asvs("V9.2.1")
    async def test_access_token_expires(self, auth: Harness) -> None:
        body = await auth.tokens(await auth.customer())
        clock.advance(300 + 11)
        answer = await auth.client().get(SESSIONS, headers=bearer(body["access_token"]))
        assert (answer.status_code, error_code(answer)) == (401, "invalid_token")
        assert answer.headers["www-authenticate"].startswith("Bearer")


class TestLogout:
    @pytest.mark.asvs("V7.4.1")
    async def test_access_and_refresh_tokens_die_with_their_session(self, auth: Harness) -> None:
        body = await auth.tokens(await auth.customer())
        http = auth.client()
        assert (
            await http.post("/api/v1/auth/logout", headers=bearer(body["access_token"]))
        ).status_code == 204
        assert (await http.get(SESSIONS, headers=bearer(body["access_token"]))).status_code == 401
        assert (await _refresh(auth, body["refresh_token"])).status_code == 401


class TestForgedTokens:
    @staticmethod
    async def _claims(auth: Harness) -> tuple[str, dict[str, Any]]:
        token = (await auth.tokens(await auth.customer()))["access_token"]
        return token, _unverified(token)[1]

    async def _refused(self, auth: Harness, token: str) -> None:
        answer = await auth.client().get(SESSIONS, headers=bearer(token))
        assert (answer.status_code, error_code(answer)) == (401, "invalid_token")

    @pytest.mark.asvs("V9.2.3", "V10.3.1")
    async def test_wrong_audience_or_issuer(self, auth: Harness) -> None:
        _, claims = await self._claims(auth)
        key = (await auth.app_state.server_keys.signing()).current
        headers = {"kid": key.kid, "typ": "at+jwt"}
        for change in ({"aud": "another-api"}, {"iss": "https://evil.example"}):
            forged = jwt.encode(
                {**claims, **change}, key.private_key, algorithm="EdDSA", headers=headers
            )
            await self._refused(auth, forged)
        no_aud = {k: v for k, v in claims.items() if k != "aud"}
        await self._refused(
            auth, jwt.encode(no_aud, key.private_key, algorithm="EdDSA", headers=headers)
        )

    @pytest.mark.asvs("V10.3.2")
    async def test_extra_role_or_scope_claims_gain_nothing(self, auth: Harness) -> None:
        token, claims = await self._claims(auth)
        key = (await auth.app_state.server_keys.signing()).current
        headers = {"kid": key.kid, "typ": "at+jwt"}
        boosted = {**claims, "roles": ["admin"], "role": "admin", "scope": "admin staff"}
        forged = jwt.encode(boosted, key.private_key, algorithm="EdDSA", headers=headers)
        # Properly signed, so the caller is still the customer, and only the customer.
        assert (await auth.client().get(SESSIONS, headers=bearer(forged))).status_code == 200
        for url in ("/api/v1/admin/staff", "/api/v1/staff/customers"):
            answer = await auth.client().get(url, headers=bearer(forged))
            assert answer.status_code == 403, url
        http = auth.client()
        assert (await http.post("/api/v1/auth/logout", headers=bearer(token))).status_code == 204
        await self._refused(auth, forged)

    @pytest.mark.asvs("V10.3.3")
    async def test_the_subject_is_the_immutable_user_id_never_the_email(
        self, auth: Harness
    ) -> None:
        account = await auth.customer()
        other = await auth.customer()
        claims = _unverified((await auth.tokens(account))["access_token"])[1]
        assert claims["sub"] == account.user_id
        assert "@" not in claims["sub"]
        key = (await auth.app_state.server_keys.signing()).current
        headers = {"kid": key.kid, "typ": "at+jwt"}
        # The session is bound to its user: another sub (the email, or another user's id) on
        # the same session never resolves to anyone.
        for sub in (account.email, other.user_id):
            forged = jwt.encode(
                {**claims, "sub": sub}, key.private_key, algorithm="EdDSA", headers=headers
            )
            await self._refused(auth, forged)

    @pytest.mark.asvs("V9.1.2", "V6.8.2")
    async def test_alg_none_and_stripped_signature(self, auth: Harness) -> None:
        token, claims = await self._claims(auth)
        header = jwt.get_unverified_header(token)
        for alg in ("none", "None", "NONE"):
            head = _b64(json.dumps({**header, "alg": alg}).encode())
            await self._refused(auth, f"{head}.{_b64(json.dumps(claims).encode())}.")
        await self._refused(auth, token.rsplit(".", 1)[0] + ".")

    @pytest.mark.asvs("V9.1.2")
    async def test_hs256_signed_with_the_public_key(self, auth: Harness) -> None:
        _, claims = await self._claims(auth)
        key = (await auth.app_state.server_keys.signing()).current
        header = {"alg": "HS256", "typ": "at+jwt", "kid": key.kid}
        signing_input = f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(claims).encode())}"
        for public in (
            key.public_key.public_bytes(Encoding.Raw, PublicFormat.Raw),
            key.public_key.public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo),
            json.dumps((await auth.app_state.server_keys.signing()).jwks()["keys"][0]).encode(),
        ):
            mac = hmac.new(public, signing_input.encode(), hashlib.sha256).digest()
            await self._refused(auth, f"{signing_input}.{_b64(mac)}")

    @pytest.mark.asvs("V9.1.3", "V9.1.1")
    async def test_unknown_kid_and_attacker_key_headers(self, auth: Harness) -> None:
        _, claims = await self._claims(auth)
        attacker = Ed25519PrivateKey.generate()
        current = (await auth.app_state.server_keys.signing()).current.kid
        await self._refused(
            auth,
            jwt.encode(
                claims, attacker, algorithm="EdDSA", headers={"kid": "unknown", "typ": "at+jwt"}
            ),
        )
        await self._refused(
            auth,
            jwt.encode(
                claims, attacker, algorithm="EdDSA", headers={"kid": current, "typ": "at+jwt"}
            ),
        )
        jku = {"kid": current, "typ": "at+jwt", "jku": "https://evil.example/jwks.json"}
        await self._refused(auth, jwt.encode(claims, attacker, algorithm="EdDSA", headers=jku))

    @pytest.mark.asvs("V9.1.1", "V6.8.2")
    async def test_tampered_payload(self, auth: Harness) -> None:
        other = await auth.customer()
        token, claims = await self._claims(auth)
        head, _, signature = token.split(".")
        payload = _b64(json.dumps({**claims, "sub": other.user_id}).encode())
        await self._refused(auth, f"{head}.{payload}.{signature}")
        flipped = bytearray(base64.urlsafe_b64decode(token.split(".")[1] + "=="))
        flipped[5] ^= 0x01
        await self._refused(auth, f"{head}.{_b64(bytes(flipped))}.{signature}")

    @pytest.mark.asvs("V9.2.2")
    async def test_other_tokens_are_not_access_tokens(self, auth: Harness) -> None:
        staff = await auth.staff(Role.SUPPORT)
        pending = await auth.client().post(
            TOKEN, json={"grant_type": "password", "email": staff.email, "password": staff.password}
        )
        body = await auth.tokens(await auth.customer())
        for value in (
            pending.json()["mfa_token"],
            body["refresh_token"],
            auth.app_state.settings.secret_key,
        ):
            await self._refused(auth, value)


class TestKeys:
    @pytest.mark.asvs("V9.1.3", "V11.2.3")
    async def test_jwks_serves_current_and_previous_keys_after_rotation(
        self, auth: Harness
    ) -> None:
        before = await auth.tokens(await auth.customer())
        old_kid = jwt.get_unverified_header(before["access_token"])["kid"]
        new_kid = await auth.app_state.server_keys.rotate_signing()
        jwks = (await auth.client().get("/api/v1/auth/jwks")).json()
        kids = [k["kid"] for k in jwks["keys"]]
        assert kids == [new_kid, old_kid]
        assert all(
            k["kty"] == "OKP" and k["crv"] == "Ed25519" and "d" not in k for k in jwks["keys"]
        )
        old = await auth.client().get(SESSIONS, headers=bearer(before["access_token"]))
        assert old.status_code == 200
        after = await auth.tokens(await auth.customer())
        assert jwt.get_unverified_header(after["access_token"])["kid"] == new_kid
