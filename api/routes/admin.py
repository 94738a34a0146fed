"""What only admins see: every order of the marketplace, side effects that gave up."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import Depends, Query

from api.dependencies import AdminOnly, Paging, ServicesDep
from api.errors import ApiError
from api.read_your_writes import read_after
from api.routing import routes
from api.schemas.common import PageOf
from api.schemas.orders import OrderStatus, OrderSummaryOut
from api.schemas.sagas import ParkedJobOut, ParkedJobsOut
from read_model.sql import orders, saga_jobs

router = routes("admin")


@router.get("/api/admin/orders", dependencies=[AdminOnly, Depends(read_after(orders.VIEW))])
def all_orders(
    services: ServicesDep,
    paging: Paging,
    status: Annotated[OrderStatus | None, Query()] = None,
    user_id: Annotated[UUID | None, Query()] = None,
    store_id: Annotated[UUID | None, Query()] = None,
) -> PageOf[OrderSummaryOut]:
    """Every order, newest first, filtered by status, customer and store: for admins only."""
    wanted = orders.OrderFilter(user_id=user_id, store_id=store_id, status=status)
    page = orders.list_orders(services.pool, paging, wanted)
    return PageOf[OrderSummaryOut].model_validate(page, from_attributes=True)


@router.get("/api/admin/sagas/failed", dependencies=[AdminOnly])
def failed_sagas(services: ServicesDep) -> ParkedJobsOut:
    """Side effects that gave up, oldest first, with their last error."""
    found = saga_jobs.parked(services.pool)
    return ParkedJobsOut(
        results=[ParkedJobOut.model_validate(job, from_attributes=True) for job in found]
    )


@router.post("/api/admin/sagas/failed/{job_id}/retry", dependencies=[AdminOnly], status_code=202)
def retry_saga(services: ServicesDep, job_id: int) -> dict[str, str]:
    """Give a parked job a fresh set of attempts (404 if no such parked job)."""
    if not saga_jobs.requeue(services.pool, job_id):
        raise ApiError(404, "job_not_found", f"No parked job {job_id}.")
    return {"status": "queued"}
