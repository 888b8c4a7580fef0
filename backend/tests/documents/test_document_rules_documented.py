"""The permitted upload types, size and pixel limits are written down, and agree with the code."""

from __future__ import annotations

from pathlib import Path

import pytest

from helio.documents.content import MAX_BYTES, MAX_PIXELS

DOC = Path(__file__).resolve().parents[3] / "docs" / "documents.md"


@pytest.mark.asvs("V5.1.1")
def test_the_documented_upload_rules_match_the_enforced_ones() -> None:
    text = DOC.read_text(encoding="utf-8")
    assert MAX_BYTES == 10 * 1024 * 1024
    assert "10 MB" in text
    assert MAX_PIXELS == 25_000_000
    assert "25 MP" in text
    for kind in ("JPEG", "PNG", "PDF", "HEIC"):
        assert kind in text, kind
