"""Small pieces of the auth layer: networks, CSRF tokens, device labels, session limits."""

from __future__ import annotations

import pytest

from helio.auth.sessions import csrf
from helio.auth.sessions.lifecycle import device_label, network_of
from helio.platform.policy import DEFAULT_POLICY


class TestNetworks:
    @pytest.mark.asvs("V6.3.1")
    @pytest.mark.parametrize(
        ("address", "network"),
        [
            ("203.0.113.7", "203.0.113.0/24"),
            ("2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"),
            ("::ffff:198.51.100.9", "198.51.100.0/24"),
            ("not an address", None),
        ],
    )
    def test_counters_group_by_slash_24_and_slash_64(
        self, address: str, network: str | None
    ) -> None:
        assert network_of(address) == network


class TestCsrfTokens:
    @pytest.mark.asvs("V3.5.1", "V11.5.1")
    def test_bound_to_key_and_session(self) -> None:
        key, session = b"k" * 32, b"s" * 32
        token = csrf.issue(key, session)
        assert csrf.valid(key, session, token)
        assert not csrf.valid(key, b"t" * 32, token)
        assert not csrf.valid(b"j" * 32, session, token)
        assert not csrf.valid(key, session, token + "x")
        assert not csrf.valid(key, session, "")
        assert not csrf.valid(key, session, "é" * 10)
        assert len({csrf.issue(key, session) for _ in range(1000)}) == 1000


class TestLabels:
    @pytest.mark.asvs("V16.4.1")
    def test_device_label_drops_control_characters(self) -> None:
        forged = "Mozilla/5.0\n2025-01-01 INFO admin login ok\x1b[31m"
        label = device_label(forged)
        assert label is not None
        assert "\n" not in label
        assert "\x1b" not in label
        assert device_label("x" * 500) == "x" * 160
        assert device_label(None) is None


class TestLimits:
    def test_limits_by_role_and_kind(self) -> None:
        assert DEFAULT_POLICY.session_limits(staff=True, kind="cookie") == DEFAULT_POLICY.staff_web
        assert (
            DEFAULT_POLICY.session_limits(staff=False, kind="cookie") == DEFAULT_POLICY.customer_web
        )
        assert (
            DEFAULT_POLICY.session_limits(staff=False, kind="token")
            == DEFAULT_POLICY.customer_token
        )
        assert DEFAULT_POLICY.session_limits(staff=True, kind="token") == DEFAULT_POLICY.staff_token
