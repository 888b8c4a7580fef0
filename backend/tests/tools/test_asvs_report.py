"""The ASVS coverage report and the pytest plugin that feeds it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tools import asvs_report

pytest_plugins = ["pytester"]

DATA = Path(__file__).parent / "data"
SELECTION = DATA / "asvs-selection-sample.csv"
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


def report(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """Run the report on the sample selection; return exit code, stdout, stderr."""
    code = asvs_report.main(["--selection", str(SELECTION), *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_report_counts_per_chapter_and_top10(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = report(capsys, "--results", str(RESULTS))
    assert code == 0
    assert "**Proven: 2 of 5 selected requirements (40.0%)**; by level: L1 2/4, L2 0/1." in out
    assert "generated 2026-01-05T10:00:00+00:00; 1 failed, 4 passed, 1 skipped" in out
    assert "| V6 Authentication | 1 | 2 | 50% |" in out
    assert "| V8 Authorization | 0 | 1 | 0% |" in out
    assert "| V15 Secure Coding and Architecture | 1 | 2 | 50% |" in out
    assert "| A01 Broken Access Control | 0 | 1 | 0% |" in out
    assert "| A06 Vulnerable and Outdated Components | 1 | 2 | 50% |" in out
    assert "| A07 Identification and Authentication Failures | 1 | 2 | 50% |" in out
    assert "## Unproven requirements (3)" in out
    assert "- V6.3.1 (L1, A07): " in out
    assert "**FAILING:** tests/auth/test_login.py::test_lockout_per_ip" in out
    assert "- V8.3.1 (L1, A01): " in out
    assert "- V15.1.2 (L2, A06): " in out
    assert "- V99.1.1: tests/tools/test_audit.py::test_vulnerable_pin" in out
    assert "WARNING: V99.1.1 is not in the selection" in err


def test_fail_under_and_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out_file = tmp_path / "asvs.json"
    assert report(capsys, "--results", str(RESULTS), "--fail-under", "40")[0] == 0
    code, _, err = report(
        capsys, "--results", str(RESULTS), "--fail-under", "40.1", "--json", str(out_file)
    )
    assert code == 1
    assert "coverage 40.0% is below 40.1%" in err
    data = json.loads(out_file.read_text())
    assert (data["selected"], data["proven"], data["percent"]) == (5, 2, 40.0)
    assert data["unproven"] == ["V6.3.1", "V8.3.1", "V15.1.2"]
    assert data["failing"] == {"V6.3.1": ["tests/auth/test_login.py::test_lockout_per_ip"]}
    assert data["unknown_ids"] == {"V99.1.1": ["tests/tools/test_audit.py::test_vulnerable_pin"]}
    assert {"chapter": "V8 Authorization", "proven": 0, "selected": 1} in data["chapters"]
    assert {"category": "A06 Vulnerable and Outdated Components", "proven": 1, "selected": 2} in (
        data["owasp_top10_2021"]
    )


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
    assert code == 0
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
