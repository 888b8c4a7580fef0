"""Sign-up, email verification and the password policy at the API."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from tests.fixtures.principals import Harness, error_code

from helio.auth.login.passwords import configure, current_config
from helio.kit.clock import clock
from helio.models import User

REGISTER = "/api/v1/auth/register"
VERIFY = "/api/v1/auth/verify-email"
LOGIN = "/api/v1/auth/login"
GOOD = "another-quiet-walrus-fig-71"


async def _register(
    auth: Harness, email: str, password: str = GOOD, name: str = "Ann Example"
) -> int:
    answer = await auth.client().post(
        REGISTER, json={"email": email, "password": password, "full_name": name}
    )
    return answer.status_code


class TestSignUp:
    @pytest.mark.asvs("V6.4.1", "V11.4.2", "V16.3.1")
    async def test_register_verify_then_sign_in(self, auth: Harness) -> None:
        email = "new.customer@example.org"
        assert await _register(auth, email) == 202
        http = auth.client()
        early = await http.post(LOGIN, json={"email": email, "password": GOOD})
        assert (early.status_code, error_code(early)) == (403, "email_not_verified")
        assert "set-cookie" not in early.headers
        token = await auth.mail.token(email, "Confirm your email")
        mail = await auth.mail.last(email, "Confirm your email")
        assert f"https://api.helio.test/verify-email#token={token}" in mail.get_content()
        assert GOOD not in mail.as_string()
        assert (await http.post(VERIFY, json={"token": token})).status_code == 204
        again = await http.post(VERIFY, json={"token": token})
        assert (again.status_code, error_code(again)) == (400, "invalid_token")
        assert (await http.post(LOGIN, json={"email": email, "password": GOOD})).status_code == 200
        async with auth.app_state.db.transaction() as session:
            user = (await session.execute(select(User))).scalars().one()
        assert user.password_hash is not None
        assert user.password_hash.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
        assert email.encode() not in user.email_ct
        assert [e.outcome for e in await auth.events("auth.registered")] == ["success"]
        assert [e.outcome for e in await auth.events("auth.email_verified")] == [
            "success",
            "failure",
        ]

    @pytest.mark.asvs("V6.4.1")
    async def test_verification_link_expires(self, auth: Harness) -> None:
        email = "slow.customer@example.org"
        await _register(auth, email)
        token = await auth.mail.token(email, "Confirm your email")
        clock.advance(24 * 3600 + 1)
        answer = await auth.client().post(VERIFY, json={"token": token})
        assert (answer.status_code, error_code(answer)) == (400, "invalid_token")

    async def test_unverified_login_sends_a_new_link_and_retires_the_old(
        self, auth: Harness
    ) -> None:
        email = "forgetful@example.org"
        await _register(auth, email)
        old = await auth.mail.token(email, "Confirm your email")
        await auth.client().post(LOGIN, json={"email": email, "password": GOOD})
        new = await auth.mail.token(email, "Confirm your email")
        assert new != old
        assert (await auth.client().post(VERIFY, json={"token": old})).status_code == 400
        assert (await auth.client().post(VERIFY, json={"token": new})).status_code == 204

    @pytest.mark.asvs("V6.4.2")
    async def test_unknown_fields_are_refused(self, auth: Harness) -> None:
        answer = await auth.client().post(
            REGISTER,
            json={
                "email": "x@example.org",
                "password": GOOD,
                "full_name": "X",
                "password_hint": "the usual",
                "role": "admin",
            },
        )
        assert answer.status_code == 422
        assert set(answer.json()["error"]["fields"]) == {"password_hint", "role"}


class TestPasswordPolicy:
    @pytest.mark.asvs("V6.2.1", "V6.2.9")
    async def test_length_limits(self, auth: Harness) -> None:
        eleven = await auth.client().post(
            REGISTER, json={"email": "a@example.org", "password": "kq8!zv#m2pw", "full_name": "A B"}
        )
        assert (eleven.status_code, error_code(eleven)) == (422, "weak_password")
        assert "at least 12" in eleven.json()["error"]["fields"]["password"]
        too_long = await auth.client().post(
            REGISTER,
            json={"email": "b@example.org", "password": "kq8!zv#m2pwx" * 11, "full_name": "A B"},
        )
        assert "at most 128" in too_long.json()["error"]["message"]
        for n, length in enumerate((64, 128)):
            password = ("gravel-ochre-tundra-" * 7)[:length]
            email = f"long{n}@example.org"
            assert await _register(auth, email, password) == 202
            await auth.client().post(
                VERIFY, json={"token": await auth.mail.token(email, "Confirm")}
            )
            ok = await auth.client().post(LOGIN, json={"email": email, "password": password})
            assert ok.status_code == 200
            cut = await auth.client().post(LOGIN, json={"email": email, "password": password[:-1]})
            assert cut.status_code == 401

    @pytest.mark.asvs("V6.2.4", "V6.2.12", "V6.2.11", "V6.1.2")
    @pytest.mark.parametrize(
        "password", ["password1234", "qwertyuiop123", "HelioSolar2025!", "ann.example.sunshine"]
    )
    async def test_common_breached_and_contextual_passwords(
        self, auth: Harness, password: str
    ) -> None:
        answer = await auth.client().post(
            REGISTER,
            json={
                "email": "ann.example@example.org",
                "password": password,
                "full_name": "Ann Example",
            },
        )
        assert (answer.status_code, error_code(answer)) == (422, "weak_password")

    @pytest.mark.asvs("V6.2.5", "V6.2.8")
    async def test_any_composition_and_exact_verification(self, auth: Harness) -> None:
        for n, password in enumerate(
            (
                "correct horse battery staple ocean",
                "Ωμέγα-Ünïcødé-Pässwört-Zebra-7"[:70],
                "48291736502918374650",
            )
        ):
            email = f"compose{n}@example.org"
            assert await _register(auth, email, password) == 202
            await auth.client().post(
                VERIFY, json={"token": await auth.mail.token(email, "Confirm")}
            )
            assert (
                await auth.client().post(LOGIN, json={"email": email, "password": password})
            ).status_code == 200
            changed = password.swapcase()
            if changed != password:
                assert (
                    await auth.client().post(LOGIN, json={"email": email, "password": changed})
                ).status_code == 401

    @pytest.mark.asvs("V11.4.2")
    async def test_stronger_parameters_rehash_at_next_login(self, auth: Harness) -> None:
        account = await auth.customer()
        previous = current_config()
        configure(time_cost=previous.time_cost + 1)
        try:
            await auth.login(account)
            async with auth.app_state.db.transaction() as session:
                user = await session.get(User, account.user_id)
            assert user is not None
            assert user.password_hash is not None
            assert f"t={previous.time_cost + 1}," in user.password_hash
            await auth.login(account)
        finally:
            configure(time_cost=previous.time_cost)
