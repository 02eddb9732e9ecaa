"""Job status for GET /jobs/{id}: the result document if written, else the execution's state."""

from __future__ import annotations

from ..ports import ExecutionInfo, ObjectStore
from ..schemas import JobStatus
from .results import FailureInfo, JobResult, StepsError, readable_reason


def status_from_result(result: JobResult, store: ObjectStore) -> JobStatus:
    status = JobStatus.model_validate(result.model_dump(exclude={"schema_version"}))
    if result.audio_key:
        status.audio_url = store.presigned_get_url(result.audio_key)
        status.audio_url_expires_in = store.presign_expires_s
    return status


def status_from_execution(job_id: str, execution: ExecutionInfo) -> JobStatus:
    """A job without a result document: still running, or the recorder itself failed (or the
    run was stopped / timed out): report what Step Functions knows."""
    if execution.status == "RUNNING":
        return JobStatus(job_id=job_id, status="RUNNING", started_at=execution.started_at)
    succeeded = execution.status == "SUCCEEDED"
    error = None
    if not succeeded:
        error_type, reason = readable_reason(
            StepsError(Error=execution.error or execution.status, Cause=execution.cause)
        )
        error = FailureInfo(step="unknown", type=error_type, reason=reason)
    return JobStatus(
        job_id=job_id,
        status="SUCCEEDED" if succeeded else "FAILED",
        error=error,
        started_at=execution.started_at,
        finished_at=execution.stopped_at,
    )
