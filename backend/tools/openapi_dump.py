"""Write the API's OpenAPI document, stable and sorted, for the generated TypeScript client.

Usage: python tools/openapi_dump.py [OUTPUT]   (stdout when OUTPUT is absent)
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path


def document() -> dict[str, object]:
    """Build the app with throwaway settings and return its OpenAPI document."""
    with tempfile.TemporaryDirectory() as data_dir:
        os.environ.setdefault("HELIO_DATA_DIR", data_dir)
        os.environ["HELIO_DOCS_ENABLED"] = "true"
        from helio.main import create_app

        return create_app().openapi()


def main(argv: list[str]) -> int:
    text = json.dumps(document(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    if len(argv) > 1:
        Path(argv[1]).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
