"""Job status for GET /jobs/{id}: the result document if written, else the execution's state."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from ..ports import ExecutionInfo, JobProgress, ObjectStore
from ..schemas import JobStatus
from .results import FailureInfo, JobResult, StepsError, readable_reason


def status_from_result(result: JobResult, store: ObjectStore) -> JobStatus:
    status = JobStatus.model_validate(result.model_dump(exclude={"schema_version"}))
    status.stages = _finished_stages(result)
    if result.audio_key:
        status.audio_url = store.presigned_get_url(result.audio_key)
        status.audio_url_expires_in = store.presign_expires_s
    return status


def status_from_execution(
    job_id: str,
    execution: ExecutionInfo,
    progress: JobProgress | None = None,
    store: ObjectStore | None = None,
) -> JobStatus:
    """A job without a result document: still running (with each stage's progress), or the
    recorder itself failed (or the run was stopped / timed out): what Step Functions knows."""
    if execution.status == "RUNNING":
        progress = progress or JobProgress()
        return JobStatus(
            job_id=job_id,
            status="RUNNING",
            started_at=execution.started_at,
            stages={name: asdict(stage) for name, stage in progress.stages.items()},
            caption=progress.texts.get("caption"),
            translation=progress.texts.get("translation"),
        )
    succeeded = execution.status == "SUCCEEDED"
    if succeeded and execution.output:
        return _unrecorded_success(job_id, execution, execution.output, store)
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


def _unrecorded_success(
    job_id: str, execution: ExecutionInfo, output: dict[str, Any], store: ObjectStore | None
) -> JobStatus:
    """The pipeline produced its audio but the result document could not be written (state
    SucceededUnrecorded): the execution's output still holds every step's result."""
    audio_key = _text(output, "speak", "audio_key")
    status = JobStatus(
        job_id=job_id,
        status="SUCCEEDED",
        caption=_text(output, "caption", "caption"),
        translation=_text(output, "translate", "translation"),
        audio_key=audio_key,
        started_at=execution.started_at,
        finished_at=execution.stopped_at,
    )
    if audio_key and store is not None:
        status.audio_url = store.presigned_get_url(audio_key)
        status.audio_url_expires_in = store.presign_expires_s
    return status


def _text(output: dict[str, Any], step: str, field: str) -> str | None:
    value = (output.get(step) or {}).get(field) if isinstance(output.get(step), dict) else None
    return value if isinstance(value, str) else None


def _finished_stages(result: JobResult) -> dict[str, dict[str, Any]]:
    """Every stage of a finished job: done (with its times), or where it failed."""
    stages: dict[str, dict[str, Any]] = {}
    for name, timing in result.durations_ms.items():
        stages[name] = {
            "status": "SUCCEEDED",
            "ms": timing.state_ms,
            "function_ms": timing.function_ms,
        }
    if result.error is not None and result.error.step in ("caption", "translate", "speak"):
        stages[result.error.step] = {"status": "FAILED", "ms": None, "function_ms": None}
    return stages
