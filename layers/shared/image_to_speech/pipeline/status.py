"""Job status for GET /jobs/{id}: the result document if written, else the execution's state."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from .. import storage
from ..inference.errors import BadInputError
from .executions import describe_job_execution
from .ids import is_job_id
from .recorder import load_result
from .results import FailureInfo, StepsError, StepTiming, readable_reason


class JobNotFoundError(BadInputError):
    http_status = 404
    code = "job_not_found"


class JobStatus(BaseModel):
    model_config = ConfigDict(protected_namespaces=())

    job_id: str
    status: Literal["RUNNING", "SUCCEEDED", "FAILED"]
    input: dict[str, str] | None = None
    caption: str | None = None
    translation: str | None = None
    audio_key: str | None = None
    audio_url: str | None = None
    audio_url_expires_in: int | None = None
    audio: dict[str, Any] | None = None
    models: dict[str, dict[str, Any]] | None = None
    durations_ms: dict[str, StepTiming] | None = None
    total_ms: float | None = None
    error: FailureInfo | None = None
    started_at: str | None = None
    finished_at: str | None = None


def _not_found(job_id: str) -> JobNotFoundError:
    return JobNotFoundError(
        f"No job '{job_id}'. Create one with POST /jobs; a job appears once its image is uploaded.",
        allowed={"job_id": "32 lowercase hex characters, as returned by POST /jobs"},
    )


def job_status(job_id: str, *, presign_audio: bool = True) -> JobStatus:
    if not is_job_id(job_id):
        raise _not_found(job_id)
    result = load_result(job_id)
    if result is not None:
        status = JobStatus.model_validate(result.model_dump(exclude={"schema_version"}))
        if result.audio_key and presign_audio:
            status.audio_url = storage.presigned_get_url(result.audio_key)
            status.audio_url_expires_in = storage.settings().presign_expires_s
        return status
    execution = describe_job_execution(job_id)
    if execution is None:
        raise _not_found(job_id)
    started = execution.get("startDate")
    state = execution.get("status", "RUNNING")
    if state == "RUNNING":
        return JobStatus(job_id=job_id, status="RUNNING", started_at=_iso(started))
    # Finished without a result document: the recorder itself failed (or the run was
    # stopped / timed out): report what Step Functions knows.
    error_type, reason = readable_reason(
        StepsError(Error=str(execution.get("error") or state), Cause=execution.get("cause"))
    )
    return JobStatus(
        job_id=job_id,
        status="SUCCEEDED" if state == "SUCCEEDED" else "FAILED",
        error=None
        if state == "SUCCEEDED"
        else FailureInfo(step="unknown", type=error_type, reason=reason),
        started_at=_iso(started),
        finished_at=_iso(execution.get("stopDate")),
    )


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None and hasattr(value, "isoformat") else None
