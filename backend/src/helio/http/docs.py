"""The OpenAPI docs page, with its assets served from this process (no CDN, no inline script)."""

from __future__ import annotations

from pathlib import Path

import swagger_ui_bundle
from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"

DOCS_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Helio API</title>
<link rel="stylesheet" href="/api/docs/assets/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="/api/docs/assets/swagger-ui-bundle.js"></script>
<script src="/api/docs/init/docs-init.js"></script>
</body></html>"""


def mount_docs(app: FastAPI) -> None:
    """Serve /api/docs and its assets locally."""
    app.mount(
        "/api/docs/assets",
        StaticFiles(directory=swagger_ui_bundle.swagger_ui_path),
        name="docs-assets",
    )
    app.mount("/api/docs/init", StaticFiles(directory=STATIC_DIR), name="docs-init")

    async def docs_page() -> HTMLResponse:
        return HTMLResponse(DOCS_PAGE)

    app.add_api_route("/api/docs", docs_page, include_in_schema=False, methods=["GET"])
