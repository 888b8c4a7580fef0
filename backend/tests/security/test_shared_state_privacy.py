"""Redis holds counters, flags and queues, never a customer's email, phone or password.

One documented exception: the mail queue holds each message, recipient included,
from commit until the SMTP relay accepts it (then it is acknowledged and removed).
The test waits for delivery, so a leftover message would show up here.
"""

from __future__ import annotations

import pytest
from tests.factories.mail import InProcessOutbox
from tests.fixtures.principals import Harness

from helio.platform.app import App

LOGIN = "/api/v1/auth/login"
EMAIL = "private.person@example.org"
PHONE = "+14155550123"
PASSWORD = "another-quiet-walrus-fig-71"


async def _everything_in_redis(app_state: App) -> str:
    client = app_state.state.client  # type: ignore[attr-defined]
    dump: list[str] = []
    async for key in client.scan_iter(count=500):
        dump.append(str(key))
        kind = await client.type(key)
        if kind == "string":
            dump.append(str(await client.get(key)))
        elif kind == "list":
            dump.extend(str(v) for v in await client.lrange(key, 0, -1))
        elif kind == "hash":
            dump.extend(f"{k}={v}" for k, v in (await client.hgetall(key)).items())
        elif kind in {"set", "zset"}:
            members = await (client.smembers(key) if kind == "set" else client.zrange(key, 0, -1))
            dump.extend(str(m) for m in members)
    return "\n".join(dump)


@pytest.mark.redis
@pytest.mark.asvs("V14.2.4")
async def test_no_personal_data_reaches_redis(auth: Harness) -> None:
    http = auth.client()
    registered = await http.post(
        "/api/v1/auth/register",
        json={"email": EMAIL, "password": PASSWORD, "full_name": "Pat Private"},
    )
    assert registered.status_code == 202
    for _ in range(4):
        refused = await http.post(LOGIN, json={"email": EMAIL, "password": "wrong-" + PASSWORD})
        assert refused.status_code == 401  # the wait starts after the fourth failure
    forgot = await http.post("/api/v1/auth/password/forgot", json={"email": EMAIL})
    assert forgot.status_code == 202
    customer = await auth.customer(EMAIL.replace("private", "other"))
    signed_in = await auth.login(customer)
    changed = await signed_in.patch(
        "/api/v1/me", json={"phone": PHONE}, headers=auth.unsafe(signed_in)
    )
    assert changed.status_code == 200, changed.text
    await auth.tokens(customer)
    outbox = auth.app_state.outbox
    assert isinstance(outbox, InProcessOutbox)
    await outbox.drain()
    everything = (await _everything_in_redis(auth.app_state)).lower()
    assert everything, "the flows above leave counters and sessions in Redis"
    for secret in (EMAIL, EMAIL.replace("private", "other"), PHONE, PASSWORD, "pat private"):
        assert secret.lower() not in everything
