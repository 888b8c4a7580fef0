"""A flat view of the app's routes (FastAPI nests included routers lazily)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts


@dataclass(frozen=True)
class RouteInfo:
    """One method of one API route."""

    method: str
    path: str
    dependant: Any
    in_schema: bool


def api_routes(app: FastAPI) -> list[RouteInfo]:
    """Return every (method, path) of the app's API routes with its dependency tree."""
    found: list[RouteInfo] = []
    for context in iter_route_contexts(app.routes):
        if not isinstance(context.original_route, APIRoute):
            continue
        for method in sorted((context.methods or set()) - {"HEAD", "OPTIONS"}):
            found.append(
                RouteInfo(
                    method=method,
                    path=str(context.path),
                    dependant=context.dependant,
                    in_schema=bool(context.include_in_schema),
                )
            )
    return found
