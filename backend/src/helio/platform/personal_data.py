"""The personal-data registry: each domain declares where a customer's data lives.

An entry names a table, the column that says whose row it is, how to export
the rows (`GET /me/export`) and how to erase them when the account is
crypto-shredded (or why they are kept). Each domain declares its entries in its own
`personal_data.py`; `helio.main` lists them in `App.personal_data`, and the
export and the shredding walk that tuple. A test fails when a table with an
owner column has no entry.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from helio.security.vault import FieldVault

# (session, vault, owner id) -> the owner's rows as plain JSON-ready dicts.
Exporter = Callable[[AsyncSession, FieldVault, str], Awaitable[list[dict[str, Any]]]]
# (session, owner id) -> None: delete the rows, or strip them to what is not personal.
Eraser = Callable[[AsyncSession, str], Awaitable[None]]
# (session, app, owner id) -> None: remove what lives outside the database (stored files),
# run before `erase`; the app is passed as Any to keep this module below `App`.
Purger = Callable[[AsyncSession, Any, str], Awaitable[None]]


@dataclass(frozen=True)
class PersonalData:
    """One table with an owner column: whose rows, how to export them, how to erase them.

    `erase=None` keeps the rows when an account is shredded; `kept_because` says why
    (ids only, an accountability record, destroyed another way).
    """

    owner: InstrumentedAttribute[str]  # the mapped column naming whose row it is
    export_as: str | None  # the key in `GET /me/export`; None when not exported this way
    export: Exporter | None
    erase: Eraser | None
    kept_because: str | None = None
    purge: Purger | None = None  # files outside the database, removed at shredding

    @property
    def table(self) -> Table:
        """The table the entry is about."""
        table = self.owner.expression.table
        assert isinstance(table, Table)
        return table

    @property
    def column(self) -> str:
        """The name of the owner column."""
        return self.owner.key

    def __post_init__(self) -> None:
        if (self.export is None) != (self.export_as is None):
            raise ValueError(f"{self.table.name}: an exporter needs a section name and back")
        if (self.erase is None) == (self.kept_because is None):
            raise ValueError(f"{self.table.name}: give an eraser, or why the rows are kept")
