"""Response bodies of the token grants."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

from helio.auth.tokens.issuing import TokenPair


class TokenRead(BaseModel):
    access_token: str
    token_type: Literal["Bearer"] = "Bearer"  # noqa: S105 - a scheme name
    expires_in: int
    refresh_token: str

    @classmethod
    def of(cls, pair: TokenPair) -> TokenRead:
        """Return the body of an issued token pair."""
        return cls(
            access_token=pair.access_token,
            expires_in=pair.expires_in,
            refresh_token=pair.refresh_token,
        )
