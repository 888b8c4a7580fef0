"""Account for every selected ASVS requirement: proven by a passing test, or N/A / manual.

Reads docs/security/asvs-selection.csv (its `status` and `reason` columns) and the results of the
last full test runs: var/asvs-results.json written by the pytest plugin tools.asvs_pytest_plugin,
and var/asvs-e2e-results.json written by the Playwright reporter web/e2e/asvs-reporter.ts.
Run from backend/: `python -m tools.asvs_report`.

A requirement is proven when at least one test marked with its id passed and none failed. Every
other requirement must be `not_applicable` or `manual` in the CSV with a written reason; a row
claiming `proven` needs a passing test.
Exit codes: 0 every requirement accounted for, 1 some unaccounted (or below --fail-under),
2 missing or unreadable input.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

BACKEND_DIR = Path(__file__).resolve().parents[1]
DEFAULT_SELECTION = BACKEND_DIR.parent / "docs" / "security" / "asvs-selection.csv"
DEFAULT_RESULTS = BACKEND_DIR / "var" / "asvs-results.json"
DEFAULT_E2E_RESULTS = BACKEND_DIR / "var" / "asvs-e2e-results.json"
STATUSES = ("proven", "not_applicable", "manual")
TOP10_2021 = {
    "A01": "Broken Access Control",
    "A02": "Cryptographic Failures",
    "A03": "Injection",
    "A04": "Insecure Design",
    "A05": "Security Misconfiguration",
    "A06": "Vulnerable and Outdated Components",
    "A07": "Identification and Authentication Failures",
    "A08": "Software and Data Integrity Failures",
    "A09": "Security Logging and Monitoring Failures",
    "A10": "Server-Side Request Forgery",
}
_COLUMNS = ("id", "level", "chapter", "requirement", "owasp_top10_2021", "how_to_verify")


class ReportError(Exception):
    """An input file is missing or not in the expected shape."""


@dataclass(frozen=True)
class Requirement:
    """One selected ASVS requirement."""

    id: str
    level: str
    chapter: str
    text: str
    owasp: str
    how_to_verify: str
    status: str = ""
    reason: str = ""


@dataclass(frozen=True)
class Coverage:
    """Which selected requirements passing tests prove, and what else the markers said."""

    requirements: tuple[Requirement, ...]
    passing: Mapping[str, tuple[str, ...]]
    failing: Mapping[str, tuple[str, ...]]
    unknown: Mapping[str, tuple[str, ...]]
    generated_at: str | None
    outcomes: Mapping[str, int]
    e2e_generated_at: str | None = None

    def proven(self, requirement_id: str) -> bool:
        """Tell whether a passing test, and no failing one, carries this id."""
        return requirement_id in self.passing and requirement_id not in self.failing

    def verdict(self, requirement: Requirement) -> str:
        """Return how the requirement is accounted for.

        `proven`, `not_applicable` or `manual` when accounted for; otherwise `failing` (a test
        carrying the id failed), `claimed` (the CSV says proven, no passing test carries the id),
        `no_reason` (not applicable or manual without a reason) or `unaccounted`.
        """
        if self.proven(requirement.id):
            return "proven"
        if requirement.id in self.failing:
            return "failing"
        if requirement.status == "proven":
            return "claimed"
        if requirement.status in ("not_applicable", "manual"):
            return requirement.status if requirement.reason.strip() else "no_reason"
        return "unaccounted"

    def accounted(self, requirement: Requirement) -> bool:
        """Tell whether the requirement is proven, or not applicable / manual with a reason."""
        return self.verdict(requirement) in STATUSES

    def mismatches(self) -> list[Requirement]:
        """Requirements a passing test proves although the CSV does not say `proven`."""
        return [r for r in self.requirements if self.proven(r.id) and r.status != "proven"]


def load_selection(path: Path) -> list[Requirement]:
    """Read the selection CSV.

    Raises:
        ReportError: the file is missing, lacks a column, or repeats an id.
    """
    try:
        with path.open(newline="", encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
    except OSError as exc:
        raise ReportError(f"cannot read selection {path}: {exc}") from exc
    if not rows or any(column not in rows[0] for column in _COLUMNS):
        raise ReportError(f"{path}: expected columns {', '.join(_COLUMNS)}")
    requirements = [
        Requirement(
            r["id"],
            r["level"],
            r["chapter"],
            r["requirement"],
            r["owasp_top10_2021"],
            r["how_to_verify"],
            (r.get("status") or "").strip(),
            (r.get("reason") or "").strip(),
        )
        for r in rows
    ]
    if len({r.id for r in requirements}) != len(requirements):
        raise ReportError(f"{path}: duplicate requirement ids")
    bad = [r.id for r in requirements if r.status and r.status not in STATUSES]
    if bad:
        raise ReportError(f"{path}: status must be one of {', '.join(STATUSES)} ({', '.join(bad)})")
    return requirements


def load_results(path: Path) -> dict[str, Any]:
    """Read the plugin's results file.

    Raises:
        ReportError: the file is missing or not `{"tests": [{nodeid, outcome, asvs}]}`.
    """
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ReportError(
            f"cannot read test results {path}: {exc}; run the tests with "
            "`python -m pytest -p tools.asvs_pytest_plugin` first"
        ) from exc
    tests = data.get("tests") if isinstance(data, dict) else None
    valid = isinstance(tests, list) and all(
        isinstance(t, dict) and {"nodeid", "outcome", "asvs"} <= t.keys() for t in tests
    )
    if not valid:
        raise ReportError(f"{path}: expected {{'tests': [{{nodeid, outcome, asvs}}]}}")
    return dict(data)


def compute(
    requirements: Sequence[Requirement],
    results: Mapping[str, Any],
    e2e_results: Mapping[str, Any] | None = None,
) -> Coverage:
    """Match the tests' ASVS ids and outcomes (backend and browser runs) against the selection."""
    selected = {r.id for r in requirements}
    passing: dict[str, list[str]] = {}
    failing: dict[str, list[str]] = {}
    unknown: dict[str, list[str]] = {}
    outcomes: dict[str, int] = {}
    tests = list(results["tests"])
    tests += [{**t, "nodeid": f"e2e:{t['nodeid']}"} for t in (e2e_results or {}).get("tests", [])]
    for test in tests:
        outcome = str(test["outcome"])
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
        for requirement_id in test["asvs"]:
            if requirement_id not in selected:
                unknown.setdefault(requirement_id, []).append(test["nodeid"])
            elif outcome == "passed":
                passing.setdefault(requirement_id, []).append(test["nodeid"])
            elif outcome == "failed":
                failing.setdefault(requirement_id, []).append(test["nodeid"])
    return Coverage(
        requirements=tuple(requirements),
        passing={k: tuple(v) for k, v in passing.items()},
        failing={k: tuple(v) for k, v in failing.items()},
        unknown={k: tuple(v) for k, v in sorted(unknown.items())},
        generated_at=results.get("generated_at"),
        outcomes=outcomes,
        e2e_generated_at=(e2e_results or {}).get("generated_at"),
    )


def group(coverage: Coverage, key: Callable[[Requirement], str]) -> list[tuple[str, int, int]]:
    """Return (group, proven, selected) rows in first-seen order of the selection."""
    rows: dict[str, list[int]] = {}
    for requirement in coverage.requirements:
        counts = rows.setdefault(key(requirement), [0, 0])
        counts[0] += coverage.proven(requirement.id)
        counts[1] += 1
    return [(label, proven, total) for label, (proven, total) in rows.items()]


def _owasp_label(requirement: Requirement) -> str:
    return f"{requirement.owasp} {TOP10_2021.get(requirement.owasp, 'Unknown category')}"


def percent(coverage: Coverage) -> float:
    """Return the share of selected requirements proven, in percent."""
    total = len(coverage.requirements)
    proven = sum(coverage.proven(r.id) for r in coverage.requirements)
    return 100.0 * proven / total if total else 0.0


def _table(title: str, rows: Sequence[tuple[str, int, int]]) -> list[str]:
    lines = ["", f"## {title}", "", "| | Proven | Selected | % |", "|---|---:|---:|---:|"]
    for label, proven, total in rows:
        lines.append(f"| {label} | {proven} | {total} | {100 * proven / total:.0f}% |")
    return lines


def render_markdown(coverage: Coverage, results_path: Path) -> str:
    """Return the coverage report as Markdown."""
    reqs = coverage.requirements
    proven = [r for r in reqs if coverage.proven(r.id)]
    outcomes = ", ".join(f"{n} {o}" for o, n in sorted(coverage.outcomes.items())) or "no tests"
    by_level = ", ".join(
        f"L{level} {sum(r.level == level for r in proven)}/{sum(r.level == level for r in reqs)}"
        for level in sorted({r.level for r in reqs})
    )
    verdicts = {r.id: coverage.verdict(r) for r in reqs}
    counts = {v: sum(x == v for x in verdicts.values()) for v in STATUSES}
    open_ = [r for r in reqs if not coverage.accounted(r)]
    e2e = coverage.e2e_generated_at or "no browser results"
    lines = [
        "# ASVS 5.0.0 requirements accounted for",
        "",
        f"Results: `{results_path}` (generated {coverage.generated_at or 'unknown'}; {outcomes}); "
        f"browser tests: {e2e}.",
        "",
        f"**Proven: {len(proven)} of {len(reqs)} selected requirements "
        f"({percent(coverage):.1f}%)**; by level: {by_level}.",
        "",
        f"**Accounted for: {len(reqs) - len(open_)} of {len(reqs)}** — proven {counts['proven']}, "
        f"not applicable {counts['not_applicable']}, manual {counts['manual']}; "
        f"**unaccounted: {len(open_)}**.",
    ]
    lines += _table("Per ASVS chapter", group(coverage, lambda r: r.chapter))
    lines += _accounting_table(coverage)
    lines += _table("Per OWASP Top 10 2021 category", sorted(group(coverage, _owasp_label)))
    lines += ["", f"## Unaccounted requirements ({len(open_)})", ""]
    for r in open_:
        lines.append(f"- {r.id} (L{r.level}, {r.owasp}): {_PROBLEM[verdicts[r.id]](coverage, r)}")
    for status, title in (("not_applicable", "Not applicable"), ("manual", "Manual")):
        rows = [r for r in reqs if verdicts[r.id] == status]
        lines += ["", f"## {title} ({len(rows)})", ""]
        lines += [f"- {r.id} (L{r.level}): {r.reason}" for r in rows]
    mismatched = coverage.mismatches()
    if mismatched:
        lines += ["", "## Warnings: proven by a test, but the CSV does not say `proven`", ""]
        lines += [f"- {r.id} (CSV: {r.status or 'blank'})" for r in mismatched]
    if coverage.unknown:
        lines += ["", "## Warnings: marker ids not in the selection", ""]
        lines += [f"- {i}: {', '.join(nodes)}" for i, nodes in coverage.unknown.items()]
    return "\n".join(lines)


_PROBLEM: dict[str, Callable[[Coverage, Requirement], str]] = {
    "failing": lambda c, r: f"**FAILING:** {', '.join(c.failing[r.id])}",
    "claimed": lambda c, r: "the CSV says proven, but no passing test carries the id",
    "no_reason": lambda c, r: f"{r.status} without a reason in the CSV",
    "unaccounted": lambda c, r: f"no passing test and no status: {_shorten(r.text)}",
}


def _accounting_table(coverage: Coverage) -> list[str]:
    lines = [
        "",
        "## Accounting per ASVS chapter",
        "",
        "| | Proven | Not applicable | Manual | Unaccounted | Selected |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for chapter, counts in _accounting(coverage).items():
        cells = " | ".join(str(counts[k]) for k in (*STATUSES, "unaccounted", "selected"))
        lines.append(f"| {chapter} | {cells} |")
    return lines


def _accounting(coverage: Coverage) -> dict[str, dict[str, int]]:
    rows: dict[str, dict[str, int]] = {}
    for r in coverage.requirements:
        empty = dict.fromkeys((*STATUSES, "unaccounted", "selected"), 0)
        counts = rows.setdefault(r.chapter, empty)
        verdict = coverage.verdict(r)
        counts[verdict if verdict in STATUSES else "unaccounted"] += 1
        counts["selected"] += 1
    return rows


def _shorten(text: str, limit: int = 110) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def to_json(coverage: Coverage) -> dict[str, Any]:
    """Return the machine-readable coverage report."""
    return {
        "generated_at": coverage.generated_at,
        "selected": len(coverage.requirements),
        "proven": sum(coverage.proven(r.id) for r in coverage.requirements),
        "percent": round(percent(coverage), 1),
        "chapters": [
            {"chapter": c, "proven": p, "selected": n}
            for c, p, n in group(coverage, lambda r: r.chapter)
        ],
        "owasp_top10_2021": [
            {"category": c, "proven": p, "selected": n}
            for c, p, n in sorted(group(coverage, _owasp_label))
        ],
        "unproven": [r.id for r in coverage.requirements if not coverage.proven(r.id)],
        "accounting": [{"chapter": c, **counts} for c, counts in _accounting(coverage).items()],
        "requirements": {r.id: coverage.verdict(r) for r in coverage.requirements},
        "unaccounted": [r.id for r in coverage.requirements if not coverage.accounted(r)],
        "csv_mismatches": [r.id for r in coverage.mismatches()],
        "e2e_generated_at": coverage.e2e_generated_at,
        "failing": {k: list(v) for k, v in coverage.failing.items()},
        "unknown_ids": {k: list(v) for k, v in coverage.unknown.items()},
    }


def main(argv: Sequence[str] | None = None) -> int:
    """Print the coverage report and return the exit code."""
    parser = argparse.ArgumentParser(prog="asvs_report", description=__doc__.splitlines()[0])
    parser.add_argument("--selection", type=Path, default=DEFAULT_SELECTION)
    parser.add_argument("--results", type=Path, default=DEFAULT_RESULTS)
    parser.add_argument(
        "--e2e-results",
        type=Path,
        default=DEFAULT_E2E_RESULTS,
        help="the browser tests' results (optional: without them no browser test proves anything)",
    )
    parser.add_argument("--json", type=Path, metavar="OUT", help="also write a JSON report")
    parser.add_argument(
        "--fail-under", type=float, metavar="PERCENT", help="exit 1 below this coverage"
    )
    args = parser.parse_args(argv)
    try:
        e2e = load_results(args.e2e_results) if args.e2e_results.exists() else None
        coverage = compute(load_selection(args.selection), load_results(args.results), e2e)
    except ReportError as exc:
        print(f"asvs_report: ERROR: {exc}", file=sys.stderr)
        return 2
    print(render_markdown(coverage, args.results))
    for requirement_id, nodes in coverage.unknown.items():
        print(
            f"asvs_report: WARNING: {requirement_id} is not in the selection ({nodes[0]})",
            file=sys.stderr,
        )
    if e2e is None:
        print(
            f"asvs_report: WARNING: no browser test results at {args.e2e_results}; "
            "run `make web-e2e` for the requirements the browser tests prove",
            file=sys.stderr,
        )
    if args.json:
        args.json.write_text(json.dumps(to_json(coverage), indent=2) + "\n", encoding="utf-8")
    open_ = [r.id for r in coverage.requirements if not coverage.accounted(r)]
    if open_:
        print(
            f"asvs_report: {len(open_)} requirement(s) neither proven by a passing test nor "
            f"not applicable / manual with a reason: {', '.join(open_)}",
            file=sys.stderr,
        )
        return 1
    if args.fail_under is not None and percent(coverage) < args.fail_under:
        print(
            f"asvs_report: coverage {percent(coverage):.1f}% is below {args.fail_under}%",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
