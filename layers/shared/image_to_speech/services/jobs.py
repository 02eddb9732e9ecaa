"""The asynchronous pipeline's use cases: create a job, start it for an upload, record its
result, get its status. Only S3 and Step Functions are touched here, never a model."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from ..errors import BadInputError, ImageTooLargeError, JobNotFoundError, ObjectNotFoundError
from ..keys import (
    is_job_id,
    is_upload,
    job_id_for_upload,
    job_request_key,
    new_job_id,
    result_key,
    upload_key,
)
from ..media import FORMAT_BY_MEDIA_TYPE, MAX_INLINE_IMAGE_BYTES, MAX_UPLOAD_BYTES, MEDIA_TYPES
from ..observability import logger, traced
from ..pipeline.results import JobResult, RecordRequest, build_result
from ..pipeline.status import status_from_execution, status_from_result
from ..ports import Executions, ObjectStore, StartOutcome
from ..schemas import (
    CreatedJob,
    JobOptions,
    JobRequest,
    JobStatus,
    PresignedUpload,
    RecordOutcome,
)
from .caption import check_image

MAX_RESULT_BYTES = 1024 * 1024
MAX_REQUEST_BYTES = 64 * 1024


@dataclass(frozen=True)
class UploadedObject:
    bucket: str
    key: str
    version: str | None  # ETag, else version id: tells a new upload from a repeated event
    etag: str | None = None  # the content the job must caption (If-Match), without quotes


def _save_request(store: ObjectStore, job_id: str, options: JobOptions | None) -> None:
    """requests/<job-id>.json: the job's options, read by the trigger when the image arrives
    (and what tells GET /jobs/{id} that the job exists but awaits its upload)."""
    request = JobRequest(
        job_id=job_id, options=options or JobOptions(), created_at=datetime.now(UTC).isoformat()
    )
    store.put_bytes(
        job_request_key(job_id), request.model_dump_json().encode(), content_type="application/json"
    )


def load_request(store: ObjectStore, job_id: str) -> JobRequest | None:
    try:
        data = store.get_bytes(job_request_key(job_id), max_bytes=MAX_REQUEST_BYTES)
    except ObjectNotFoundError:
        return None
    return JobRequest.model_validate_json(data)


@traced
def create_upload_job(
    store: ObjectStore, content_type: str, options: JobOptions | None = None
) -> CreatedJob:
    """A new job id and a presigned POST for the browser to upload its image to S3; the
    upload's S3 notification starts the pipeline with the job's options."""
    job_id = new_job_id()
    _save_request(store, job_id, options)
    key = upload_key(job_id, FORMAT_BY_MEDIA_TYPE[content_type])
    post = store.presigned_post(key, content_type=content_type, max_bytes=MAX_UPLOAD_BYTES)
    upload = PresignedUpload(
        url=post.url,
        fields=post.fields,
        key=key,
        max_bytes=MAX_UPLOAD_BYTES,
        expires_in=post.expires_in,
    )
    return CreatedJob(
        job_id=job_id,
        status="AWAITING_UPLOAD",
        status_url=f"/jobs/{job_id}",
        key=key,
        upload=upload,
    )


@traced
def create_job_with_image(
    store: ObjectStore, image: bytes, declared: str | None, options: JobOptions | None = None
) -> CreatedJob:
    """Store an image sent in the request (small ones only) under uploads/: job PENDING."""
    if len(image) > MAX_INLINE_IMAGE_BYTES:
        raise ImageTooLargeError(
            f"The body is {len(image)} bytes; at most {MAX_INLINE_IMAGE_BYTES} bytes can be sent "
            "directly. POST /jobs with a JSON body gives a presigned upload for larger images "
            f"(up to {MAX_UPLOAD_BYTES} bytes).",
            allowed={"max_bytes": MAX_INLINE_IMAGE_BYTES, "max_upload_bytes": MAX_UPLOAD_BYTES},
        )
    image_format = check_image(image, declared)
    job_id = new_job_id()
    _save_request(store, job_id, options)  # before the upload: the trigger reads it
    key = upload_key(job_id, image_format)
    store.put_bytes(key, image, content_type=MEDIA_TYPES[image_format])
    return CreatedJob(job_id=job_id, status="PENDING", status_url=f"/jobs/{job_id}", key=key)


@traced
def start_pipelines(
    executions: Executions, store: ObjectStore, uploads: list[UploadedObject]
) -> list[StartOutcome]:
    """At most one execution per uploaded object; repeated deliveries change nothing.
    Objects outside uploads/ are ignored: results/ and audio/ writes never start a pipeline.
    A job created by POST /jobs runs with the options it asked for, any other with defaults."""
    outcomes = []
    for upload in uploads:
        if not is_upload(upload.key):
            logger.info("not an upload: ignored", extra={"key": upload.key})
            continue
        job_id = job_id_for_upload(upload.bucket, upload.key, upload.version)
        request = load_request(store, job_id)
        options = request.options if request is not None else JobOptions()
        # `etag` is always present (null if unknown): the state machine reads $.etag.
        payload = {
            "job_id": job_id,
            "bucket": upload.bucket,
            "key": upload.key,
            "options": options.model_dump(mode="json"),
            "etag": upload.etag,
        }
        outcomes.append(executions.start(job_id, payload))
    return outcomes


@traced
def record_result(store: ObjectStore, request: RecordRequest) -> RecordOutcome:
    """Write results/<job-id>.json (a retry overwrites its own earlier attempt)."""
    try:
        result = build_result(request)
    except ValueError as exc:
        raise BadInputError(str(exc), code="invalid_record_task") from exc
    key = result_key(result.job_id)
    store.put_bytes(key, result.to_json().encode("utf-8"), content_type="application/json")
    reason = (
        f"{result.error.step} failed ({result.error.type}): {result.error.reason}"
        if result.error
        else "succeeded"
    )
    # Step Functions' Fail state shows `reason` as the execution's cause (CausePath).
    return RecordOutcome(results_key=key, status=result.status, reason=reason[:32000])


def load_result(store: ObjectStore, job_id: str) -> JobResult | None:
    """The stored result of a job, or None when the job has not finished (or does not exist)."""
    try:
        data = store.get_bytes(result_key(job_id), max_bytes=MAX_RESULT_BYTES)
    except ObjectNotFoundError:
        return None
    return JobResult.model_validate_json(data)


@traced
def get_job(store: ObjectStore, executions: Executions, job_id: str) -> JobStatus:
    """The result document once written (with a presigned audio URL), else what the execution
    says; 404 for ids that were never a job."""
    if not is_job_id(job_id):
        raise _not_found(job_id)
    result = load_result(store, job_id)
    if result is not None:
        return status_from_result(result, store)
    execution = executions.describe(job_id)
    if execution is not None:
        if execution.status == "RUNNING":
            return status_from_execution(job_id, execution, executions.progress(job_id), store)
        # The record step writes the result before the execution ends: if it ended between the
        # two reads above, the document is there now and says more than the execution does.
        result = load_result(store, job_id)
        if result is not None:
            return status_from_result(result, store)
        return status_from_execution(job_id, execution, None, store)
    request = load_request(store, job_id)
    if request is None:
        raise _not_found(job_id)
    return JobStatus(
        job_id=job_id,
        status="AWAITING_UPLOAD",
        options=request.options.model_dump(mode="json"),
        started_at=request.created_at,
    )


def _not_found(job_id: str) -> JobNotFoundError:
    return JobNotFoundError(
        f"No job '{job_id}'. Create one with POST /jobs; a job appears once its image is uploaded.",
        allowed={"job_id": "32 lowercase hex characters, as returned by POST /jobs"},
    )
