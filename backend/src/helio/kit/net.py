"""Plain-words descriptions of socket errors, for messages a person reads."""

from __future__ import annotations

import errno


def describe_bind_error(error: OSError) -> str:
    """Say in a few words why binding failed."""
    if error.errno == errno.EADDRINUSE:
        return "is already in use"
    return f"cannot be used ({error.strerror or error})"
