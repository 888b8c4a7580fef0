"""Where the files the checks read live: this checkout's backend/, deploy/ and advisory data."""

from __future__ import annotations

import os
from pathlib import Path

BACKEND_DIR = Path(__file__).resolve().parents[4]
REPO_DIR = BACKEND_DIR.parent
OSV_DIR_ENV = "HELIO_OSV_DIR"


def default_osv_dir() -> Path | None:
    """The offline advisory data named by HELIO_OSV_DIR, if any."""
    value = os.environ.get(OSV_DIR_ENV)
    return Path(value) if value else None


def default_deploy_dir() -> Path | None:
    """deploy/ of the checkout this package runs from, when there is one."""
    path = REPO_DIR / "deploy"
    return path if path.is_dir() else None
