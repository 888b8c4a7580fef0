"""Render docs/permissions.md from the matrix (a test fails when the file is stale)."""

from __future__ import annotations

from helio.authz.matrix import MATRIX, PUBLIC_ROUTES, ROLE_ORDER, STEP_UP, Perm, Reach

HEADER = """# Permissions

Generated from `backend/src/helio/authz/matrix.py` by `helio authz docs`; do not edit.
A test fails when this file and the matrix disagree.

Reach: **ALL** every object · **OWN** the caller's own objects · **ASSIGNED** objects
assigned to the caller (a salesperson's leads) · **GRANTED** only under an approved,
unexpired just-in-time grant for that customer · — denied. Anything not listed is denied.
Staff accounts must have completed MFA for every permission except `session:self`
(which lets them enrol).
"""


def render() -> str:
    """Return the Markdown document."""
    lines = [HEADER, "## Matrix", ""]
    lines.append("| permission | " + " | ".join(r.value for r in ROLE_ORDER) + " | step-up |")
    lines.append("|---|" + "---|" * len(ROLE_ORDER) + "---|")
    for perm in Perm:
        cells = [_cell(reach) for reach in MATRIX.get(perm, (Reach.NONE,) * len(ROLE_ORDER))]
        step_up = "yes" if perm in STEP_UP else ""
        lines.append(f"| `{perm.value}` | " + " | ".join(cells) + f" | {step_up} |")
    lines += ["", "## Public routes (no session)", ""]
    lines += [f"- `{method} {path}`" for method, path in sorted(PUBLIC_ROUTES, key=lambda r: r[1])]
    return "\n".join(lines) + "\n"


def _cell(reach: Reach) -> str:
    return "—" if reach == Reach.NONE else reach.name
