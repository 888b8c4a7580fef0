"""Field types shared by the auth request bodies: generous bounds, the policy says what is wrong."""

from __future__ import annotations

from typing import Annotated

from pydantic import StringConstraints

from helio.kit.text import PersonName, chars

# Generous bounds: the policy says what is wrong; these only stop abuse.
Password = Annotated[str, StringConstraints(min_length=1, max_length=1024)]
EmailText = Annotated[str, chars(320, 3)]
OpaqueToken = Annotated[str, StringConstraints(min_length=1, max_length=128)]
Code = Annotated[str, chars(64)]
Name = PersonName
