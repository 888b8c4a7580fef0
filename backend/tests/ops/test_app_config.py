"""GET /api/v1/app/config: the public minimum mobile app version, read from settings."""

from __future__ import annotations

import pytest
from pydantic import ValidationError
from tests.fixtures.principals import Harness

from helio.config import Settings

PATH = "/api/v1/app/config"


class TestAppConfig:
    async def test_anonymous_reads_the_minimum_mobile_version(self, auth: Harness) -> None:
        response = await auth.client().get(PATH)
        assert response.status_code == 200
        assert response.json() == {"min_mobile_version": auth.app_state.settings.min_mobile_version}

    async def test_it_says_nothing_else(self, auth: Harness) -> None:
        body = (await auth.client().get(PATH)).json()
        assert set(body) == {"min_mobile_version"}

    @pytest.mark.asvs("V13.4.5")
    async def test_writes_are_refused(self, auth: Harness) -> None:
        response = await auth.client().post(PATH, json={"min_mobile_version": "0.0.1"})
        assert response.status_code in {403, 405}

    @pytest.mark.parametrize("value", ["1.0", "1.0.0-beta", "v1.0.0", "1.0.0; drop", ""])
    def test_a_malformed_setting_is_refused_at_start(self, value: str) -> None:
        with pytest.raises(ValidationError):
            Settings(min_mobile_version=value)

    def test_the_setting_is_read_from_the_environment(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setenv("HELIO_MIN_MOBILE_VERSION", "2.3.4")
        assert Settings().min_mobile_version == "2.3.4"
