"""The customer's own account at the service layer: profile, export, deletion and shredding."""

from __future__ import annotations

import json

import pytest
from pydantic import ValidationError
from sqlalchemy import select
from tests.factories.accounts import audit_events
from tests.factories.pii import Customer, make_customer

from helio.auth.accounts.profiles import find_by_email, find_by_phone
from helio.authz.matrix import Perm
from helio.customers import deletion, service
from helio.customers.schemas import ProfileUpdate
from helio.errors import NotFound
from helio.kit.clock import clock
from helio.models import AuthSession, ConsentEvent, DataKey, Quote, Site, User
from helio.platform.app import App
from helio.platform.context import Ctx


async def update(app_state: App, person: Customer, **fields: object) -> object:
    async with app_state.db.transaction() as session:
        return await service.update_me(
            session,
            person.ctx(app_state, Perm.PROFILE_UPDATE),
            data=ProfileUpdate.model_validate(fields),
        )


class TestProfile:
    async def test_read_decrypts_the_callers_own_profile(self, clean: App) -> None:
        person = await make_customer(clean)
        async with clean.db.transaction() as session:
            profile = await service.read_me(session, person.ctx(clean))
        assert profile.id == person.user_id
        assert (profile.email, profile.full_name, profile.phone) == (
            person.email,
            person.full_name,
            person.phone,
        )
        assert profile.address == person.address

    async def test_update_writes_fields_consent_history_and_audits_names_only(
        self, clean: App
    ) -> None:
        person = await make_customer(clean)
        address = {"line1": "1 Sunny Row", "city": "Lumen", "postal_code": "LU1", "country": "GB"}
        changed = await update(
            clean, person, phone="+1 (415) 555-0100", address=address, marketing_consent=False,
            full_name=person.full_name,
        )  # fmt: skip
        assert changed.phone == "+1 (415) 555-0100"  # type: ignore[attr-defined]
        async with clean.db.transaction() as session:
            assert [u.id for u in await find_by_phone(session, clean, "+14155550100")] == [
                person.user_id
            ]
            consents = (await session.execute(select(ConsentEvent))).scalars().all()
        # Given at sign-up (factory), withdrawn now: both stay in the history.
        assert sorted((c.purpose, c.granted) for c in consents) == [
            ("marketing", False),
            ("marketing", True),
        ]
        [event] = await audit_events(clean, "profile.updated")
        # The unchanged name is not listed; no value is recorded, only field names.
        assert event.details == {"fields": ["address", "marketing_consent", "phone"]}
        assert event.actor_id == person.user_id
        assert "Sunny" not in json.dumps(event.details)
        assert "555" not in json.dumps(event.details)

    async def test_unchanged_values_write_no_audit_event(self, clean: App) -> None:
        person = await make_customer(clean)
        await update(clean, person, full_name=person.full_name, phone=person.phone)
        assert await audit_events(clean, "profile.updated") == []

    @pytest.mark.asvs("V8.2.3")
    @pytest.mark.parametrize(
        "field",
        ["role", "roles", "status", "email_verified", "email_verified_at", "id", "user_id",
         "email", "kind", "deleted_at", "data_key_generation"],
    )  # fmt: skip
    def test_privileged_and_unknown_fields_are_refused(self, field: str) -> None:
        with pytest.raises(ValidationError) as caught:
            ProfileUpdate.model_validate({"full_name": "Eve", field: "admin"})
        assert caught.value.errors()[0]["type"] == "extra_forbidden"

    @pytest.mark.parametrize(
        "body",
        [{"phone": "555-0100"}, {"phone": "call me"}, {"full_name": None},
         {"marketing_consent": None}, {"full_name": ""}, {"address": {"line1": "x"}},
         {"address": {"line1": "1", "city": "c", "postal_code": "p", "country": "gb"}}],
    )  # fmt: skip
    def test_invalid_values_are_refused(self, body: dict[str, object]) -> None:
        with pytest.raises(ValidationError):
            ProfileUpdate.model_validate(body)

    async def test_a_deleted_account_is_not_found(self, clean: App) -> None:
        person = await make_customer(clean)
        async with clean.db.transaction() as session:
            await deletion.delete_me(session, person.ctx(clean, Perm.ACCOUNT_DELETE))
        async with clean.db.transaction() as session:
            with pytest.raises(NotFound):
                await service.read_me(session, person.ctx(clean))


class TestExport:
    @pytest.mark.asvs("V8.2.2")
    async def test_contains_every_own_record_and_nothing_of_others(self, clean: App) -> None:
        mine, other = await make_customer(clean, 1), await make_customer(clean, 2)
        async with clean.db.transaction() as session:
            export = await service.export_me(session, mine.ctx(clean, Perm.DATA_EXPORT))
        data = export.model_dump(mode="json")
        assert data["profile"]["email"] == mine.email
        assert data["profile"]["address"] == mine.address
        [site] = data["sites"]
        assert (site["id"], site["address"]) == (mine.site_id, mine.site_address)
        assert site["usage"]["monthly_kwh"] == [300.0] * 12
        assert [q["id"] for q in data["quotes"]] == [mine.quote_id]
        assert [s["id"] for s in data["sessions"]] == [mine.session_id]
        assert [(c["purpose"], c["granted"]) for c in data["consent_history"]] == [
            ("marketing", True)
        ]
        assert data["orders"] == []
        text = json.dumps(data)
        for value in [other.user_id, other.site_id, other.quote_id, other.session_id,
                      *other.needles()]:  # fmt: skip
            assert value not in text
        assert "secret_hash" not in text
        [event] = await audit_events(clean, "account.exported")
        assert event.actor_id == mine.user_id


class TestDeletion:
    async def test_waits_for_the_grace_period_then_shred_due_erases(
        self, clean: App, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr(clean.settings, "shred_grace_days", 30)
        person = await make_customer(clean)
        async with clean.db.transaction() as session:
            done = await deletion.delete_me(session, person.ctx(clean, Perm.ACCOUNT_DELETE))
        assert not done.shredded
        assert done.shred_after is not None
        async with clean.db.transaction() as session:
            auth = await session.get(AuthSession, person.session_id)
            assert auth is not None
            assert auth.revoked_reason == "account_deleted"
        assert await deletion.shred_due(Ctx.system(clean)) == 0
        assert await live_keys(clean, person) == 1
        clock.advance(31 * 86400)
        assert await deletion.shred_due(Ctx.system(clean)) == 1
        assert await live_keys(clean, person) == 0
        assert await deletion.shred_due(Ctx.system(clean)) == 0
        [event] = await audit_events(clean, "account.shredded")
        assert event.resource_id == person.user_id

    @pytest.mark.asvs("V14.2.4")
    async def test_zero_grace_shreds_at_once_and_keeps_quote_figures(
        self, clean: App, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr(clean.settings, "shred_grace_days", 0)
        person, other = await make_customer(clean, 1), await make_customer(clean, 2)
        async with clean.db.transaction() as session:
            done = await deletion.delete_me(session, person.ctx(clean, Perm.ACCOUNT_DELETE))
        assert done.shredded
        assert await live_keys(clean, person) == 0
        assert await live_keys(clean, other) == 1
        async with clean.db.transaction() as session:
            assert await find_by_email(session, clean, person.email) is None
            user = await session.get(User, person.user_id)
            quote = await session.get(Quote, person.quote_id)
            assert await session.get(Site, person.site_id) is None
            assert await session.get(AuthSession, person.session_id) is None
        assert user is not None
        assert user.status == "erased"
        assert user.email_bidx[0] == 0
        assert user.phone_bidx is None
        assert quote is not None
        assert (str(quote.net_price), str(quote.system_kwp), quote.currency) == (
            "9100.00",
            "5.200",
            "GBP",
        )
        assert quote.inputs == {"erased": True}
        assert quote.site_id is None
        [deleted] = await audit_events(clean, "account.deleted")
        assert deleted.actor_id == person.user_id


async def live_keys(app_state: App, person: Customer) -> int:
    async with app_state.db.transaction() as session:
        stmt = select(DataKey).where(
            DataKey.owner_id == person.user_id, DataKey.wrapped_key.is_not(None)
        )
        return len((await session.execute(stmt)).scalars().all())
