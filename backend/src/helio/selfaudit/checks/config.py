"""Checks on the configuration: the production refusals, the key provider, TLS, outbound."""

from __future__ import annotations

from helio.selfaudit.inputs import Inputs
from helio.selfaudit.registry import (
    Category,
    Outcome,
    Severity,
    Source,
    check,
    failed,
    passed,
    warned,
)


@check(
    "config.production_refusals",
    category=Category.A05,
    severity=Severity.CRITICAL,
    source=Source.CONFIG,
    title="Production refuses unsafe settings",
    fix="Fix every setting `helio check-config` lists; production does not start with any.",
)
async def production_refusals(inputs: Inputs) -> Outcome:
    """Run the production refusals of `config.py` over the running settings."""
    problems = inputs.settings.production_problems()
    if not problems:
        return passed("no setting would be refused in production")
    lines = [f"refused: {problem}" for problem in problems]
    if inputs.production:
        return failed(f"{len(problems)} unsafe production setting(s)", *lines)
    return passed(
        f"environment {inputs.settings.env}: {len(problems)} setting(s) production would refuse "
        "(allowed outside production)",
        *lines,
    )


@check(
    "config.key_provider",
    category=Category.A02,
    severity=Severity.HIGH,
    source=Source.CONFIG,
    title="Data keys are wrapped by a managed key-encryption key",
    fix="Set HELIO_KEY_PROVIDER=aws-kms with HELIO_KMS_KEY_ID and HELIO_KMS_REGION; "
    "never the stand-in in production.",
)
async def key_provider(inputs: Inputs) -> Outcome:
    """Production wraps data keys in KMS, not a keyring file on a volume."""
    settings = inputs.settings
    evidence = f"HELIO_KEY_PROVIDER={settings.key_provider}"
    if settings.key_provider == "aws-kms" and settings.kms_standin:
        if inputs.production:
            return failed(evidence, "HELIO_KMS_STANDIN replaces AWS KMS with a stand-in")
        return passed(evidence, "KMS stand-in (allowed outside production)")
    if settings.key_provider == "local" and inputs.production:
        return warned(evidence, "the key-encryption key is a keyring file on a mounted volume")
    return passed(evidence)


@check(
    "config.tls",
    category=Category.A02,
    severity=Severity.HIGH,
    source=Source.CONFIG,
    title="Users reach the service over TLS; cookies are Secure",
    fix="Set HELIO_PUBLIC_URL (and HELIO_STAFF_URL) to https:// origins, keep "
    "HELIO_COOKIE_SECURE on, and set HELIO_TRUSTED_PROXIES to the TLS-terminating proxy.",
)
async def tls(inputs: Inputs) -> Outcome:
    """The public origins are https:// and cookies carry Secure."""
    settings = inputs.settings
    origins = [o for o in (settings.public_url, settings.staff_url) if o]
    plain = [o for o in origins if not o.startswith("https://")]
    evidence = [
        f"public and staff origins over https: {len(origins) - len(plain)} of {len(origins)}",
        f"Secure cookies: {'on' if settings.secure_cookies else 'off'}",
        "TLS terminated by: "
        + ("a trusted proxy" if settings.trusted_proxies else "upstream (declared)")
        if settings.trusted_proxies or settings.tls_terminated_upstream
        else "TLS termination not declared",
    ]
    if not settings.secure_cookies and inputs.production:
        return failed(*evidence)
    if plain and inputs.production:
        return failed(*evidence, "an origin users reach is plain http://")
    return passed(*evidence)


@check(
    "config.outbound_allowlist",
    category=Category.A10,
    severity=Severity.MEDIUM,
    source=Source.CONFIG,
    title="Outbound webhook calls are limited to named hosts",
    fix="Set HELIO_ALERT_WEBHOOK_HOSTS to the hosts alert webhooks may call "
    "(the SSRF-safe client refuses private addresses either way).",
)
async def outbound_allowlist(inputs: Inputs) -> Outcome:
    """Production names the hosts outbound webhooks may reach."""
    settings = inputs.settings
    hosts = len(settings.alert_webhook_hosts)
    ports = ",".join(str(p) for p in settings.alert_webhook_ports)
    evidence = (f"webhook host allowlist: {hosts} host(s)", f"webhook ports: {ports}")
    if hosts == 0 and inputs.production:
        return warned(*evidence, "any public host may be called (private ones are refused)")
    return passed(*evidence)


@check(
    "config.audit_signing_key",
    category=Category.A08,
    severity=Severity.HIGH,
    source=Source.CONFIG,
    title="Audit checkpoints are signed by a key outside the pod",
    fix="Set HELIO_AUDIT_SIGNING_KEY from the secret store (`helio audit rotate-key`).",
)
async def audit_signing_key(inputs: Inputs) -> Outcome:
    """Production signs audit checkpoints with a managed key."""
    if inputs.settings.audit_signing_key:
        return passed("HELIO_AUDIT_SIGNING_KEY is set")
    if inputs.production:
        return failed("no HELIO_AUDIT_SIGNING_KEY: checkpoints signed by a pod-local key file")
    return passed("pod-local checkpoint key file (allowed outside production)")
