"""The ASVS coverage report and the pytest plugin that feeds it."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from tools import asvs_report

pytest_plugins = ["pytester"]

DATA = Path(__file__).parent / "data"
SELECTION = DATA / "asvs-selection-sample.csv"
ACCOUNTED = DATA / "asvs-selection-accounted.csv"
RESULTS = DATA / "asvs-results-sample.json"
PLUGIN = ("-p", "tools.asvs_pytest_plugin", "-p", "no:asyncio")

# The sample tests below mark, skip and expect failures on purpose: they are the plugin's input.
SAMPLE_TESTS = """
import pytest

@pytest.mark.asvs("V6.2.1", "V6.3.1")
def test_passes():
    pass

@pytest.mark.asvs("V8.3.1")
def test_fails():
    assert False

@pytest.mark.asvs("V15.1.2")
@pytest.mark.skip(reason="sample")
def test_skipped():
    pass

@pytest.fixture
def broken_teardown():
    yield
    raise RuntimeError("teardown")

@pytest.mark.asvs("V15.2.1")
def test_teardown_error(broken_teardown):
    pass

@pytest.mark.asvs("V6.3.1")
@pytest.mark.xfail(reason="sample")
def test_expected_failure():
    assert False

@pytest.mark.asvs("V6.2.1")
class TestGroup:
    @pytest.mark.asvs("V15.1.2")
    def test_inherits_class_ids(self):
        pass

def test_unmarked():
    pass
"""


NO_E2E = str(DATA / "no-such-e2e-results.json")


def report(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """Run the report on the sample selection; return exit code, stdout, stderr."""
    if "--selection" not in args:
        args = ("--selection", str(SELECTION), *args)
    if "--e2e-results" not in args:
        args = (*args, "--e2e-results", NO_E2E)
    code = asvs_report.main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_report_counts_per_chapter_and_top10(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = report(capsys, "--results", str(RESULTS))
    assert code == 1  # three requirements are neither proven nor explained
    assert "**Proven: 2 of 5 selected requirements (40.0%)**; by level: L1 2/4, L2 0/1." in out
    assert "generated 2026-01-05T10:00:00+00:00; 1 failed, 4 passed, 1 skipped" in out
    assert "| V6 Authentication | 1 | 2 | 50% |" in out
    assert "| V8 Authorization | 0 | 1 | 0% |" in out
    assert "| V15 Secure Coding and Architecture | 1 | 2 | 50% |" in out
    assert "| A01 Broken Access Control | 0 | 1 | 0% |" in out
    assert "| A06 Vulnerable and Outdated Components | 1 | 2 | 50% |" in out
    assert "| A07 Identification and Authentication Failures | 1 | 2 | 50% |" in out
    assert "## Unaccounted requirements (3)" in out
    assert "**unaccounted: 3**" in out
    assert "3 requirement(s) neither proven" in err
    assert "- V6.3.1 (L1, A07): " in out
    assert "**FAILING:** tests/auth/test_login.py::test_lockout_per_ip" in out
    assert "- V8.3.1 (L1, A01): " in out
    assert "- V15.1.2 (L2, A06): " in out
    assert "- V99.1.1: tests/tools/test_audit.py::test_vulnerable_pin" in out
    assert "WARNING: V99.1.1 is not in the selection" in err


def _without_failures(tmp_path: Path) -> Path:
    data = json.loads(RESULTS.read_text())
    data["tests"] = [t for t in data["tests"] if t["outcome"] != "failed"]
    path = tmp_path / "results.json"
    path.write_text(json.dumps(data))
    return path


def _selection(tmp_path: Path, **changes: tuple[str, str]) -> Path:
    """The accounted sample selection with some rows' (status, reason) changed."""
    rows = list(csv.DictReader(ACCOUNTED.read_text().splitlines(keepends=True)))
    for row in rows:
        if row["id"] in changes:
            row["status"], row["reason"] = changes[row["id"]]
    path = tmp_path / "selection.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def test_every_requirement_accounted_for_exits_0_and_fail_under(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out_file = tmp_path / "asvs.json"
    accounted = ("--selection", str(ACCOUNTED), "--results", str(_without_failures(tmp_path)))
    code, out, err = report(capsys, *accounted, "--fail-under", "60")
    assert code == 0, err
    assert "**Accounted for: 5 of 5** — proven 3, not applicable 1, manual 1; " in out
    assert "**unaccounted: 0**" in out
    assert "| V15 Secure Coding and Architecture | 1 | 0 | 1 | 0 | 2 |" in out
    assert "- V8.3.1 (L1): Sample: no staff API in this sample system." in out
    assert "- V15.1.2 (L2): Sample: the release manager checks the SBOM at each release." in out
    assert "no browser test results" in err
    code, _, err = report(capsys, *accounted, "--fail-under", "60.1", "--json", str(out_file))
    assert code == 1
    assert "coverage 60.0% is below 60.1%" in err
    data = json.loads(out_file.read_text())
    assert (data["selected"], data["proven"], data["percent"]) == (5, 3, 60.0)
    assert data["unproven"] == ["V8.3.1", "V15.1.2"]
    assert data["unaccounted"] == []
    assert data["requirements"]["V8.3.1"] == "not_applicable"
    assert data["requirements"]["V15.1.2"] == "manual"
    assert data["failing"] == {}
    assert data["unknown_ids"] == {"V99.1.1": ["tests/tools/test_audit.py::test_vulnerable_pin"]}
    assert {"chapter": "V8 Authorization", "proven": 0, "selected": 1} in data["chapters"]
    assert {
        "chapter": "V6 Authentication",
        "proven": 2,
        "not_applicable": 0,
        "manual": 0,
        "unaccounted": 0,
        "selected": 2,
    } in data["accounting"]
    assert {"category": "A06 Vulnerable and Outdated Components", "proven": 1, "selected": 2} in (
        data["owasp_top10_2021"]
    )


def test_a_failing_test_leaves_its_requirement_unaccounted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = report(capsys, "--selection", str(ACCOUNTED), "--results", str(RESULTS))
    assert code == 1
    assert "**FAILING:** tests/auth/test_login.py::test_lockout_per_ip" in out
    assert "1 requirement(s) neither proven" in err
    assert "V6.3.1" in err


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"V8.3.1": ("proven", "")}, "the CSV says proven, but no passing test carries the id"),
        ({"V15.1.2": ("manual", "  ")}, "manual without a reason in the CSV"),
        ({"V8.3.1": ("not_applicable", "")}, "not_applicable without a reason in the CSV"),
        ({"V15.1.2": ("", "")}, "no passing test and no status"),
    ],
)
def test_a_claim_without_a_test_or_a_reason_fails(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    changes: dict[str, tuple[str, str]],
    problem: str,
) -> None:
    selection = _selection(tmp_path, **changes)
    results = _without_failures(tmp_path)
    code, out, err = report(capsys, "--selection", str(selection), "--results", str(results))
    assert code == 1
    [requirement_id] = changes
    assert f"- {requirement_id} (L" in out.split("## Unaccounted requirements (1)")[1]
    assert problem in out
    assert f": {requirement_id}" in err


def test_a_passing_test_proves_a_requirement_the_csv_calls_manual_with_a_warning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    selection = _selection(tmp_path, **{"V6.2.1": ("manual", "Checked by hand.")})
    results = _without_failures(tmp_path)
    code, out, _ = report(capsys, "--selection", str(selection), "--results", str(results))
    assert code == 0
    assert "proven by a test, but the CSV does not say `proven`" in out
    assert "- V6.2.1 (CSV: manual)" in out


def test_an_unknown_status_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    selection = _selection(tmp_path, **{"V8.3.1": ("later", "")})
    code, _, err = report(capsys, "--selection", str(selection), "--results", str(RESULTS))
    assert code == 2
    assert "status must be one of proven, not_applicable, manual (V8.3.1)" in err


def test_browser_test_results_prove_requirements_too(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    e2e = tmp_path / "e2e.json"
    e2e.write_text(
        json.dumps(
            {
                "generated_at": "2026-01-05T11:00:00+00:00",
                "exitstatus": 0,
                "tests": [
                    {"nodeid": "desktop:staff > grant", "outcome": "passed", "asvs": ["V8.3.1"]},
                    {"nodeid": "desktop:mfa", "outcome": "failed", "asvs": ["V15.2.1"]},
                ],
            }
        )
    )
    selection = _selection(tmp_path, **{"V8.3.1": ("proven", "")})
    base = ("--selection", str(selection), "--results", str(_without_failures(tmp_path)))
    code, out, _ = report(capsys, *base, "--e2e-results", str(e2e))
    assert "browser tests: 2026-01-05T11:00:00+00:00" in out
    assert "| V8 Authorization | 1 | 0 | 0 | 0 | 1 |" in out
    # A failing browser test takes the proof away, as a failing pytest test does.
    assert "**FAILING:** e2e:desktop:mfa" in out
    assert code == 1
    code, out, err = report(capsys, *base)  # without the browser results: not proven
    assert code == 1
    assert "the CSV says proven, but no passing test carries the id" in out
    assert "run `make web-e2e`" in err


def test_missing_or_malformed_input_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = report(capsys, "--results", str(tmp_path / "none.json"))
    assert code == 2
    assert "-p tools.asvs_pytest_plugin" in err
    bad = tmp_path / "bad.json"
    bad.write_text('{"tests": [{"nodeid": "x"}]}')
    assert report(capsys, "--results", str(bad))[0] == 2
    selection = tmp_path / "selection.csv"
    selection.write_text("id,level\nV1.1.1,1\n")
    assert asvs_report.main(["--selection", str(selection), "--results", str(RESULTS)]) == 2


def test_project_selection_is_the_full_asvs_selection() -> None:
    requirements = asvs_report.load_selection(asvs_report.DEFAULT_SELECTION)
    assert len(requirements) == 202
    assert sum(r.level == "1" for r in requirements) == 65
    assert {r.owasp for r in requirements} == set(asvs_report.TOP10_2021)
    assert len({r.chapter for r in requirements}) == 16


def test_project_selection_accounts_for_each_requirement_or_leaves_it_open() -> None:
    requirements = asvs_report.load_selection(asvs_report.DEFAULT_SELECTION)
    explained = [r for r in requirements if r.status in {"not_applicable", "manual"}]
    assert explained
    # A reason names who does it and how often (manual), or why it does not apply.
    assert [r.id for r in explained if len(r.reason) < 60] == []
    assert [r.id for r in explained if r.status == "manual" and "how often" not in r.reason] == []
    assert [r.id for r in requirements if r.status == "proven" and r.reason] == []


def test_plugin_records_outcomes_and_ids(
    pytester: pytest.Pytester, capsys: pytest.CaptureFixture[str]
) -> None:
    pytester.makeini("[pytest]\naddopts = --strict-markers\nmarkers =\n    asvs(*ids): ASVS ids\n")
    pytester.makepyfile(test_sample=SAMPLE_TESTS)
    result = pytester.runpytest(*PLUGIN)
    result.assert_outcomes(passed=4, failed=1, skipped=1, errors=1, xfailed=1)
    results_file = pytester.path / "var" / "asvs-results.json"
    data = json.loads(results_file.read_text())
    tests = {t["nodeid"].rsplit("::", 1)[-1]: (t["outcome"], t["asvs"]) for t in data["tests"]}
    assert tests == {
        "test_passes": ("passed", ["V6.2.1", "V6.3.1"]),
        "test_fails": ("failed", ["V8.3.1"]),
        "test_skipped": ("skipped", ["V15.1.2"]),
        "test_teardown_error": ("failed", ["V15.2.1"]),
        "test_expected_failure": ("skipped", ["V6.3.1"]),
        "test_inherits_class_ids": ("passed", ["V15.1.2", "V6.2.1"]),
        "test_unmarked": ("passed", []),
    }
    capsys.readouterr()
    code, out, _ = report(capsys, "--results", str(results_file))
    assert code == 1
    assert "**Proven: 3 of 5 selected requirements (60.0%)**" in out


def test_plugin_results_path_option_and_collect_only(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_one="def test_one():\n    pass\n")
    pytester.runpytest(*PLUGIN, "--collect-only")
    assert not (pytester.path / "var").exists()
    result = pytester.runpytest(*PLUGIN, "--asvs-results", "out/r.json")
    result.assert_outcomes(passed=1)
    data = json.loads((pytester.path / "out" / "r.json").read_text())
    assert data["exitstatus"] == 0
    assert [t["outcome"] for t in data["tests"]] == ["passed"]


def test_a_narrowed_or_stopped_run_never_replaces_the_full_results(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        test_one="def test_one():\n    pass\n", test_two="def test_two():\n    pass\n"
    )
    pytester.runpytest(*PLUGIN)
    full = pytester.path / "var" / "asvs-results.json"
    partial = pytester.path / "var" / "asvs-results.partial.json"
    assert len(json.loads(full.read_text())["tests"]) == 2
    for narrowing in (["test_one.py"], ["-k", "one"], ["--deselect", "test_two.py::test_two"]):
        pytester.runpytest(*PLUGIN, *narrowing)
        assert len(json.loads(full.read_text())["tests"]) == 2, narrowing
        assert len(json.loads(partial.read_text())["tests"]) == 1, narrowing
    pytester.makepyfile(test_three="def test_three():\n    assert False\n")
    pytester.runpytest(*PLUGIN, "-x")
    assert len(json.loads(full.read_text())["tests"]) == 2


def test_the_suite_without_fault_tests_is_a_full_run_and_the_fault_run_is_partial(
    pytester: pytest.Pytester,
) -> None:
    pytester.makeini("[pytest]\naddopts = --strict-markers\nmarkers =\n    fault: broken servers\n")
    pytester.makepyfile(
        test_one="def test_one():\n    pass\n",
        test_fault="import pytest\n\n@pytest.mark.fault\ndef test_broken():\n    pass\n",
    )
    full = pytester.path / "var" / "asvs-results.json"
    partial = pytester.path / "var" / "asvs-results.partial.json"
    pytester.runpytest(*PLUGIN, "-m", "not fault")
    assert [t["nodeid"] for t in json.loads(full.read_text())["tests"]] == ["test_one.py::test_one"]
    pytester.runpytest(*PLUGIN, "-m", "fault")
    assert len(json.loads(full.read_text())["tests"]) == 1
    assert len(json.loads(partial.read_text())["tests"]) == 1
