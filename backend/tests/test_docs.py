"""The docs a newcomer reads stay true: every route is in docs/api.md and nothing else is,
and the authentication page names its routes and links the API page.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from helio.config import Settings
from helio.http.routes import api_routes
from helio.main import create_app

DOCS = Path(__file__).resolve().parents[2] / "docs"
DOCUMENTED_ROUTE = re.compile(r"`(GET|POST|PUT|PATCH|DELETE) (/[^`\s]*)`")


def documented(page: str) -> set[tuple[str, str]]:
    text = (DOCS / page).read_text(encoding="utf-8")
    return {(method, path) for method, path in DOCUMENTED_ROUTE.findall(text)}


@pytest.mark.asvs("V6.1.3", "V6.3.4")
def test_the_api_page_lists_every_route_and_only_those(tmp_path: Path) -> None:
    app = create_app(Settings(env="development", data_dir=tmp_path))
    served = {(route.method, route.path) for route in api_routes(app)}
    listed = documented("api.md")
    assert served - listed == set(), "routes missing from docs/api.md"
    assert listed - served == set(), "docs/api.md lists routes the API does not serve"


@pytest.mark.asvs("V6.1.3")
def test_the_authentication_page_names_its_routes_and_links_the_api_page() -> None:
    listed = documented("authentication.md")
    for route in ("/login", "/login/mfa", "/token", "/register", "/verify-email"):
        assert ("POST", f"/api/v1/auth{route}") in listed, route
    text = (DOCS / "authentication.md").read_text(encoding="utf-8")
    assert "(api.md)" in text
    assert "(getting-started.md)" in text
    assert "```sh" in text  # an example a reader can paste


def test_the_readme_leads_to_the_walkthrough_and_the_api_page() -> None:
    readme = (DOCS.parent / "README.md").read_text(encoding="utf-8")
    assert "docs/getting-started.md" in readme
    assert "docs/api.md" in readme
