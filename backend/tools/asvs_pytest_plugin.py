"""Pytest plugin: record each test's ASVS ids and outcome for `python -m tools.asvs_report`.

Load it from backend/ with `python -m pytest -p tools.asvs_pytest_plugin`; it writes
var/asvs-results.json under the rootdir, or the path given with `--asvs-results PATH`.
Only a full run writes there: a run narrowed by paths, `-k`, `-m`, `--lf`, `--deselect`
or stopped early (`-x`, Ctrl-C) writes `<name>.partial.json` beside it, so that the
report keeps reading the last full run.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

RESULTS_OPTION = "--asvs-results"
DEFAULT_RESULTS = Path("var") / "asvs-results.json"
# Carried in user_properties so that reports from pytest-xdist workers keep the ids too.
_PROPERTY = "asvs"
_RANK = {"passed": 0, "skipped": 1, "failed": 2}


def pytest_addoption(parser: pytest.Parser) -> None:
    """Add the --asvs-results option."""
    parser.addoption(
        RESULTS_OPTION,
        default=None,
        metavar="PATH",
        help=f"where to write ASVS test results (default: <rootdir>/{DEFAULT_RESULTS})",
    )


def pytest_configure(config: pytest.Config) -> None:
    """Register the recorder, except on xdist workers (the controller writes the file)."""
    if hasattr(config, "workerinput") or config.option.collectonly:
        return
    option = config.getoption(RESULTS_OPTION)
    base = config.invocation_params.dir if option else config.rootpath
    path = base / (option or DEFAULT_RESULTS)
    config.pluginmanager.register(_Recorder(path, narrowed=_narrowed(config)), "asvs-recorder")


# `make test` is the full suite without the `fault` tests (`make fault-test` runs those: they
# start and kill private servers for minutes); that selection still counts as a full run.
FULL_SUITE_MARKEXPR = "not fault"


def _narrowed(config: pytest.Config) -> bool:
    """True when the command line selects only part of the suite."""
    option = config.option
    testpaths = {str(config.rootpath / p) for p in config.getini("testpaths")}
    explicit = {str((config.invocation_params.dir / a).resolve()) for a in config.args}
    return bool(
        (config.args and explicit - testpaths and explicit != {str(config.rootpath)})
        or getattr(option, "keyword", "")
        or getattr(option, "markexpr", "") not in ("", FULL_SUITE_MARKEXPR)
        or getattr(option, "lf", False)
        or getattr(option, "deselect", None)
    )


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Attach each test's ASVS ids (from @pytest.mark.asvs) to its reports."""
    for item in items:
        ids = sorted({str(arg) for marker in item.iter_markers("asvs") for arg in marker.args})
        if ids:
            item.user_properties.append((_PROPERTY, " ".join(ids)))


def _outcome(report: pytest.TestReport) -> str:
    # An expected failure, or an unexpected pass of one, proves nothing either way.
    if hasattr(report, "wasxfail"):
        return "skipped"
    return report.outcome


class _Recorder:
    """Collect one entry per test: its worst phase outcome and its ASVS ids."""

    def __init__(self, path: Path, *, narrowed: bool) -> None:
        self.path = path
        self.narrowed = narrowed
        self.tests: dict[str, dict[str, Any]] = {}

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        """Fold a setup/call/teardown report into the test's entry."""
        ids = next((str(v).split() for k, v in report.user_properties if k == _PROPERTY), [])
        entry = self.tests.setdefault(
            report.nodeid, {"nodeid": report.nodeid, "outcome": "passed", "asvs": ids}
        )
        outcome = _outcome(report)
        if _RANK[outcome] > _RANK[entry["outcome"]]:
            entry["outcome"] = outcome

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        """Write the results file atomically."""
        data = {
            "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "exitstatus": int(session.exitstatus),
            "tests": list(self.tests.values()),
        }
        stopped = bool(session.shouldstop) or session.exitstatus == pytest.ExitCode.INTERRUPTED
        target = self.path
        if self.narrowed or stopped:
            target = self.path.with_name(self.path.stem + ".partial.json")
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = target.with_suffix(".tmp")
        staging.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
        os.replace(staging, target)
