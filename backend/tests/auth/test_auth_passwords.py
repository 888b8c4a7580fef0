"""Password reset and change: single-use expiring tokens, sessions ended, notices sent."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from tests.fixtures.principals import Harness, bearer, error_code

from helio.auth.tokens.issuing import token_hash
from helio.kit.clock import clock
from helio.models import OneTimeToken

FORGOT = "/api/v1/auth/password/forgot"
RESET = "/api/v1/auth/password/reset"
CHANGE = "/api/v1/auth/password/change"
LOGIN = "/api/v1/auth/login"
SESSIONS = "/api/v1/auth/sessions"
NEW = "copper-lagoon-whistle-88"


class TestReset:
    @pytest.mark.asvs("V6.4.3", "V7.4.3", "V16.3.1")
    async def test_reset_ends_every_session_and_notifies(self, auth: Harness) -> None:
        account = await auth.customer()
        browser = await auth.login(account)
        mobile = await auth.tokens(account)
        assert (await auth.client().post(FORGOT, json={"email": account.email})).status_code == 202
        token = await auth.mail.token(account.email, "Reset your")
        mail = await auth.mail.last(account.email, "Reset your")
        assert "30 minutes" in mail.get_content()
        assert account.password not in mail.as_string()
        async with auth.app_state.db.transaction() as session:
            stored = (await session.execute(select(OneTimeToken.token_hash))).scalars().all()
        assert token_hash(token) in stored
        assert token.encode() not in b"".join(stored)
        assert (
            await auth.client().post(RESET, json={"token": token, "new_password": NEW})
        ).status_code == 204
        assert (await browser.get(SESSIONS)).status_code == 401
        assert (
            await auth.client().get(SESSIONS, headers=bearer(mobile["access_token"]))
        ).status_code == 401
        refresh = await auth.client().post(
            "/api/v1/auth/token",
            json={"grant_type": "refresh_token", "refresh_token": mobile["refresh_token"]},
        )
        assert refresh.status_code == 401
        old = await auth.client().post(
            LOGIN, json={"email": account.email, "password": account.password}
        )
        assert old.status_code == 401
        account.password = NEW
        await auth.login(account)
        notice = await auth.mail.last(account.email, "password was changed")
        assert "reset with an emailed link" in notice.get_content()
        [event] = await auth.events("auth.password_reset")
        assert event.details == {"sessions_ended": 2}

    @pytest.mark.asvs("V6.4.3")
    async def test_reset_token_is_single_use(self, auth: Harness) -> None:
        account = await auth.customer()
        await auth.client().post(FORGOT, json={"email": account.email})
        token = await auth.mail.token(account.email, "Reset your")
        assert (
            await auth.client().post(RESET, json={"token": token, "new_password": NEW})
        ).status_code == 204
        again = await auth.client().post(
            RESET, json={"token": token, "new_password": "other-" + NEW}
        )
        assert (again.status_code, error_code(again)) == (400, "invalid_token")

    @pytest.mark.asvs("V6.4.3")
    async def test_reset_token_expires_after_thirty_minutes(self, auth: Harness) -> None:
        account = await auth.customer()
        await auth.client().post(FORGOT, json={"email": account.email})
        token = await auth.mail.token(account.email, "Reset your")
        clock.advance(30 * 60 + 1)
        answer = await auth.client().post(RESET, json={"token": token, "new_password": NEW})
        assert error_code(answer) == "invalid_token"

    async def test_weak_new_password_keeps_the_token_usable(self, auth: Harness) -> None:
        account = await auth.customer()
        await auth.client().post(FORGOT, json={"email": account.email})
        token = await auth.mail.token(account.email, "Reset your")
        weak = await auth.client().post(
            RESET, json={"token": token, "new_password": "password1234"}
        )
        assert weak.status_code == 422
        assert (
            await auth.client().post(RESET, json={"token": token, "new_password": NEW})
        ).status_code == 204

    async def test_newer_link_replaces_older_and_mails_are_capped(self, auth: Harness) -> None:
        account = await auth.customer()
        for _ in range(4):
            await auth.client().post(FORGOT, json={"email": account.email})
        mails = [m for m in await auth.mail.to(account.email) if "Reset" in str(m["Subject"])]
        assert len(mails) == 3
        first = await auth.mail.token(account.email, "Reset your")
        assert first  # the newest link works, older ones were retired
        assert (
            await auth.client().post(RESET, json={"token": first, "new_password": NEW})
        ).status_code == 204

    @pytest.mark.asvs("V6.4.3")
    async def test_mfa_still_required_after_reset(self, auth: Harness) -> None:
        account = await auth.customer(totp=True)
        await auth.client().post(FORGOT, json={"email": account.email})
        token = await auth.mail.token(account.email, "Reset your")
        await auth.client().post(RESET, json={"token": token, "new_password": NEW})
        answer = await auth.client().post(LOGIN, json={"email": account.email, "password": NEW})
        assert answer.json()["mfa_required"] is True
        assert "set-cookie" not in answer.headers


class TestChange:
    @pytest.mark.asvs("V6.2.2", "V6.2.3", "V7.4.3")
    async def test_change_needs_current_password_and_ends_other_sessions(
        self, auth: Harness
    ) -> None:
        account = await auth.customer()
        other = await auth.login(account)
        http = await auth.login(account)
        missing = await http.post(CHANGE, json={"new_password": NEW}, headers=auth.unsafe(http))
        assert missing.status_code == 422
        wrong = await http.post(
            CHANGE,
            json={"current_password": "not it at all", "new_password": NEW},
            headers=auth.unsafe(http),
        )
        assert (wrong.status_code, error_code(wrong)) == (403, "invalid_password")
        good = await http.post(
            CHANGE,
            json={"current_password": account.password, "new_password": NEW},
            headers=auth.unsafe(http),
        )
        assert good.status_code == 204
        assert (await http.get(SESSIONS)).status_code == 200
        assert (await other.get(SESSIONS)).status_code == 401
        assert (
            await auth.client().post(
                LOGIN, json={"email": account.email, "password": account.password}
            )
        ).status_code == 401
        account.password = NEW
        await auth.login(account)
        notice = await auth.mail.last(account.email, "password was changed")
        assert "1 other signed-in device(s) were signed out" in notice.get_content()

    @pytest.mark.asvs("V6.2.10")
    async def test_passwords_do_not_expire(self, auth: Harness) -> None:
        account = await auth.customer()
        clock.advance(400 * 86400)
        answer = await auth.client().post(
            LOGIN, json={"email": account.email, "password": account.password}
        )
        assert answer.status_code == 200
        assert answer.json()["mfa_enrolment"] == "offered"
