"""Fail when a checkov skip under the given directory does not state its reason in place.

Terraform and Containerfiles: `# checkov:skip=CKV_ID:reason`; Kubernetes annotations:
`checkov.io/skipN: CKV_ID=reason`. A reason is at least a sentence (30 characters).
"""

import re
import sys
from pathlib import Path

MIN_REASON = 30
INLINE = re.compile(r"checkov:skip=(?P<id>CKV2?_[A-Z0-9_]+)(?::(?P<reason>.*))?")
ANNOTATION = re.compile(r"checkov\.io/skip\d+:\s*(?P<value>>-|\S.*)")


def annotation_value(lines: list[str], index: int, first: str) -> str:
    """The annotation's value, following a folded (>-) block onto the next lines."""
    if first != ">-":
        return first
    indent = len(lines[index]) - len(lines[index].lstrip())
    folded = []
    for line in lines[index + 1 :]:
        if line.strip() and len(line) - len(line.lstrip()) <= indent:
            break
        folded.append(line.strip())
    return " ".join(folded)


def problems(root: Path) -> list[str]:
    """Every skip without a reason, as file:line: text."""
    found = []
    for path in sorted(root.rglob("*")):
        if ".venv" in path.parts or not path.is_file():
            continue
        if path.suffix not in {".tf", ".yaml", ".yml"} and path.name != "Containerfile":
            continue
        lines = path.read_text(encoding="utf-8").splitlines()
        for number, line in enumerate(lines):
            if match := INLINE.search(line):
                reason = (match["reason"] or "").strip()
            elif match := ANNOTATION.search(line):
                value = annotation_value(lines, number, match["value"].strip())
                reason = value.partition("=")[2].strip()
            else:
                continue
            if len(reason) < MIN_REASON:
                found.append(f"{path}:{number + 1}: skip without a reason: {line.strip()}")
    return found


if __name__ == "__main__":
    bad = problems(Path(sys.argv[1]))
    print("\n".join(bad) or "every checkov skip states its reason")
    sys.exit(1 if bad else 0)
