"""Responses are declared models: only their fields leave the API, never secrets.

FastAPI serialises a route's return value through its response model, so the
model's fields are the exact key set of the response. This test proves every
route declares one and that no model reachable from a response carries a
password hash, an MFA seed, a token hash, key material or raw ciphertext.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from helio.config import Settings
from helio.main import create_app
from helio.platform.app import App

# Routes whose body is not a JSON document of a model (a stream, a health probe).
UNMODELLED = {
    ("get", "/readyz"),
    ("get", "/api/v1/admin/audit/export"),
    ("get", "/api/v1/documents/{doc_id}"),  # the file itself, as an attachment
    ("get", "/api/v1/staff/documents/{doc_id}"),
}
FORBIDDEN = re.compile(
    r"(password|hash|secret|seed|wrapped|private_key|_ct$|_bidx$|^kek|recovery_code)",
    re.IGNORECASE,
)
# Names that look alike but carry no secret.
HARMLESS = {"recovery_codes_left", "secrets_set", "hash", "prev_hash", "head_hash"}
# Secrets shown once, to their owner, by the routes that create them.
SHOWN_ONCE = {
    ("/api/v1/auth/mfa/totp/setup", "secret"),  # the seed the authenticator app enrols
    ("/api/v1/auth/mfa/totp/confirm", "recovery_codes"),
    ("/api/v1/auth/mfa/recovery-codes", "recovery_codes"),
    ("/api/v1/auth/mfa/step-up", "recovery_codes"),  # when a step-up completes enrolment
    ("/api/v1/auth/webauthn/register/verify", "recovery_codes"),
}


def _properties(schema: dict[str, Any], components: dict[str, Any], seen: set[str]) -> set[str]:
    names: set[str] = set()
    ref = schema.get("$ref")
    if ref:
        name = ref.rsplit("/", 1)[-1]
        if name in seen:
            return names
        seen.add(name)
        return _properties(components[name], components, seen)
    for key, sub in schema.get("properties", {}).items():
        names.add(key)
        names |= _properties(sub, components, seen)
    for combinator in ("items", "additionalProperties"):
        if isinstance(schema.get(combinator), dict):
            names |= _properties(schema[combinator], components, seen)
    for combinator in ("anyOf", "oneOf", "allOf"):
        for sub in schema.get(combinator, []):
            names |= _properties(sub, components, seen)
    return names


@pytest.mark.asvs("V15.3.1")
def test_every_route_declares_a_response_model_without_secrets(
    settings: Settings, app_state: App
) -> None:
    spec = create_app(settings, app_state).openapi()
    components = spec.get("components", {}).get("schemas", {})
    unmodelled, leaking = [], []
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            schemas = [
                response.get("content", {}).get("application/json", {}).get("schema")
                for code, response in operation["responses"].items()
                if code.startswith("2") and code != "204"
            ]
            declared = [s for s in schemas if s]
            if schemas and not declared and (method, path) not in UNMODELLED:
                unmodelled.append(f"{method.upper()} {path}")
            for schema in declared:
                for name in _properties(schema, components, set()):
                    if not FORBIDDEN.search(name) or name in HARMLESS:
                        continue
                    if (path, name) not in SHOWN_ONCE:
                        leaking.append(f"{method.upper()} {path}: {name}")
    assert unmodelled == []
    assert leaking == []
