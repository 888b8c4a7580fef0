"""Inputs and outputs of the alert sink settings."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from helio.kit.schemas import StrictInput, UtcTime
from helio.kit.text import SINK_TARGET_CHARS, chars

SinkKind = Literal["mail", "webhook"]
MAX_SINKS = 20


class SinkRead(BaseModel):
    """A sink; webhook URLs are shown masked (they often embed a secret token)."""

    id: str
    kind: SinkKind
    target: str
    enabled: bool
    created_at: UtcTime


class SinkListRead(BaseModel):
    """Every configured sink."""

    items: list[SinkRead]


class SinkUpdate(StrictInput):
    """Keep an existing sink (`id`, optionally toggling `enabled`) or add one (`kind`, `target`)."""

    model_config = ConfigDict(
        json_schema_extra={
            # Keep (an id, no kind or target) or add (a kind and a target, no id).
            "if": {"required": ["id"], "properties": {"id": {"type": "string"}}},
            "then": {"properties": {"kind": {"type": "null"}, "target": {"type": "null"}}},
            "else": {
                "required": ["kind", "target"],
                "properties": {"kind": {"type": "string"}, "target": {"type": "string"}},
            },
        }
    )

    id: str | None = Field(default=None, pattern=r"^[0-9a-f]{32}$")
    kind: SinkKind | None = None
    target: Annotated[str, chars(SINK_TARGET_CHARS, 3)] | None = None
    enabled: bool = True

    @model_validator(mode="after")
    def _one_form(self) -> SinkUpdate:
        keeps = self.id is not None
        adds = self.kind is not None and self.target is not None
        if keeps == adds or (keeps and (self.kind or self.target)):
            raise ValueError("give either an existing sink id, or a kind and a target")
        return self


class SinkListUpdate(StrictInput):
    """The complete list of sinks; sinks left out are removed."""

    sinks: list[SinkUpdate] = Field(max_length=MAX_SINKS)
