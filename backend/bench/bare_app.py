"""The bare baseline of bench_read_path.py: FastAPI with no middleware, no auth, no ORM.

`GET /json` answers a constant JSON body; `GET /one` runs one `SELECT 1` on MariaDB through
the same driver (asyncmy) and the same pool size as Helio's engine. Served by uvicorn:
`BARE_DATABASE_URL=mysql+asyncmy://... uvicorn bare_app:create_app --factory` from bench/.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

POOL_SIZE = 10  # helio.db.create_engine's default: pool_size=10, max_overflow=10


def create_app() -> FastAPI:
    """Build the bare app on BARE_DATABASE_URL."""
    engine = create_async_engine(
        os.environ["BARE_DATABASE_URL"], pool_size=POOL_SIZE, max_overflow=POOL_SIZE
    )

    @asynccontextmanager
    async def lifespan(_api: FastAPI) -> AsyncIterator[None]:
        yield
        await engine.dispose()

    api = FastAPI(lifespan=lifespan, openapi_url=None, docs_url=None, redoc_url=None)

    @api.get("/json")
    async def constant() -> dict[str, bool]:
        return {"ok": True}

    @api.get("/one")
    async def one() -> dict[str, int]:
        async with engine.connect() as connection:
            value = (await connection.execute(text("SELECT 1"))).scalar_one()
        return {"one": int(value)}

    return api
