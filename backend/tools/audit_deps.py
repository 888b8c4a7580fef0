"""Audit locked dependencies against OSV advisories on disk; fail on any known vulnerability.

pip-audit prints "No known vulnerabilities found" when its service cannot be reached, which on
an offline build machine is a false pass. This audit reads a local copy of an OSV database and
refuses to pass when that copy is missing or empty. Run from backend/: `python -m tools.audit_deps`.

Exit codes: 0 clean, 1 vulnerable pins (or a failed live audit), 2 unusable input.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from packaging.utils import canonicalize_name
from packaging.version import Version
from pip_requirements_parser import RequirementsFile  # type: ignore[import-untyped]

from tools.live_audit import LIVE_SERVICES, LiveResult, run_live_audit
from tools.osv_db import AdvisoryDatabase, OSVDataError, load_advisories

BACKEND_DIR = Path(__file__).resolve().parents[1]
DEFAULT_LOCKS = (BACKEND_DIR / "requirements.lock", BACKEND_DIR / "requirements-dev.lock")
DEFAULT_ALLOWLIST = BACKEND_DIR / "audit-allowlist.txt"
OSV_DIR_ENV = "HELIO_OSV_DIR"
# The remediation windows of docs/dependencies.md: an accepted risk may not outlive them.
REMEDIATION_DAYS = {"critical": 7, "high": 30, "medium": 90, "low": 180}
STALE_AFTER_DAYS = 30
_UNSUPPORTED_OPTIONS = frozenset({"requirements", "constraints", "editables"})


class AuditError(Exception):
    """Input the audit cannot trust: an unreadable lock or allowlist, or no data given."""


@dataclass(frozen=True)
class Pin:
    """One exact `name==version` pin and the lock lines it came from."""

    name: str
    version: str
    sources: tuple[str, ...]


@dataclass(frozen=True)
class AllowEntry:
    """An accepted risk: an advisory id allowed until its expiry date (None: no expiry)."""

    id: str
    expires: date | None
    severity: str
    justification: str


@dataclass(frozen=True)
class Finding:
    """A pinned version matched by an advisory."""

    package: str
    version: str
    id: str
    aliases: tuple[str, ...]
    fixed: tuple[str, ...]
    summary: str
    sources: tuple[str, ...]


def read_lock(path: Path) -> list[Pin]:
    """Return the pins of one pip-compile lock file.

    Raises:
        AuditError: the file is missing, has an invalid line, a nested/editable requirement or
            a requirement that is not pinned to one exact version.
    """
    if not path.is_file():
        raise AuditError(f"lock file not found: {path}")
    parsed = RequirementsFile.from_file(str(path), include_nested=False)
    problems = [f"{path}:{bad.line_number}: {bad.error_message}" for bad in parsed.invalid_lines]
    problems += [
        f"{path}:{opt.requirement_line.line_number}: nested or editable requirements "
        "are not audited; pass that file itself"
        for opt in parsed.options
        if _UNSUPPORTED_OPTIONS & opt.options.keys()
    ]
    pins = []
    for req in parsed.requirements:
        where = f"{path.name}:{req.line_number}"
        if not req.is_pinned or req.is_editable or req.link is not None:
            problems.append(f"{where}: not pinned to one exact version: {req.line}")
            continue
        pins.append(Pin(canonicalize_name(req.name), req.get_pinned_version, (where,)))
    if problems:
        raise AuditError("unusable lock file:\n  " + "\n  ".join(problems))
    return pins


def merge_pins(pin_lists: Iterable[Sequence[Pin]]) -> list[Pin]:
    """Merge pins of several lock files: one per distinct (name, version), sources joined."""
    merged: dict[tuple[str, str], list[str]] = {}
    for pins in pin_lists:
        for pin in pins:
            merged.setdefault((pin.name, pin.version), []).extend(pin.sources)
    return [Pin(name, version, tuple(src)) for (name, version), src in sorted(merged.items())]


def find_vulnerabilities(pins: Sequence[Pin], db: AdvisoryDatabase) -> list[Finding]:
    """Return every (pin, advisory) match, one per advisory even when aliased twice."""
    findings = []
    for pin in pins:
        version = Version(pin.version)
        seen: set[str] = set()
        for advisory in db.by_package.get(pin.name, ()):
            if advisory.names() & seen or not advisory.affects(pin.name, version):
                continue
            seen |= advisory.names()
            findings.append(
                Finding(
                    package=pin.name,
                    version=pin.version,
                    id=advisory.id,
                    aliases=advisory.aliases,
                    fixed=advisory.fixed.get(pin.name, ()),
                    summary=advisory.summary.splitlines()[0][:160] if advisory.summary else "",
                    sources=pin.sources,
                )
            )
    return findings


def read_allowlist(path: Path, today: date) -> list[AllowEntry]:
    """Parse an allowlist: `ID EXPIRY(YYYY-MM-DD) SEVERITY justification` per line.

    Raises:
        AuditError: a line is malformed, has an unknown severity, no justification, or an
            expiry further away than that severity's remediation window.
    """
    entries = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        text = line.strip()
        if not text or text.startswith("#"):
            continue
        parts = text.split(maxsplit=3)
        where = f"{path}:{number}"
        if len(parts) < 4:
            raise AuditError(f"{where}: expected 'ID EXPIRY SEVERITY justification'")
        advisory_id, expiry, severity, justification = parts
        try:
            expires = date.fromisoformat(expiry)
        except ValueError as exc:
            raise AuditError(f"{where}: expiry {expiry!r} is not YYYY-MM-DD") from exc
        window = REMEDIATION_DAYS.get(severity.lower())
        if window is None:
            raise AuditError(f"{where}: severity must be one of {', '.join(REMEDIATION_DAYS)}")
        if (expires - today).days > window:
            raise AuditError(
                f"{where}: {advisory_id} expires {expires}, beyond the {window}-day "
                f"remediation window for {severity.lower()} severity"
            )
        entries.append(AllowEntry(advisory_id, expires, severity.lower(), justification))
    return entries


def split_allowed(
    findings: Sequence[Finding], entries: Sequence[AllowEntry], today: date
) -> tuple[list[Finding], list[Finding], list[AllowEntry]]:
    """Split findings into (failing, allowed) and return the expired entries too."""
    active = {e.id.upper() for e in entries if e.expires is None or e.expires >= today}
    expired = [e for e in entries if e.expires is not None and e.expires < today]
    failing: list[Finding] = []
    allowed: list[Finding] = []
    for finding in findings:
        names = {n.upper() for n in (finding.id, *finding.aliases)}
        (allowed if names & active else failing).append(finding)
    return failing, allowed, expired


@dataclass(frozen=True)
class AuditReport:
    """Everything one offline audit found, ready to print or serialise."""

    database: AdvisoryDatabase
    locks: tuple[tuple[str, int], ...]
    pins: tuple[Pin, ...]
    failing: tuple[Finding, ...]
    allowed: tuple[Finding, ...]
    expired: tuple[AllowEntry, ...]


def run_audit(
    locks: Sequence[Path],
    osv_dir: Path,
    allow: Sequence[AllowEntry],
    today: date,
) -> AuditReport:
    """Audit the pins of `locks` against the records under `osv_dir`.

    Raises:
        AuditError: a lock file cannot be used.
        OSVDataError: the advisory directory is missing, empty or holds a broken record.
    """
    database = load_advisories(osv_dir)
    per_file = [(path, read_lock(path)) for path in locks]
    pins = merge_pins(pins for _, pins in per_file)
    failing, allowed, expired = split_allowed(find_vulnerabilities(pins, database), allow, today)
    return AuditReport(
        database=database,
        locks=tuple((str(path), len(pins)) for path, pins in per_file),
        pins=tuple(pins),
        failing=tuple(failing),
        allowed=tuple(allowed),
        expired=tuple(expired),
    )


def render(report: AuditReport, today: date) -> str:
    """Return the human-readable audit report."""
    db = report.database
    newest = db.newest_modified.date() if db.newest_modified else None
    lines = [
        "offline dependency audit against OSV records on disk",
        f"advisory data: {db.path}: {db.records} records ({db.withdrawn} withdrawn, ignored), "
        f"newest modified {newest or 'unknown'}"
        + (f" ({(today - newest).days} days old)" if newest else ""),
    ]
    if newest is None or (today - newest).days > STALE_AFTER_DAYS:
        lines.append(
            f"WARNING: advisory data older than {STALE_AFTER_DAYS} days: vulnerabilities "
            "published since are not covered; the live audit (--live) is the one that counts "
            "where a service is reachable"
        )
    lock_list = ", ".join(f"{Path(p).name} ({n} pins)" for p, n in report.locks)
    lines += [f"lock files: {lock_list}", f"packages checked: {len(report.pins)}"]
    for label, findings in (("VULNERABLE", report.failing), ("allowed", report.allowed)):
        lines += [_finding_line(label, f) for f in findings]
    lines += [
        f"allowlist entry {e.id} expired on {e.expires}: no longer accepted" for e in report.expired
    ]
    if report.failing:
        lines.append(
            f"result: FAIL: {len(report.failing)} known vulnerabilities in pinned versions"
        )
    else:
        lines.append(
            f"result: PASS: no pinned version matches these advisories (data as of {newest})"
        )
    return "\n".join(lines)


def _finding_line(label: str, finding: Finding) -> str:
    aliases = ", ".join(finding.aliases) or "none"
    fixed = ", ".join(finding.fixed) or "no fixed version"
    return (
        f"{label} {finding.package}=={finding.version} {finding.id} (aliases: {aliases}; "
        f"fixed in: {fixed}; from {', '.join(finding.sources)})\n    {finding.summary}"
    )


def to_json(report: AuditReport, live: LiveResult | None, exit_code: int) -> dict[str, Any]:
    """Return the machine-readable report."""
    db = report.database
    return {
        "database": {
            "path": str(db.path),
            "records": db.records,
            "withdrawn": db.withdrawn,
            "newest_modified": db.newest_modified.isoformat() if db.newest_modified else None,
        },
        "locks": [{"path": path, "pins": count} for path, count in report.locks],
        "packages_checked": len(report.pins),
        "findings": [asdict(f) for f in report.failing],
        "allowed": [asdict(f) for f in report.allowed],
        "expired_allowlist": [{"id": e.id, "expires": str(e.expires)} for e in report.expired],
        "live": asdict(live) if live else None,
        "exit_code": exit_code,
    }


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="audit_deps", description=__doc__.splitlines()[0])
    parser.add_argument(
        "locks", nargs="*", type=Path, help="lock files (default: both backend locks)"
    )
    parser.add_argument("--osv-dir", type=Path, help=f"OSV records directory (or ${OSV_DIR_ENV})")
    parser.add_argument(
        "--allow", action="append", default=[], metavar="ID", help="accept an advisory id or alias"
    )
    parser.add_argument(
        "--allowlist",
        type=Path,
        help=f"allowlist file (default: {DEFAULT_ALLOWLIST.name} if present)",
    )
    parser.add_argument("--json", type=Path, metavar="OUT", help="also write a JSON report")
    parser.add_argument(
        "--live", action="store_true", help="also run pip-audit --strict if a service answers"
    )
    parser.add_argument("--live-service", choices=sorted(LIVE_SERVICES), default="pypi")
    parser.add_argument(
        "--today", type=date.fromisoformat, help="date for allowlist expiry (default: today, UTC)"
    )
    return parser


def _allow_entries(args: argparse.Namespace, today: date) -> list[AllowEntry]:
    entries = [AllowEntry(i, None, "n/a", "--allow on the command line") for i in args.allow]
    allowlist = args.allowlist or (DEFAULT_ALLOWLIST if DEFAULT_ALLOWLIST.is_file() else None)
    if allowlist is not None:
        if not allowlist.is_file():
            raise AuditError(f"allowlist not found: {allowlist}")
        entries += read_allowlist(allowlist, today)
    return entries


def main(argv: Sequence[str] | None = None) -> int:
    """Run the audit from the command line and return its exit code."""
    args = _parser().parse_args(argv)
    today = args.today or datetime.now(UTC).date()
    locks = args.locks or list(DEFAULT_LOCKS)
    osv_dir = args.osv_dir or (
        Path(os.environ[OSV_DIR_ENV]) if os.environ.get(OSV_DIR_ENV) else None
    )
    try:
        if osv_dir is None:
            raise AuditError(f"no advisory data: pass --osv-dir PATH or set {OSV_DIR_ENV}")
        allow = _allow_entries(args, today)
        report = run_audit(locks, osv_dir, allow, today)
    except (AuditError, OSVDataError) as exc:
        print(
            f"audit_deps: ERROR: {exc}\naudit_deps: no audit was done: not a pass", file=sys.stderr
        )
        return 2
    print(render(report, today), flush=True)
    live = None
    if args.live:
        active = [e.id for e in allow if e.expires is None or e.expires >= today]
        live = run_live_audit(locks, LIVE_SERVICES[args.live_service], active)
    exit_code = 1 if report.failing or (live and live.status == "failed") else 0
    if args.json:
        args.json.write_text(json.dumps(to_json(report, live, exit_code), indent=2) + "\n")
    return exit_code


if __name__ == "__main__":
    sys.exit(main())
