"""TOTP enrolment and sign-in, recovery codes, step-up, and mandatory MFA for staff."""

from __future__ import annotations

from typing import Annotated

import pyotp
import pytest
from fastapi import APIRouter
from httpx import AsyncClient
from sqlalchemy import select
from tests.fixtures.principals import Account, Harness, bearer, error_code

from helio.auth.deps import require
from helio.authz.access import Access
from helio.authz.matrix import Perm, Role
from helio.kit.clock import clock
from helio.models import RecoveryCode

LOGIN = "/api/v1/auth/login"
LOGIN_MFA = "/api/v1/auth/login/mfa"
SESSIONS = "/api/v1/auth/sessions"


async def _enrol(auth: Harness, http: AsyncClient, account: Account) -> list[str]:
    setup = await http.post("/api/v1/auth/mfa/totp/setup", headers=auth.unsafe(http))
    assert setup.status_code == 200, setup.text
    secret = setup.json()["secret"]
    assert setup.json()["otpauth_uri"].startswith("otpauth://totp/Helio:")
    account.totp_secret = secret
    confirm = await http.post(
        "/api/v1/auth/mfa/totp/confirm",
        json={"code": account.fresh_totp()},
        headers=auth.unsafe(http),
    )
    assert confirm.status_code == 200, confirm.text
    codes: list[str] = confirm.json()["recovery_codes"]
    return codes


async def _pending(auth: Harness, account: Account, http: AsyncClient) -> str:
    answer = await http.post(LOGIN, json={"email": account.email, "password": account.password})
    assert answer.json()["mfa_required"] is True
    assert "set-cookie" not in answer.headers
    return str(answer.json()["mfa_token"])


class TestTotpEnrolment:
    @pytest.mark.asvs("V6.5.2", "V6.5.3", "V6.5.4", "V6.6.1", "V16.3.1")
    async def test_enrol_returns_ten_codes_stored_hashed(self, auth: Harness) -> None:
        account = await auth.customer()
        http = await auth.login(account)
        status = (await http.get("/api/v1/auth/mfa")).json()
        assert status["methods_available"] == ["totp", "webauthn"]
        codes = await _enrol(auth, http, account)
        assert len(codes) == 10
        assert len(set(codes)) == 10
        async with auth.app_state.db.transaction() as session:
            rows = (await session.execute(select(RecoveryCode))).scalars().all()
        stored = {r.code_hash for r in rows}
        assert len(stored) == 10
        assert not any(code.replace("-", "") in h or code in h for code in codes for h in stored)
        [event] = await auth.events("auth.mfa_enrolled")
        assert event.details == {"method": "totp"}
        mail = await auth.mail.last(account.email, "sign-in security")
        assert "authenticator app was added" in mail.get_content()

    @pytest.mark.asvs("V7.2.4")
    async def test_enrolment_replaces_the_session(self, auth: Harness) -> None:
        account = await auth.customer()
        http = await auth.login(account)
        before = auth.session_cookie(http)
        await _enrol(auth, http, account)
        after = auth.session_cookie(http)
        assert after
        assert after != before
        stale = auth.client()
        stale.cookies.set("__Host-helio_session", before or "", domain="api.helio.test")
        assert (await stale.get(SESSIONS)).status_code == 401
        assert (await http.get(SESSIONS)).status_code == 200

    async def test_wrong_confirmation_code(self, auth: Harness) -> None:
        account = await auth.customer()
        http = await auth.login(account)
        setup = await http.post("/api/v1/auth/mfa/totp/setup", headers=auth.unsafe(http))
        assert setup.status_code == 200
        answer = await http.post(
            "/api/v1/auth/mfa/totp/confirm", json={"code": "123456"}, headers=auth.unsafe(http)
        )
        # The session is valid: a wrong code is no 401 (which tells a client it is signed out).
        assert (answer.status_code, error_code(answer)) == (400, "invalid_code")
        assert (await http.get(SESSIONS)).status_code == 200


class TestTotpSignIn:
    @pytest.mark.asvs("V6.3.3", "V7.2.4")
    async def test_cookie_sign_in_with_totp(self, auth: Harness) -> None:
        account = await auth.customer(totp=True)
        http = auth.client()
        token = await _pending(auth, account, http)
        assert (await http.get(SESSIONS)).status_code == 401
        answer = await http.post(LOGIN_MFA, json={"mfa_token": token, "code": account.fresh_totp()})
        assert answer.status_code == 200
        assert answer.json()["mfa_required"] is False
        assert (await http.get(SESSIONS)).status_code == 200
        again = await http.post(LOGIN_MFA, json={"mfa_token": token, "code": account.fresh_totp()})
        assert (again.status_code, error_code(again)) == (401, "mfa_token_invalid")

    @pytest.mark.asvs("V6.5.1")
    async def test_totp_code_is_accepted_once(self, auth: Harness) -> None:
        account = await auth.customer(totp=True)
        code = account.totp()
        first = await auth.client().post(
            LOGIN_MFA,
            json={"mfa_token": await _pending(auth, account, auth.client()), "code": code},
        )
        assert first.status_code == 200
        replay = await auth.client().post(
            LOGIN_MFA,
            json={"mfa_token": await _pending(auth, account, auth.client()), "code": code},
        )
        assert (replay.status_code, error_code(replay)) == (401, "invalid_code")

    @pytest.mark.asvs("V6.5.5")
    async def test_code_two_steps_old_is_refused_one_step_old_accepted(self, auth: Harness) -> None:
        account = await auth.customer(totp=True)
        totp = pyotp.TOTP(account.totp_secret or "")
        old = totp.at(clock.timestamp() - 60)
        answer = await auth.client().post(
            LOGIN_MFA, json={"mfa_token": await _pending(auth, account, auth.client()), "code": old}
        )
        assert answer.status_code == 401
        recent = totp.at(clock.timestamp() - 30)
        answer = await auth.client().post(
            LOGIN_MFA,
            json={"mfa_token": await _pending(auth, account, auth.client()), "code": recent},
        )
        assert answer.status_code == 200

    async def test_mfa_token_allows_five_attempts(self, auth: Harness) -> None:
        account = await auth.customer(totp=True)
        token = await _pending(auth, account, auth.client())
        for attempt in range(1, 6):
            wrong = await auth.client().post(LOGIN_MFA, json={"mfa_token": token, "code": "000000"})
            assert error_code(wrong) == "invalid_code"
            # Wrong codes count like wrong passwords: from the fourth, the account waits.
            clock.advance(30 * max(0, attempt - 3) + 1)
        # From another address (this one must now solve proof-of-work puzzles).
        good = await auth.client("198.51.100.9").post(
            LOGIN_MFA, json={"mfa_token": token, "code": account.fresh_totp()}
        )
        assert (good.status_code, error_code(good)) == (401, "mfa_token_invalid")
        failures = await auth.events("auth.mfa_checked")
        assert [e.outcome for e in failures] == ["failure"] * 5

    async def test_mfa_token_expires_after_five_minutes(self, auth: Harness) -> None:
        account = await auth.customer(totp=True)
        token = await _pending(auth, account, auth.client())
        clock.advance(301)
        answer = await auth.client().post(
            LOGIN_MFA, json={"mfa_token": token, "code": account.fresh_totp()}
        )
        assert error_code(answer) == "mfa_token_invalid"


class TestRecoveryCodes:
    @pytest.mark.asvs("V6.5.1", "V6.4.4")
    async def test_recovery_code_signs_in_once(self, auth: Harness) -> None:
        account = await auth.customer()
        codes = await _enrol(auth, await auth.login(account), account)
        typed = codes[3].upper().replace("-", " ")
        first = await auth.client().post(
            LOGIN_MFA,
            json={"mfa_token": await _pending(auth, account, auth.client()), "code": typed},
        )
        assert first.status_code == 200
        again = await auth.client().post(
            LOGIN_MFA,
            json={"mfa_token": await _pending(auth, account, auth.client()), "code": codes[3]},
        )
        assert (again.status_code, error_code(again)) == (401, "invalid_code")
        mail = await auth.mail.last(account.email, "sign-in security")
        assert "recovery code was used" in mail.get_content()

    async def test_token_grant_with_recovery_code(self, auth: Harness) -> None:
        account = await auth.customer()
        codes = await _enrol(auth, await auth.login(account), account)
        http = auth.client()
        first = await http.post(
            "/api/v1/auth/token",
            json={"grant_type": "password", "email": account.email, "password": account.password},
        )
        answer = await http.post(
            "/api/v1/auth/token",
            json={"grant_type": "mfa", "mfa_token": first.json()["mfa_token"], "code": codes[0]},
        )
        assert answer.status_code == 200
        assert (
            await http.get(SESSIONS, headers=bearer(answer.json()["access_token"]))
        ).status_code == 200

    async def test_cookie_mfa_token_is_not_a_token_grant(self, auth: Harness) -> None:
        account = await auth.customer(totp=True)
        token = await _pending(auth, account, auth.client())
        answer = await auth.client().post(
            "/api/v1/auth/token",
            json={"grant_type": "mfa", "mfa_token": token, "code": account.fresh_totp()},
        )
        assert error_code(answer) == "mfa_token_invalid"


class TestStepUp:
    @pytest.mark.asvs("V7.5.1", "V7.2.4")
    async def test_removing_totp_needs_a_fresh_step_up(self, auth: Harness) -> None:
        account = await auth.customer(totp=True)
        http = await auth.login(account)
        clock.advance(301)
        refused = await http.delete("/api/v1/auth/mfa/totp", headers=auth.unsafe(http))
        assert (refused.status_code, error_code(refused)) == (403, "step_up_required")
        before = auth.session_cookie(http)
        stepped = await http.post(
            "/api/v1/auth/mfa/step-up",
            json={"code": account.fresh_totp()},
            headers=auth.unsafe(http),
        )
        assert stepped.status_code == 200
        assert auth.session_cookie(http) != before
        stale = auth.client()
        stale.cookies.set("__Host-helio_session", before or "", domain="api.helio.test")
        assert (await stale.get(SESSIONS)).status_code == 401
        removed = await http.delete("/api/v1/auth/mfa/totp", headers=auth.unsafe(http))
        assert removed.status_code == 204
        assert (await http.get("/api/v1/auth/mfa")).json()["totp"] is False
        assert [e.details["method"] for e in await auth.events("auth.stepped_up") if e.details] == [
            "totp"
        ]

    async def test_a_wrong_step_up_code_is_400_and_keeps_the_session(self, auth: Harness) -> None:
        account = await auth.customer(totp=True)
        http = await auth.login(account)
        wrong = await http.post(
            "/api/v1/auth/mfa/step-up", json={"code": "000000"}, headers=auth.unsafe(http)
        )
        assert (wrong.status_code, error_code(wrong)) == (400, "invalid_code")
        assert (await http.get(SESSIONS)).status_code == 200

    async def test_step_up_with_password_only_without_mfa(self, auth: Harness) -> None:
        plain = await auth.customer()
        http = await auth.login(plain)
        wrong = await http.post(
            "/api/v1/auth/mfa/step-up", json={"password": "nope"}, headers=auth.unsafe(http)
        )
        assert (wrong.status_code, error_code(wrong)) == (403, "invalid_password")
        good = await http.post(
            "/api/v1/auth/mfa/step-up", json={"password": plain.password}, headers=auth.unsafe(http)
        )
        assert good.status_code == 200
        protected = await auth.customer(totp=True)
        other = await auth.login(protected)
        refused = await other.post(
            "/api/v1/auth/mfa/step-up",
            json={"password": protected.password},
            headers=auth.unsafe(other),
        )
        assert (refused.status_code, error_code(refused)) == (400, "step_up_method")

    @pytest.mark.asvs("V7.2.4")
    async def test_bearer_step_up_returns_new_tokens(self, auth: Harness) -> None:
        account = await auth.customer(totp=True)
        body = await auth.tokens(account)
        answer = await auth.client().post(
            "/api/v1/auth/mfa/step-up",
            json={"code": account.fresh_totp()},
            headers=bearer(body["access_token"]),
        )
        assert answer.status_code == 200
        fresh = answer.json()["tokens"]
        assert (
            await auth.client().get(SESSIONS, headers=bearer(body["access_token"]))
        ).status_code == 401
        assert (
            await auth.client().get(SESSIONS, headers=bearer(fresh["access_token"]))
        ).status_code == 200


staff_only = APIRouter()


@staff_only.get("/api/v1/test-only/customers")
async def _customers(access: Annotated[Access, require(Perm.CUSTOMERS_READ)]) -> dict[str, str]:
    return {"reach": access.reach.name}


class TestStaffMfa:
    @pytest.mark.asvs("V6.3.3")
    async def test_staff_without_mfa_may_only_enrol(self, auth: Harness) -> None:
        auth.app.include_router(staff_only)
        staff = await auth.staff(Role.SUPPORT, totp=False)
        answer = await auth.client().post(
            LOGIN, json={"email": staff.email, "password": staff.password}
        )
        assert answer.json()["mfa_enrolment"] == "required"
        http = await auth.login(staff)
        refused = await http.get("/api/v1/test-only/customers")
        assert (refused.status_code, error_code(refused)) == (403, "mfa_required")
        await _enrol(auth, http, staff)
        assert (await http.get("/api/v1/test-only/customers")).json() == {"reach": "ALL"}

    @pytest.mark.asvs("V6.3.3")
    async def test_staff_with_mfa_gets_no_session_before_the_code(self, auth: Harness) -> None:
        auth.app.include_router(staff_only)
        staff = await auth.staff(Role.ADMIN)
        http = auth.client()
        await _pending(auth, staff, http)
        assert auth.session_cookie(http) is None
        await auth.login(staff, http)
        assert (await http.get("/api/v1/test-only/customers")).status_code == 200

    async def test_staff_cannot_remove_their_last_factor(self, auth: Harness) -> None:
        staff = await auth.staff(Role.ENGINEER)
        http = await auth.login(staff)
        answer = await http.delete("/api/v1/auth/mfa/totp", headers=auth.unsafe(http))
        assert (answer.status_code, error_code(answer)) == (409, "mfa_required_for_staff")
