"""docs/security/seed-audit-map.md: every seed item maps to real checks or to a manual line."""

from __future__ import annotations

import re
from pathlib import Path

from helio.selfaudit.registry import all_checks

MAP = Path(__file__).resolve().parents[3] / "docs" / "security" / "seed-audit-map.md"
SEEDS = {"000", "001", "002", "003", "004"}
_CHECK = re.compile(r"`([a-z]+\.[a-z_]+)`")
_MANUAL = re.compile(r"manual: [^,|]+, [^|]*\w")


def rows() -> list[tuple[str, str, str]]:
    found = []
    for line in MAP.read_text(encoding="utf-8").splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) == 3 and cells[0] in SEEDS:
            found.append((cells[0], cells[1], cells[2]))
    return found


def test_every_named_check_exists() -> None:
    known = {c.id for c in all_checks()}
    unknown = {(seed, item, ref) for seed, item, cover in rows() for ref in _CHECK.findall(cover)
               if ref not in known}  # fmt: skip
    assert unknown == set()


def test_every_row_has_a_check_or_a_manual_line_with_who_and_how_often() -> None:
    bare = [
        (seed, item)
        for seed, item, cover in rows()
        if not _CHECK.search(cover) and not _MANUAL.search(cover)
    ]
    assert bare == []
    assert {seed for seed, _, _ in rows()} == SEEDS


def test_every_check_covers_some_seed_item() -> None:
    used = {ref for _, _, cover in rows() for ref in _CHECK.findall(cover)}
    assert {c.id for c in all_checks()} - used == set()
