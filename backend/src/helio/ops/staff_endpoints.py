"""Staff operational views (engineer, admin): health, configuration, the audit chain."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from helio.authz.access import Access
from helio.authz.guards import require
from helio.authz.matrix import Perm
from helio.deps import ServicesDep
from helio.ops import service
from helio.ops.schemas import AuditChainRead, ConfigRead, HealthRead

router = APIRouter(prefix="/staff/ops", tags=["ops"])

OpsRead = Annotated[Access, require(Perm.OPS_READ)]


@router.get("/health")
async def ops_health(_access: OpsRead, services: ServicesDep) -> HealthRead:
    """Report the database, the shared state and the alert backlog."""
    return await service.health(services)


@router.get("/config")
async def ops_config(_access: OpsRead, services: ServicesDep) -> ConfigRead:
    """Summarise the effective configuration without secrets."""
    return service.config_summary(services.settings)


@router.get("/audit-chain")
async def ops_audit_chain(
    _access: OpsRead,
    services: ServicesDep,
    verify: Annotated[bool, Query(description="walk the chain now (bounded to 20 s)")] = False,
) -> AuditChainRead:
    """Show the chain length, head, last checkpoint and last verification."""
    return await service.audit_chain(services, verify=verify)
