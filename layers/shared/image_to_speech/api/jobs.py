"""POST /jobs (a presigned upload, or a small image in the body) and GET /jobs/{id}."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import ValidationError

from ..errors import UnsupportedImageFormatError
from ..media import IMAGE_MEDIA_TYPES, MAX_INLINE_IMAGE_BYTES
from ..ports import Executions, ObjectStore
from ..schemas import CreatedJob, CreateJobRequest, JobStatus
from ..services.jobs import create_job_with_image, create_upload_job, get_job
from .bodies import image_too_large, media_type, read_body
from .concurrency import run_blocking
from .errors import RequestModelError

_BODY_MEDIA_TYPES = [*IMAGE_MEDIA_TYPES, "application/octet-stream"]
MAX_JSON_BODY_BYTES = 4 * 1024


def build_router(
    store: Callable[[], ObjectStore], executions: Callable[[], Executions]
) -> APIRouter:
    router = APIRouter(tags=["jobs"])

    @router.post(
        "/jobs",
        status_code=201,
        response_model=CreatedJob,
        response_model_exclude_none=True,
        responses={202: {"model": CreatedJob, "description": "Image stored, job PENDING"}},
    )
    async def create_job(request: Request) -> Any:
        """JSON body (or none): a job id and a presigned POST to upload the image to S3 (201).
        An image body (image/jpeg, image/png, image/webp): stored now, job PENDING (202)."""
        bucket = store()  # both forms need the bucket and the pipeline: checked first
        executions()
        media = media_type(request)
        if media in _BODY_MEDIA_TYPES:
            image = await read_body(request, MAX_INLINE_IMAGE_BYTES, too_large=image_too_large)
            created = await run_blocking(create_job_with_image, bucket, image, media)
            return JSONResponse(created.model_dump(exclude_none=True), status_code=202)
        if media not in ("", "application/json"):
            raise UnsupportedImageFormatError(
                f"Content-Type '{media}' is not accepted by POST /jobs.",
                allowed=["application/json", *_BODY_MEDIA_TYPES],
            )
        raw = await read_body(request, MAX_JSON_BODY_BYTES, too_large=image_too_large)
        try:
            body = CreateJobRequest.model_validate_json(raw) if raw.strip() else CreateJobRequest()
        except ValidationError as exc:
            raise RequestModelError(CreateJobRequest, exc) from exc
        created = await run_blocking(create_upload_job, bucket, body.content_type, body.options)
        return JSONResponse(created.model_dump(exclude_none=True), status_code=201)

    @router.get("/jobs/{job_id}", response_model=JobStatus, response_model_exclude_none=True)
    async def get_job_route(job_id: str) -> JobStatus:
        """RUNNING, or SUCCEEDED with caption, translation and a presigned audio URL, or FAILED
        with the failing step and the reason. Unknown ids: 404."""
        return await run_blocking(get_job, store(), executions(), job_id)

    return router
