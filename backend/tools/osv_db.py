"""Load an OSV advisory directory (YAML or JSON records) and match PyPI versions against it.

Written here because no maintained library matches OSV records offline: pip-audit and osv-scanner
only query a live service. The matching follows the OSV schema's range evaluation.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml  # type: ignore[import-untyped]
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

# libyaml's CSafeLoader builds the same plain types as yaml.safe_load, about 8x faster.
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_RANGE_TYPES = frozenset({"ECOSYSTEM", "SEMVER"})
_RECORD_SUFFIXES = frozenset({".yaml", ".yml", ".json"})


class OSVDataError(Exception):
    """The advisory directory is missing, empty, or holds an unreadable record."""


@dataclass(frozen=True)
class Advisory:
    """One OSV record, reduced to what matching and reporting need."""

    id: str
    aliases: tuple[str, ...]
    summary: str
    # per affected package: ranges as sorted (event, version) lists, explicit versions, fixes
    ranges: Mapping[str, tuple[tuple[tuple[str, Version | None], ...], ...]]
    versions: Mapping[str, frozenset[Version | str]]
    fixed: Mapping[str, tuple[str, ...]]

    def names(self) -> frozenset[str]:
        """Return the id and aliases, upper-cased for case-insensitive comparison."""
        return frozenset(n.upper() for n in (self.id, *self.aliases))

    def affects(self, package: str, version: Version) -> bool:
        """Tell whether `version` of the canonical `package` is affected."""
        if version in self.versions.get(package, frozenset()):
            return True
        return any(_in_range(version, events) for events in self.ranges.get(package, ()))


@dataclass(frozen=True)
class AdvisoryDatabase:
    """The advisories on disk, indexed by canonical package name."""

    path: Path
    by_package: Mapping[str, tuple[Advisory, ...]]
    records: int
    withdrawn: int
    newest_modified: datetime | None


def load_advisories(path: Path) -> AdvisoryDatabase:
    """Load every OSV record (YAML or JSON) under `path`, skipping withdrawn ones.

    Raises:
        OSVDataError: the directory is missing, holds no records, or a record is unreadable.
    """
    if not path.is_dir():
        raise OSVDataError(f"advisory directory not found: {path}")
    by_package: dict[str, list[Advisory]] = {}
    records = withdrawn = 0
    newest: datetime | None = None
    for file in _record_files(path):
        record = _read_record(file)
        records += 1
        modified = _timestamp(record.get("modified"))
        if modified is not None and (newest is None or modified > newest):
            newest = modified
        if record.get("withdrawn"):
            withdrawn += 1
            continue
        advisory = _advisory(record)
        for package in advisory.ranges.keys() | advisory.versions.keys():
            by_package.setdefault(package, []).append(advisory)
    if records == 0:
        raise OSVDataError(f"no OSV records (*.yaml, *.json) under {path}")
    frozen = {name: tuple(advisories) for name, advisories in by_package.items()}
    return AdvisoryDatabase(path, frozen, records, withdrawn, newest)


def _record_files(root: Path) -> list[Path]:
    # Hidden entries (.git, .github workflows) of a repository checkout are not records.
    return sorted(
        p
        for p in root.rglob("*")
        if p.suffix in _RECORD_SUFFIXES
        and not any(part.startswith(".") for part in p.relative_to(root).parts)
    )


def _read_record(file: Path) -> dict[str, Any]:
    try:
        text = file.read_text(encoding="utf-8")
        data = json.loads(text) if file.suffix == ".json" else yaml.load(text, _SAFE_LOADER)  # noqa: S506
    except (OSError, UnicodeDecodeError, ValueError, yaml.YAMLError) as exc:
        raise OSVDataError(f"unreadable advisory {file}: {exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("id"), str):
        raise OSVDataError(f"not an OSV record (no id): {file}")
    return data


def _timestamp(value: object) -> datetime | None:
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return None
    else:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _advisory(record: dict[str, Any]) -> Advisory:
    ranges: dict[str, list[tuple[tuple[str, Version | None], ...]]] = {}
    versions: dict[str, set[Version | str]] = {}
    fixed: dict[str, list[str]] = {}
    for affected in record.get("affected") or ():
        package = affected.get("package") or {}
        if package.get("ecosystem") != "PyPI" or not package.get("name"):
            continue
        name = canonicalize_name(package["name"])
        versions.setdefault(name, set()).update(
            _version(str(v)) for v in affected.get("versions") or ()
        )
        for rng in affected.get("ranges") or ():
            if rng.get("type") not in _RANGE_TYPES:
                continue  # GIT ranges name commits, not releases
            events = _events(rng.get("events") or ())
            if events is not None:
                ranges.setdefault(name, []).append(events)
            fixed.setdefault(name, []).extend(
                str(e["fixed"]) for e in rng.get("events") or () if "fixed" in e
            )
    return Advisory(
        id=record["id"],
        aliases=tuple(str(a) for a in record.get("aliases") or ()),
        summary=str(record.get("summary") or record.get("details") or "").strip(),
        ranges={name: tuple(r) for name, r in ranges.items()},
        versions={name: frozenset(v) for name, v in versions.items()},
        fixed={name: tuple(dict.fromkeys(f)) for name, f in fixed.items()},
    )


def _version(raw: str) -> Version | str:
    try:
        return Version(raw)
    except InvalidVersion:
        return raw


def _events(raw_events: Any) -> tuple[tuple[str, Version | None], ...] | None:
    """Return a range's events sorted by version, `None` for "0"; None if one is unparsable."""
    events: list[tuple[str, Version | None]] = []
    for event in raw_events:
        for kind in ("introduced", "fixed", "last_affected"):
            if kind in event:
                raw = str(event[kind])
                if raw == "0":
                    events.append((kind, None))
                    continue
                parsed = _version(raw)
                if isinstance(parsed, str):
                    return None
                events.append((kind, parsed))
    return tuple(sorted(events, key=lambda e: (e[1] is not None, e[1] or Version("0"))))


def _in_range(version: Version, events: tuple[tuple[str, Version | None], ...]) -> bool:
    # The OSV schema's evaluation: walk the sorted events, toggling on introduced,
    # off at fixed, and off past last_affected.
    affected = False
    for kind, bound in events:
        reached = bound is None or (
            version > bound if kind == "last_affected" else version >= bound
        )
        if reached:
            affected = kind == "introduced"
    return affected
