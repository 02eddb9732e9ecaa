"""POST /batches {"prefix"} (every image under a folder of our bucket) and GET /batches/{id}."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import APIRouter, Depends

from ..ports import BatchRuns, ObjectStore
from ..schemas import BatchStatus, CreateBatchRequest, CreatedBatch
from ..services.batches import get_batch, start_batch
from .bodies import limit_json_body
from .concurrency import run_blocking

MAX_BATCH_BODY_BYTES = 4 * 1024  # {"prefix": <at most 1024 bytes of key>}


def build_router(store: Callable[[], ObjectStore], runs: Callable[[], BatchRuns]) -> APIRouter:
    router = APIRouter(tags=["batches"])

    @router.post(
        "/batches",
        status_code=202,
        response_model=CreatedBatch,
        dependencies=[Depends(limit_json_body(MAX_BATCH_BODY_BYTES))],
    )
    async def create_batch(request: CreateBatchRequest) -> CreatedBatch:
        """Start a batch over every object under `prefix` (a folder under batches/, uploaded
        first). 202: it runs; GET the status_url for progress and, at the end, the summary."""
        return await run_blocking(start_batch, store(), runs(), request.prefix, request.options)

    @router.get("/batches/{batch_id}", response_model=BatchStatus, response_model_exclude_none=True)
    async def get_batch_route(batch_id: str) -> BatchStatus:
        """RUNNING with progress (the map run's total, succeeded, failed, ...), then SUCCEEDED
        or FAILED with links to the summary (JSON and CSV, one row per object)."""
        return await run_blocking(get_batch, store(), runs(), batch_id)

    return router
