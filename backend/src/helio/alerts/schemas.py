"""Inputs and outputs of the alert sink settings."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

SinkKind = Literal["mail", "webhook"]
MAX_SINKS = 20


class SinkRead(BaseModel):
    """A sink; webhook URLs are shown masked (they often embed a secret token)."""

    id: str
    kind: SinkKind
    target: str
    enabled: bool
    created_at: datetime


class SinkList(BaseModel):
    """Every configured sink."""

    items: list[SinkRead]


class SinkIn(BaseModel):
    """Keep an existing sink (`id`, optionally toggling `enabled`) or add one (`kind`, `target`)."""

    model_config = ConfigDict(extra="forbid")

    id: str | None = Field(default=None, pattern=r"^[0-9a-f]{32}$")
    kind: SinkKind | None = None
    target: str | None = Field(default=None, min_length=3, max_length=500)
    enabled: bool = True

    @model_validator(mode="after")
    def _one_form(self) -> SinkIn:
        keeps = self.id is not None
        adds = self.kind is not None and self.target is not None
        if keeps == adds or (keeps and (self.kind or self.target)):
            raise ValueError("give either an existing sink id, or a kind and a target")
        return self


class SinksUpdate(BaseModel):
    """The complete list of sinks; sinks left out are removed."""

    model_config = ConfigDict(extra="forbid")

    sinks: list[SinkIn] = Field(max_length=MAX_SINKS)
