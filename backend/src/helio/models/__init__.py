"""All ORM models, one file per table (or per tight group of tables)."""

from helio.models.access import AccessAttestation, AccessGrant, AlertSink
from helio.models.audit_event import AuditChainHead, AuditCheckpoint, AuditEvent
from helio.models.auth_session import AuthSession, OneTimeToken, RefreshToken
from helio.models.base import Base
from helio.models.data_key import DataKey
from helio.models.document import Document
from helio.models.job_outbox import JobOutbox
from helio.models.lead import Lead
from helio.models.mfa import RecoveryCode, WebAuthnCredential
from helio.models.order import Order, OrderEvent
from helio.models.payment import PaymentEvent, PaymentRequest
from helio.models.quote import Quote
from helio.models.self_audit import SelfAuditReport
from helio.models.site import EnergyUsage, Site
from helio.models.user import ConsentEvent, User, UserRole

__all__ = [
    "AccessAttestation",
    "AccessGrant",
    "AlertSink",
    "AuditChainHead",
    "AuditCheckpoint",
    "AuditEvent",
    "AuthSession",
    "Base",
    "ConsentEvent",
    "DataKey",
    "Document",
    "EnergyUsage",
    "JobOutbox",
    "Lead",
    "OneTimeToken",
    "Order",
    "OrderEvent",
    "PaymentEvent",
    "PaymentRequest",
    "Quote",
    "RecoveryCode",
    "RefreshToken",
    "SelfAuditReport",
    "Site",
    "User",
    "UserRole",
    "WebAuthnCredential",
]
