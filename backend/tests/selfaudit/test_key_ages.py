"""Signing and data keys are judged by their age against the rotation periods in the settings:
fresh passes, due warns, twice overdue fails; a key that cannot be loaded fails."""

from __future__ import annotations

import base64
import secrets
from datetime import timedelta
from pathlib import Path

import pytest

from helio.audit.checkpoints import create_checkpoint, load_signing_keys
from helio.config import Settings
from helio.kit.clock import clock, utcnow
from helio.platform.app import App
from helio.security.files import write_private_file
from helio.selfaudit.inputs import Inputs
from helio.selfaudit.registry import Verdict
from helio.selfaudit.runner import Finding, run_checks
from tests.selfaudit.world import seed_customer


async def _judge(app: App, check_id: str, *, days_later: int = 0, settings: Settings | None = None
                 ) -> Finding:  # fmt: skip
    inputs = Inputs(
        settings=settings or app.settings, now=utcnow() + timedelta(days=days_later), app=app
    )
    (finding,) = (await run_checks(inputs, only={check_id})).findings
    return finding


def _in(tmp_path: Path, app: App, **changes: object) -> Settings:
    """The app's settings with their own data directory (the audit key file lives there)."""
    return app.settings.model_copy(update={"data_dir": tmp_path, **changes})


class TestJwtKeyAge:
    @pytest.mark.asvs("V11.2.2")
    @pytest.mark.parametrize(
        ("days_later", "verdict"),
        [(0, Verdict.PASS), (89, Verdict.PASS), (91, Verdict.WARN), (181, Verdict.FAIL)],
    )
    async def test_judged_by_the_rotation_period(
        self, clean: App, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        days_later: int, verdict: Verdict,
    ) -> None:  # fmt: skip
        monkeypatch.setattr(clean.server_keys, "keyfile", tmp_path / "jwt-signing-keys.json")
        await clean.server_keys.rotate_signing()  # a fresh key in the file
        finding = await _judge(clean, "config.jwt_key_age", days_later=days_later)
        assert (finding.verdict, finding.category, finding.severity) == (verdict, "A02", "medium")
        assert f"{days_later} day(s) old; rotation every 90 days" in finding.evidence[0]

    async def test_the_period_comes_from_the_settings(
        self, clean: App, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr(clean.server_keys, "keyfile", tmp_path / "jwt-signing-keys.json")
        await clean.server_keys.rotate_signing()
        short = clean.settings.model_copy(update={"jwt_key_rotation_days": 1})
        finding = await _judge(clean, "config.jwt_key_age", days_later=2, settings=short)
        assert finding.verdict == Verdict.WARN
        assert "HELIO_JWT_KEY_ROTATION_DAYS" in finding.evidence[0]

    async def test_a_rotation_makes_it_fresh_again(
        self, clean: App, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr(clean.server_keys, "keyfile", tmp_path / "jwt-signing-keys.json")
        await clean.server_keys.rotate_signing()
        clock.advance(200 * 86_400)
        assert (await _judge(clean, "config.jwt_key_age")).verdict == Verdict.FAIL
        await clean.server_keys.rotate_signing()
        assert (await _judge(clean, "config.jwt_key_age")).verdict == Verdict.PASS

    async def test_no_key_yet_passes_and_makes_none(
        self, clean: App, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        keyfile = tmp_path / "jwt-signing-keys.json"
        monkeypatch.setattr(clean.server_keys, "keyfile", keyfile)
        finding = await _judge(clean, "config.jwt_key_age")
        assert finding.verdict == Verdict.PASS
        assert not keyfile.exists()

    async def test_an_unreadable_key_file_fails(
        self, clean: App, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        keyfile = tmp_path / "jwt-signing-keys.json"
        write_private_file(keyfile, b'{"format": "something else"}', exclusive=True)
        monkeypatch.setattr(clean.server_keys, "keyfile", keyfile)
        finding = await _judge(clean, "config.jwt_key_age")
        assert (finding.verdict, finding.category, finding.severity) == (
            Verdict.FAIL, "A02", "medium"
        )  # fmt: skip
        assert "cannot be read (ValueError)" in finding.evidence[0]


class TestAuditKeyAge:
    @pytest.mark.parametrize(
        ("days_later", "verdict"),
        [(0, Verdict.PASS), (364, Verdict.PASS), (366, Verdict.WARN), (731, Verdict.FAIL)],
    )
    async def test_a_key_file_key_is_judged_by_its_date(
        self, clean: App, tmp_path: Path, days_later: int, verdict: Verdict
    ) -> None:
        settings = _in(tmp_path, clean)
        load_signing_keys(settings)  # creates the key file, dated now
        finding = await _judge(clean, "config.audit_key_age", days_later=days_later,
                               settings=settings)  # fmt: skip
        assert (finding.verdict, finding.category, finding.severity) == (verdict, "A08", "medium")
        assert "(key file)" in finding.evidence[0]

    async def test_a_configured_key_is_judged_by_its_first_checkpoint(
        self, clean: App, tmp_path: Path
    ) -> None:
        seed = base64.b64encode(secrets.token_bytes(32)).decode()
        settings = _in(tmp_path, clean, audit_signing_key=seed, audit_key_rotation_days=30)
        unused = await _judge(clean, "config.audit_key_age", days_later=90, settings=settings)
        assert unused.verdict == Verdict.PASS
        assert "has signed nothing yet" in unused.evidence[0]
        await create_checkpoint(clean.db, load_signing_keys(settings))
        used = await _judge(clean, "config.audit_key_age", days_later=61, settings=settings)
        assert (used.verdict, used.category) == (Verdict.FAIL, "A08")
        assert "HELIO_AUDIT_SIGNING_KEY" in used.evidence[0]
        assert seed not in " ".join(used.evidence)
        due = await _judge(clean, "config.audit_key_age", days_later=31, settings=settings)
        assert due.verdict == Verdict.WARN

    async def test_a_malformed_configured_key_fails(self, clean: App, tmp_path: Path) -> None:
        settings = _in(tmp_path, clean, audit_signing_key="bm90IGEgc2VlZA==")  # "not a seed"
        finding = await _judge(clean, "config.audit_key_age", settings=settings)
        assert (finding.verdict, finding.category, finding.severity) == (
            Verdict.FAIL, "A08", "medium"
        )  # fmt: skip
        assert "cannot be loaded (ValueError)" in finding.evidence[0]

    async def test_no_key_yet_passes(self, clean: App, tmp_path: Path) -> None:
        finding = await _judge(clean, "config.audit_key_age", settings=_in(tmp_path, clean))
        assert finding.verdict == Verdict.PASS
        assert not (tmp_path / "audit-signing-key.json").exists()


class TestDataKeyAge:
    @pytest.mark.parametrize(
        ("days_later", "verdict"),
        [(0, Verdict.PASS), (366, Verdict.WARN), (731, Verdict.FAIL)],
    )
    async def test_data_keys_are_judged_by_the_configured_period(
        self, clean: App, days_later: int, verdict: Verdict
    ) -> None:
        await seed_customer(clean)  # one customer, one data key wrapped now
        finding = await _judge(clean, "db.key_rotation", days_later=days_later)
        assert (finding.verdict, finding.category, finding.severity) == (verdict, "A02", "medium")
        assert "HELIO_DATA_KEY_ROTATION_DAYS" in " ".join(finding.evidence)
