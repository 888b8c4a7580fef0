"""Scans of the web app's sources (web/src, web/public) for browser-side hazards.

The browser tests (web/e2e) attack the running pages; these scans make sure no code path
exists that they might not reach: raw HTML sinks, cross-window message listeners, plugin
content.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

WEB = Path(__file__).resolve().parents[3] / "web"
SOURCES = sorted(
    path
    for folder in ("src", "public")
    for path in (WEB / folder).rglob("*")
    if path.suffix in {".ts", ".tsx", ".js", ".jsx", ".mjs", ".html"}
)


def _hits(pattern: str) -> list[str]:
    regex = re.compile(pattern)
    return [
        f"{path.relative_to(WEB)}:{number}: {line.strip()}"
        for path in SOURCES
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if regex.search(line)
    ]


def test_the_scan_sees_the_web_sources() -> None:
    assert len(SOURCES) > 30
    assert _hits(r"export default async function SignInPage")


@pytest.mark.asvs("V3.2.2")
def test_no_raw_html_sinks() -> None:
    # Text goes through React's escaping only: no HTML string ever reaches the DOM as markup.
    assert _hits(r"dangerouslySetInnerHTML|\.innerHTML|\.outerHTML|insertAdjacentHTML") == []
    assert _hits(r"document\.write|\beval\(|new Function\(") == []


@pytest.mark.asvs("V3.5.5")
def test_no_cross_window_message_listener() -> None:
    # The only message channel is the page's own dedicated proof-of-work worker (same origin,
    # created by the page): no window, iframe or opener messages are listened to.
    listeners = _hits(r"addEventListener\(\s*[\"']message[\"']|onmessage\s*=|\bon:message\b")
    assert [hit.split(":")[0] for hit in listeners] == [
        "src/lib/pow-client.ts",
        "src/lib/pow.worker.ts",
    ]
    workers = _hits(r"new Worker\(")
    assert workers
    assert all("pow" in hit for hit in workers)
    assert _hits(r"window\.(opener|parent|top)\.postMessage|window\.addEventListener") == []


@pytest.mark.asvs("V3.7.1")
def test_no_plugin_content_and_a_supported_framework() -> None:
    assert _hits(r"<(object|embed|applet)\b|ActiveXObject|\.swf\b|\.xap\b|\.jar\b") == []
    assert not [p for p in (WEB / "public").rglob("*") if p.suffix in {".swf", ".jar", ".xap"}]
    package = (WEB / "package.json").read_text(encoding="utf-8")
    # The framework and the browser engine of the tests are current majors (see
    # docs/dependencies.md); the advisory audit covers their versions.
    assert re.search(r'"next":\s*"\^?1[5-9]\.', package)
    assert re.search(r'"react":\s*"\^?(19|[2-9]\d)\.', package)
