"""The state machine's RecordSuccess / RecordFailure tasks: write results/<job-id>.json."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from .. import storage
from ..task_errors import BadInputError, TransientError
from .ids import results_key
from .results import JobResult, RecordRequest, build_result

RECORD_ACTIONS = ("record_success", "record_failure")


def is_record_task(event: Any) -> bool:
    return isinstance(event, dict) and event.get("action") in RECORD_ACTIONS


def record(event: dict[str, Any]) -> dict[str, Any]:
    """Validate the task input, build the result document and store it (overwriting a retry's)."""
    try:
        request = RecordRequest.model_validate(event)
        result = build_result(request)
    except (ValidationError, ValueError) as exc:
        raise BadInputError({"error": "invalid_record_task", "message": str(exc)}) from exc
    key = results_key(result.job_id)
    try:
        storage.put_bytes(
            key,
            result.to_json().encode("utf-8"),
            content_type="application/json",
            bucket=request.job.bucket,
        )
    except storage.StorageUnavailableError as exc:
        raise TransientError(exc.to_dict()) from exc
    reason = (
        f"{result.error.step} failed ({result.error.type}): {result.error.reason}"
        if result.error
        else "succeeded"
    )
    # Step Functions' Fail state shows `reason` as the execution's cause (CausePath).
    return {"results_key": key, "status": result.status, "reason": reason[:32000]}


def load_result(job_id: str) -> JobResult | None:
    """The stored result of a job, or None when the job has not finished (or does not exist)."""
    try:
        data = storage.get_bytes(results_key(job_id), max_bytes=1024 * 1024)
    except storage.ObjectNotFoundError:
        return None
    return JobResult.model_validate_json(data)
