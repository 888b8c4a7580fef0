"""Every domain router, mounted under /api/v1; each route declares its guard."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI

from helio.auth.endpoints import router as auth_router
from helio.authz.access import route_permission
from helio.authz.matrix import PUBLIC_ROUTES
from helio.customers.endpoints import router as customers_router
from helio.documents.endpoints import router as documents_router
from helio.documents.endpoints import staff_router as staff_documents_router
from helio.http.routes import api_routes
from helio.leads.endpoints import router as leads_router
from helio.leads.endpoints import staff_router as staff_leads_router
from helio.ops.alerts.endpoints import router as alerts_router
from helio.ops.audit.endpoints import router as audit_router
from helio.ops.endpoints import app_router as app_config_router
from helio.ops.endpoints import router as ops_router
from helio.ops.endpoints import staff_router as ops_staff_router
from helio.orders.endpoints import router as orders_router
from helio.orders.endpoints import staff_router as staff_orders_router
from helio.payments.endpoints import router as payments_router
from helio.payments.endpoints import webhook_router as payment_webhook_router
from helio.quotes.endpoints import router as quotes_router
from helio.reports.endpoints import router as reports_router
from helio.selfaudit.endpoints import router as self_audit_router
from helio.sites.endpoints import router as sites_router
from helio.staff.admin.endpoints import invitations_router as staff_invitations_router
from helio.staff.admin.endpoints import router as staff_admin_router
from helio.staff.customers.endpoints import router as staff_customers_router
from helio.staff.grants.endpoints import router as staff_grants_router

api_router = APIRouter(prefix="/api/v1")
api_router.include_router(auth_router)
api_router.include_router(app_config_router)
api_router.include_router(customers_router)
api_router.include_router(staff_customers_router)
api_router.include_router(staff_grants_router)
api_router.include_router(staff_admin_router)
api_router.include_router(staff_invitations_router)
api_router.include_router(sites_router)
api_router.include_router(quotes_router)
api_router.include_router(orders_router)
api_router.include_router(staff_orders_router)
api_router.include_router(payments_router)
api_router.include_router(payment_webhook_router)
api_router.include_router(leads_router)
api_router.include_router(staff_leads_router)
api_router.include_router(reports_router)
api_router.include_router(documents_router)
api_router.include_router(staff_documents_router)
api_router.include_router(audit_router)
api_router.include_router(alerts_router)
api_router.include_router(ops_staff_router)
api_router.include_router(self_audit_router)


def include_routers(app: FastAPI) -> None:
    """Mount the routers of every domain."""
    app.include_router(ops_router)
    app.include_router(api_router)


class UnguardedRouteError(RuntimeError):
    """A route declares no permission and is not listed as public."""


def assert_every_route_guarded(app: FastAPI) -> None:
    """Refuse to start when a route has no guard and is not public, or is public and guarded.

    Raises:
        UnguardedRouteError: naming every offending route.
    """
    offenders = []
    for route in api_routes(app):
        if not route.in_schema:
            continue
        public = (route.method, route.path) in PUBLIC_ROUTES
        guarded = route_permission(route.dependant) is not None
        if public == guarded:
            why = "is both public and guarded" if public else "has no guard"
            offenders.append(f"{route.method} {route.path} {why}")
    if offenders:
        raise UnguardedRouteError("; ".join(offenders))
