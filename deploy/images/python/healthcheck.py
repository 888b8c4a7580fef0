"""Container health check: exit 0 when the API answers /healthz on its own port, else 1."""

import os
import sys
import urllib.request

port = int(os.environ.get("HELIO_PORT", "8000"))
try:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as answer:
        sys.exit(0 if answer.status == 200 else 1)
except OSError:
    sys.exit(1)
