"""Sign-up answers a taken and a free email alike, whatever the body.

The status, the body and the headers that matter are the same for a known and an
unknown email: with ordinary text, with 4-byte text at every limit, with bodies
validation refuses (too long, control characters), and when the database refuses
the new account (the answer must not tell that the email was free).
"""

from __future__ import annotations

import secrets
from typing import Any

import pytest
from httpx import Response
from sqlalchemy.exc import DataError
from tests.fixtures.principals import Harness

from helio.auth.accounts import service
from helio.kit.text import PERSON_NAME_CHARS

REGISTER = "/api/v1/auth/register"
# Generated per run: a strong password, not a credential of any account outside the test.
PASSWORD = "signup-" + secrets.token_urlsafe(18)
# Headers that vary per request whatever the email (ids, clocks, cookies of the CSRF pair).
PER_REQUEST = {"x-request-id", "date", "set-cookie"}

BODIES: dict[str, dict[str, Any]] = {
    "ordinary": {"full_name": "Ann Example"},
    "4-byte name at its limit": {"full_name": "😀" * PERSON_NAME_CHARS},
    "name one over its limit": {"full_name": "a" * (PERSON_NAME_CHARS + 1)},
    "4-byte name one over its limit": {"full_name": "😀" * (PERSON_NAME_CHARS + 1)},
    "NUL in the name": {"full_name": "Ann\x00Example"},
    "CR LF in the name": {"full_name": "Ann\r\nBcc: x@evil.example"},
    "ESC in the name": {"full_name": "Ann\x1b[31mExample"},
    "RLO in the name": {"full_name": "Ann\u202eelpmaxE"},
    "4-byte password": {"full_name": "Ann Example", "password": "😀" * 40},
    "password over its limit": {"full_name": "Ann Example", "password": "p" * 1025},
    "no name": {"full_name": ""},
}


def _shape(answer: Response) -> tuple[int, Any, dict[str, str]]:
    body = answer.json()
    if "error" in body:
        body["error"].pop("request_id")
    headers = {k: v for k, v in answer.headers.items() if k not in PER_REQUEST}
    return answer.status_code, body, headers


async def _both(auth: Harness, changes: dict[str, Any]) -> tuple[Response, Response]:
    known = await auth.customer(f"known.{secrets.token_hex(3)}@example.org")
    answers = []
    for email in (known.email, f"free.{secrets.token_hex(3)}@example.org"):
        body = {"email": email, "password": PASSWORD, **changes}
        answers.append(await auth.client().post(REGISTER, json=body))
    return answers[0], answers[1]


@pytest.mark.asvs("V6.3.1", "V16.5.1")
@pytest.mark.parametrize("changes", BODIES.values(), ids=BODIES.keys())
async def test_known_and_free_emails_get_the_same_answer(
    auth: Harness, changes: dict[str, Any]
) -> None:
    taken, fresh = await _both(auth, changes)
    assert _shape(taken) == _shape(fresh)
    assert taken.status_code in {202, 422}


@pytest.mark.asvs("V6.3.1", "V16.5.3")
async def test_a_database_refusal_answers_like_a_taken_email(
    auth: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def refused(*_args: Any, **_kwargs: Any) -> None:
        raise DataError("INSERT INTO users", {}, Exception("Data too long for column"))

    monkeypatch.setattr(service, "create_account", refused)
    taken, fresh = await _both(auth, {"full_name": "Ann Example"})
    assert _shape(taken) == _shape(fresh)
    assert (taken.status_code, taken.json()) == (202, {"status": "accepted"})
