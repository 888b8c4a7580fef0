"""Single checks over controlled evidence: key-name redaction, cookie flags, deploy steps,
the app user's grants parsed from SHOW GRANTS lines."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from helio.config import Settings
from helio.kit.clock import utcnow
from helio.selfaudit import render
from helio.selfaudit.checks import deploy, redis
from helio.selfaudit.checks.database import _AUDIT_REWRITE, _DDL, _privileges
from helio.selfaudit.checks.deps import age_line, data_age
from helio.selfaudit.checks.http import _cookie_problem
from helio.selfaudit.inputs import Inputs
from helio.selfaudit.registry import Verdict
from helio.selfaudit.runner import run_checks


@pytest.mark.parametrize(
    ("key", "kind", "shape"),
    [
        ("helio:lock:ann.example@example.org", "email", "helio:lock:<email>"),
        ("helio:ip:203.0.113.7:fail", "ip", "helio:ip:<ip>:fail"),
        ("helio:addr:2001:db8::1", "ip", "helio:addr:<ip>"),
        ("helio:ip6:2001:db8::1", "ip", "helio:ip<ip>"),  # over-redacted, never leaked
        ("helio:alerts:9f86d081884c7d65", None, "helio:alerts:9f86d081884c7d65"),
        (
            "LIMITS:LIMITER/quotes/0123abcd/10/1/day",
            None,
            "LIMITS:LIMITER/quotes/0123abcd/10/1/day",
        ),
        ("helio:version:1.2.3.4.5", None, "helio:version:1.2.3.4.5"),
    ],
)
def test_key_names_with_addresses_are_found_and_redacted(
    key: str, kind: str | None, shape: str
) -> None:
    assert redis.personal_kind(key) == kind
    assert redis.redact(key) == shape


@pytest.mark.parametrize(
    ("header", "problem"),
    [
        ("__Host-sid=x; Path=/; Secure; HttpOnly; SameSite=Lax", None),
        ("__Host-csrf=x; Path=/; Secure; SameSite=Strict", None),
        ("sid=x; Path=/", "cookie sid: lacks secure, httponly, samesite"),
        ("sid=x; Secure; HttpOnly; SameSite=None", "cookie sid: lacks samesite"),
    ],
)
def test_cookie_flags(header: str, problem: str | None) -> None:
    assert _cookie_problem(header) == problem


@pytest.mark.parametrize(
    ("line", "too_much", "rewrites"),
    [
        ("GRANT USAGE ON *.* TO `helio_app`@`%` IDENTIFIED BY PASSWORD '*ABC'", set(), None),
        ("GRANT SELECT, INSERT, UPDATE, DELETE ON `helio`.`users` TO `helio_app`@`%`", set(), None),
        ("GRANT SELECT, INSERT ON `helio`.`audit_events` TO `helio_app`@`%`", set(), None),
        ("GRANT SELECT, UPDATE ON `helio`.`audit_events` TO `helio_app`@`%`", set(),
         "audit_events"),
        ("GRANT ALTER, SELECT ON `helio`.* TO `helio_app`@`%`", {"ALTER"}, None),
        ("GRANT ALL PRIVILEGES ON *.* TO `root`@`localhost` WITH GRANT OPTION",
         {"ALL PRIVILEGES", "GRANT OPTION"}, None),
    ],
)  # fmt: skip
def test_show_grants_lines(line: str, too_much: set[str], rewrites: str | None) -> None:
    assert {m.group(1) for m in _DDL.finditer(_privileges(line))} == too_much
    found = _AUDIT_REWRITE.search(line)
    assert (found.group(2) if found else None) == rewrites


def _deploy_tree(tmp_path: Path, output: str) -> Path:
    tools = tmp_path / "deploy" / "tools"
    tools.mkdir(parents=True)
    (tools / "check.sh").write_text(f"cat <<'OUT'\n{output}\nOUT\n", encoding="utf-8")
    return tmp_path / "deploy"


async def test_deploy_steps_are_summarised(tmp_path: Path) -> None:
    tree = _deploy_tree(
        tmp_path,
        "ok   render dev overlay (0 s)\nFAIL checkov kubernetes dev (3 s): see x.log\n"
        "deploy-check: 1 passed, 1 failed",
    )
    inputs = Inputs(settings=Settings(), now=utcnow(), deploy_dir=tree, checkov="checkov")
    outcome = await deploy.checkov(inputs)
    assert outcome.verdict == Verdict.FAIL
    assert outcome.evidence == (
        "1 step(s) passed, 1 failed", "ok: render dev overlay", "fail: checkov kubernetes dev",
    )  # fmt: skip


async def test_deploy_check_without_checkov_is_manual_and_says_why(tmp_path: Path) -> None:
    tree = _deploy_tree(tmp_path, "deploy-check: 1 passed, 0 failed")
    inputs = Inputs(settings=Settings(), now=utcnow(), deploy_dir=tree, checkov=None)
    outcome = await deploy.checkov(inputs)
    assert outcome.verdict == Verdict.MANUAL
    assert "make deploy-check" in outcome.evidence[0]


async def test_the_target_never_carries_credentials() -> None:
    transport = httpx.MockTransport(lambda request: httpx.Response(404))
    async with httpx.AsyncClient(
        transport=transport, base_url="https://probe:s3cret-pass@app.helio.test/base?token=t0k"
    ) as http:
        inputs = Inputs(settings=Settings(), now=utcnow(), http=http)
        report = await run_checks(inputs, only={"http.docs_exposure"})
    assert report.target == "https://app.helio.test/base"
    assert [f.verdict for f in report.findings] == [Verdict.PASS]
    assert "s3cret" not in render.to_json(report)


@pytest.mark.parametrize(
    ("newest", "age"), [("2026-11-02", 34), ("2026-11-02", None), (None, None)]
)
def test_the_advisory_age_line_reads_back(newest: str | None, age: int | None) -> None:
    line = age_line(newest, age)
    assert data_age(["3 pinned package(s) against 10 advisories", line]) == (newest, age)
    assert data_age(["no advisory data given (--osv-dir or HELIO_OSV_DIR)"]) is None
