"""Browser sessions: cookies, CSRF, logout, fixation, idle and absolute timeouts."""

from __future__ import annotations

from http.cookies import SimpleCookie

import pytest
from tests.fixtures.principals import ORIGIN, Harness, error_code

from helio.authz.matrix import Role
from helio.kit.clock import clock

SESSIONS = "/api/v1/auth/sessions"
LOGOUT = "/api/v1/auth/logout"


def _set_cookies(answer) -> dict[str, SimpleCookie]:  # type: ignore[no-untyped-def]
    jar: dict[str, SimpleCookie] = {}
    for header in answer.headers.get_list("set-cookie"):
        cookie: SimpleCookie = SimpleCookie()
        cookie.load(header)
        for name in cookie:
            jar[name] = cookie
    return jar


class TestLogin:
    @pytest.mark.asvs("V3.3.1", "V3.3.2", "V3.3.3", "V3.3.4")
    async def test_cookies_are_host_prefixed_secure_httponly_samesite(self, auth: Harness) -> None:
        account = await auth.customer()
        http = auth.client()
        answer = await http.post(
            "/api/v1/auth/login", json={"email": account.email, "password": account.password}
        )
        assert answer.status_code == 200
        assert answer.json() == {
            "mfa_required": False,
            "mfa_token": None,
            "mfa_methods": None,
            "mfa_enrolment": "offered",
        }
        headers = answer.headers.get_list("set-cookie")
        assert len(headers) == 2
        session = next(h for h in headers if h.startswith("__Host-helio_session="))
        csrf = next(h for h in headers if h.startswith("__Host-helio_csrf="))
        for header in (session, csrf):
            lowered = header.lower()
            assert "; secure" in lowered
            assert "; path=/" in lowered
            assert "domain=" not in lowered
            assert "samesite=strict" in lowered
        assert "httponly" in session.lower()
        assert "httponly" not in csrf.lower()
        secret = session.split(";")[0].split("=", 1)[1]
        assert secret not in answer.text
        assert len(secret) >= 43  # 256 bits, base64url

    @pytest.mark.asvs("V7.2.1", "V7.2.4")
    async def test_new_session_secret_at_each_login_and_forged_cookie_refused(
        self, auth: Harness
    ) -> None:
        account = await auth.customer()
        http = auth.client()
        http.cookies.set("__Host-helio_session", "attacker-chosen-value", domain="api.helio.test")
        await auth.login(account, http)
        first = auth.session_cookie(http)
        assert first
        assert first != "attacker-chosen-value"
        await auth.login(account, http)
        second = auth.session_cookie(http)
        assert second != first
        stale = auth.client()
        stale.cookies.set("__Host-helio_session", first, domain="api.helio.test")
        assert (await stale.get(SESSIONS)).status_code == 200  # both sessions are live
        forged = auth.client()
        forged.cookies.set("__Host-helio_session", "x" * 43, domain="api.helio.test")
        answer = await forged.get(SESSIONS)
        assert answer.status_code == 401
        assert error_code(answer) == "session_invalid"

    async def test_anonymous_gets_401(self, auth: Harness) -> None:
        answer = await auth.client().get(SESSIONS)
        assert answer.status_code == 401
        assert error_code(answer) == "unauthenticated"


class TestCsrf:
    @pytest.mark.asvs("V3.5.1", "V3.5.2")
    async def test_unsafe_request_needs_token_and_allowed_origin(self, auth: Harness) -> None:
        http = await auth.login(await auth.customer())
        good = auth.unsafe(http)
        no_token = await http.post(LOGOUT, headers={"Origin": ORIGIN})
        assert (no_token.status_code, error_code(no_token)) == (403, "csrf_failed")
        wrong = await http.post(LOGOUT, headers={**good, "X-CSRF-Token": "abc.def"})
        assert (wrong.status_code, error_code(wrong)) == (403, "csrf_failed")
        foreign = await http.post(LOGOUT, headers={**good, "Origin": "https://evil.example"})
        assert (foreign.status_code, error_code(foreign)) == (403, "origin_refused")
        null = await http.post(LOGOUT, headers={**good, "Origin": "null"})
        assert null.status_code == 403
        no_origin = await http.post(LOGOUT, headers={"X-CSRF-Token": good["X-CSRF-Token"]})
        assert (no_origin.status_code, error_code(no_origin)) == (403, "origin_refused")
        referer = await http.post(
            LOGOUT,
            headers={"X-CSRF-Token": good["X-CSRF-Token"], "Referer": f"{ORIGIN}/account"},
        )
        assert referer.status_code == 204
        events = await auth.events("auth.csrf_refused")
        assert len(events) == 5
        assert {e.outcome for e in events} == {"denied"}

    @pytest.mark.asvs("V3.5.1")
    async def test_token_of_another_session_is_refused(self, auth: Harness) -> None:
        account = await auth.customer()
        first = await auth.login(account)
        second = await auth.login(account)
        stolen = auth.unsafe(first)["X-CSRF-Token"]
        second.cookies.set("__Host-helio_csrf", stolen, domain="api.helio.test")
        answer = await second.post(LOGOUT, headers={"Origin": ORIGIN, "X-CSRF-Token": stolen})
        assert (answer.status_code, error_code(answer)) == (403, "csrf_failed")

    @pytest.mark.asvs("V3.5.1")
    async def test_login_from_a_foreign_origin_is_refused(self, auth: Harness) -> None:
        account = await auth.customer()
        answer = await auth.client().post(
            "/api/v1/auth/login",
            json={"email": account.email, "password": account.password},
            headers={"Origin": "https://evil.example"},
        )
        assert (answer.status_code, error_code(answer)) == (403, "origin_refused")
        assert "set-cookie" not in answer.headers


class TestLogout:
    @pytest.mark.asvs("V7.4.1", "V16.3.1")
    async def test_logout_ends_the_session_at_once(self, auth: Harness) -> None:
        account = await auth.customer()
        http = await auth.login(account)
        secret = auth.session_cookie(http)
        answer = await http.post(LOGOUT, headers=auth.unsafe(http))
        assert answer.status_code == 204
        cleared = answer.headers.get_list("set-cookie")
        assert any(c.startswith('__Host-helio_session=""') for c in cleared)
        replay = auth.client()
        replay.cookies.set("__Host-helio_session", secret or "", domain="api.helio.test")
        assert (await replay.get(SESSIONS)).status_code == 401
        [event] = await auth.events("auth.signed_out")
        assert event.actor_id == account.user_id


class TestTimeouts:
    @pytest.mark.asvs("V7.3.1")
    @pytest.mark.parametrize(("kind", "idle_minutes"), [("customer", 30), ("staff", 15)])
    async def test_idle_timeout(self, auth: Harness, kind: str, idle_minutes: int) -> None:
        account = await (auth.customer() if kind == "customer" else auth.staff(Role.SUPPORT))
        http = await auth.login(account)
        clock.advance(idle_minutes * 60 - 90)
        assert (await http.get(SESSIONS)).status_code == 200  # activity slides the idle expiry
        clock.advance(idle_minutes * 60 - 90)
        assert (await http.get(SESSIONS)).status_code == 200
        clock.advance(idle_minutes * 60 + 1)
        answer = await http.get(SESSIONS)
        assert (answer.status_code, error_code(answer)) == (401, "session_invalid")

    @pytest.mark.asvs("V7.3.2")
    @pytest.mark.parametrize(
        ("kind", "hours", "idle_minutes"), [("customer", 12, 30), ("staff", 8, 15)]
    )
    async def test_absolute_timeout_despite_activity(
        self, auth: Harness, kind: str, hours: int, idle_minutes: int
    ) -> None:
        account = await (auth.customer() if kind == "customer" else auth.staff(Role.SUPPORT))
        http = await auth.login(account)
        step = (idle_minutes - 5) * 60
        elapsed = 0
        while elapsed + step < hours * 3600:
            clock.advance(step)
            elapsed += step
            assert (await http.get(SESSIONS)).status_code == 200
        clock.advance(hours * 3600 - elapsed + 1)
        assert (await http.get(SESSIONS)).status_code == 401
