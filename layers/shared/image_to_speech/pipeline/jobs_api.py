"""The job API: POST /jobs (upload URL or small image in the body) and GET /jobs/{id}.

Both routes only touch S3 and Step Functions; the S3 upload notification starts the pipeline,
so an image arriving through a presigned POST and one sent in the body take the same path.
"""

from __future__ import annotations

import os
from typing import Any, Literal

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .. import storage
from ..inference.errors import (
    ImageTooLargeError,
    InferenceError,
    InvalidParameterError,
    UnsupportedImageFormatError,
)
from .ids import new_job_id, upload_key
from .status import JobStatus, job_status
from .uploads import (
    CONTENT_TYPES,
    MAX_DIRECT_UPLOAD_BYTES,
    MAX_PRESIGNED_UPLOAD_BYTES,
    extension_for,
    image_format,
)


class JobsNotConfiguredError(InferenceError):
    """The job API runs without its bucket or state machine (e.g. `make api` with no AWS)."""

    http_status = 503
    code = "jobs_not_configured"


def require_configuration() -> None:
    missing = [name for name in ("BUCKET_NAME", "STATE_MACHINE_ARN") if not os.environ.get(name)]
    if missing:
        raise JobsNotConfiguredError(
            f"The job API needs {' and '.join(missing)} (an S3 bucket and the pipeline's state "
            "machine). Locally, `python -m pipeline_local demo` runs the whole pipeline on moto.",
            allowed={"required_environment": ["BUCKET_NAME", "STATE_MACHINE_ARN"]},
        )


router = APIRouter(tags=["jobs"], dependencies=[Depends(require_configuration)])
FORMAT_BY_CONTENT_TYPE = {media: fmt for fmt, media in CONTENT_TYPES.items()}
_BODY_CONTENT_TYPES = {*FORMAT_BY_CONTENT_TYPE, "application/octet-stream"}


class CreateJobRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    content_type: Literal["image/jpeg", "image/png", "image/webp"] = "image/jpeg"


class PresignedUpload(BaseModel):
    method: Literal["POST"] = "POST"
    url: str
    fields: dict[str, str] = Field(description="Form fields to send before the 'file' field")
    key: str
    max_bytes: int
    expires_in: int


class CreatedJob(BaseModel):
    job_id: str
    status: Literal["AWAITING_UPLOAD", "PENDING"]
    status_url: str
    key: str
    upload: PresignedUpload | None = None


def _media_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";", 1)[0].strip().lower()


async def _create_with_body(request: Request, job_id: str) -> CreatedJob:
    data = await request.body()
    if len(data) > MAX_DIRECT_UPLOAD_BYTES:
        raise ImageTooLargeError(
            f"The body is {len(data)} bytes; at most {MAX_DIRECT_UPLOAD_BYTES} bytes can be sent "
            "directly. POST /jobs with a JSON body gives a presigned upload for larger images.",
            allowed={"max_bytes": MAX_DIRECT_UPLOAD_BYTES},
        )
    fmt = image_format(data)  # by content; the declared type may be octet-stream
    key = upload_key(job_id, extension_for(fmt))
    storage.put_bytes(key, data, content_type=CONTENT_TYPES[fmt])
    return CreatedJob(job_id=job_id, status="PENDING", status_url=f"/jobs/{job_id}", key=key)


async def _create_with_upload_url(request: Request, job_id: str) -> CreatedJob:
    raw = await request.body()
    try:
        body = CreateJobRequest.model_validate_json(raw) if raw.strip() else CreateJobRequest()
    except ValidationError as exc:
        raise InvalidParameterError(
            f"Invalid POST /jobs body: {exc.errors(include_url=False)}",
            allowed={"content_type": sorted(FORMAT_BY_CONTENT_TYPE)},
        ) from exc
    fmt = FORMAT_BY_CONTENT_TYPE[body.content_type]
    key = upload_key(job_id, extension_for(fmt))
    expires = storage.settings().presign_expires_s
    # A presigned POST (not PUT) so S3 itself enforces the size and the content type.
    post = storage.s3_client().generate_presigned_post(
        Bucket=storage.settings().require_bucket(),
        Key=key,
        Fields={"Content-Type": body.content_type},
        Conditions=[
            {"Content-Type": body.content_type},
            ["content-length-range", 1, MAX_PRESIGNED_UPLOAD_BYTES],
        ],
        ExpiresIn=expires,
    )
    upload = PresignedUpload(
        url=post["url"],
        fields={k: str(v) for k, v in post["fields"].items()},
        key=key,
        max_bytes=MAX_PRESIGNED_UPLOAD_BYTES,
        expires_in=expires,
    )
    return CreatedJob(
        job_id=job_id,
        status="AWAITING_UPLOAD",
        status_url=f"/jobs/{job_id}",
        key=key,
        upload=upload,
    )


@router.post("/jobs", status_code=201, response_model=CreatedJob)
async def create_job(request: Request) -> Any:
    """JSON body (or none): a job id and a presigned POST to upload the image to S3.
    An image body (image/jpeg, image/png, image/webp, <= 5 MB): stored now, job PENDING (202)."""
    media = _media_type(request)
    job_id = new_job_id()
    if media in _BODY_CONTENT_TYPES:
        created = await _create_with_body(request, job_id)
        return JSONResponse(created.model_dump(exclude_none=True), status_code=202)
    if media not in ("", "application/json"):
        raise UnsupportedImageFormatError(
            f"Content-Type '{media}' is not accepted by POST /jobs.",
            allowed=["application/json", *sorted(_BODY_CONTENT_TYPES)],
        )
    created = await _create_with_upload_url(request, job_id)
    return JSONResponse(created.model_dump(exclude_none=True), status_code=201)


@router.get("/jobs/{job_id}", response_model=JobStatus, response_model_exclude_none=True)
def get_job(job_id: str) -> JobStatus:
    """RUNNING, or SUCCEEDED with caption, translation and a presigned audio URL, or FAILED
    with the failing step and the reason. Unknown ids: 404."""
    return job_status(job_id)
