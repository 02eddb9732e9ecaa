"""Result documents (`results/<job-id>.json`) and the state machine's record-task payloads.

The state machine hands the recorder its whole (small) state: ids, keys, each finished step's
selected output and, on failure, the failing step and Step Functions' {Error, Cause}. This
module turns that into one document per job with the same shape for success and failure.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

RESULT_SCHEMA_VERSION = 1


class _Step(BaseModel):
    model_config = ConfigDict(extra="ignore", protected_namespaces=())

    model: dict[str, Any] = Field(default_factory=dict)
    ms: float | None = None
    cached: bool = False  # served from the result cache: no model ran
    entered_at: str | None = None  # $$.State.EnteredTime of the step's state


class CaptionStep(_Step):
    caption: str


class TranslateStep(_Step):
    translation: str


class SpeakStep(_Step):
    audio_key: str
    duration_s: float | None = None
    sample_rate: int | None = None


class StepsError(BaseModel):
    """What a Catch puts at ResultPath: Step Functions' error name and cause text."""

    model_config = ConfigDict(extra="ignore")

    Error: str = "States.Unknown"
    Cause: str | None = None


class PipelineState(BaseModel):
    """The execution's state when it reaches a record task (see pipeline.asl.json)."""

    model_config = ConfigDict(extra="ignore")

    job_id: str
    bucket: str
    key: str
    caption: CaptionStep | None = None
    translate: TranslateStep | None = None
    speak: SpeakStep | None = None
    failed_step: str | None = None
    error: StepsError | None = None
    options: dict[str, Any] | None = None  # the job's generation controls, per step


class RecordRequest(BaseModel):
    """Input of the RecordSuccess / RecordFailure tasks."""

    model_config = ConfigDict(extra="forbid")

    action: Literal["record_success", "record_failure"]
    execution_arn: str | None = None
    started_at: str | None = None  # $$.Execution.StartTime
    finished_at: str | None = None  # $$.State.EnteredTime of the record state
    job: PipelineState


class StepTiming(BaseModel):
    function_ms: float | None = None  # what the function measured (model work)
    state_ms: float | None = None  # state entered -> next state entered (invoke + overhead)


class FailureInfo(BaseModel):
    step: str
    type: str
    reason: str


class JobResult(BaseModel):
    """The document written to results/<job-id>.json."""

    model_config = ConfigDict(protected_namespaces=())

    schema_version: int = RESULT_SCHEMA_VERSION
    job_id: str
    status: Literal["SUCCEEDED", "FAILED"]
    input: dict[str, str]
    caption: str | None = None
    translation: str | None = None
    audio_key: str | None = None
    audio: dict[str, Any] | None = None
    models: dict[str, dict[str, Any]] = Field(default_factory=dict)
    durations_ms: dict[str, StepTiming] = Field(default_factory=dict)
    cached: dict[str, bool] = Field(
        default_factory=dict, description="Per step: served from the result cache"
    )
    options: dict[str, Any] | None = None
    total_ms: float | None = None
    error: FailureInfo | None = None
    execution_arn: str | None = None
    started_at: str | None = None
    finished_at: str | None = None

    def to_json(self) -> str:
        return self.model_dump_json(indent=2)


def parse_timestamp(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def _elapsed_ms(start: str | None, end: str | None) -> float | None:
    began, ended = parse_timestamp(start), parse_timestamp(end)
    if began is None or ended is None:
        return None
    return round((ended - began).total_seconds() * 1000, 1)


def readable_reason(error: StepsError | None) -> tuple[str, str]:
    """(error type, message for people) from a Catch's {Error, Cause}.

    A Lambda error's Cause is the JSON the runtime wrote ({"errorType", "errorMessage", ...});
    Step Functions' own errors (States.Timeout, ...) carry plain text or nothing.
    """
    if error is None:
        return "States.Unknown", "The pipeline failed without an error description."
    cause = (error.Cause or "").strip()
    message = cause
    if cause.startswith("{"):
        try:
            parsed = json.loads(cause)
        except json.JSONDecodeError:
            parsed = None
        if isinstance(parsed, dict):
            message = _message_of(parsed.get("errorMessage") or parsed.get("message") or cause)
            error_type = str(parsed.get("errorType") or error.Error)
            return error_type, message
    if not message:
        message = f"{error.Error} (no cause given)"
    return error.Error, message


def _message_of(value: Any) -> str:
    """Task errors carry the API's JSON error body as their message: keep its sentence."""
    text = str(value)
    if text.startswith("{"):
        try:
            body = json.loads(text)
        except json.JSONDecodeError:
            return text
        if isinstance(body, dict) and body.get("message"):
            code = f" [{body['error']}]" if body.get("error") else ""
            return f"{body['message']}{code}"
    return text


def _steps(state: PipelineState) -> list[tuple[str, _Step | None]]:
    return [("caption", state.caption), ("translate", state.translate), ("speak", state.speak)]


def build_result(request: RecordRequest) -> JobResult:
    state = request.job
    steps = _steps(state)
    durations: dict[str, StepTiming] = {}
    models: dict[str, dict[str, Any]] = {}
    cached: dict[str, bool] = {}
    for index, (name, step) in enumerate(steps):
        if step is None:
            continue
        following = next((later for _, later in steps[index + 1 :] if later is not None), None)
        end = following.entered_at if following is not None else request.finished_at
        state_ms = _elapsed_ms(step.entered_at, end)
        durations[name] = StepTiming(function_ms=step.ms, state_ms=state_ms)
        cached[name] = step.cached
        if step.model:
            models[name] = step.model
    succeeded = request.action == "record_success"
    if succeeded and any(step is None for _, step in steps):
        missing = [name for name, step in steps if step is None]
        raise ValueError(f"record_success without the output of step(s) {missing}")
    error = None
    if not succeeded:
        error_type, reason = readable_reason(state.error)
        error = FailureInfo(step=state.failed_step or "unknown", type=error_type, reason=reason)
    return JobResult(
        job_id=state.job_id,
        status="SUCCEEDED" if succeeded else "FAILED",
        input={"bucket": state.bucket, "key": state.key},
        caption=state.caption.caption if state.caption else None,
        translation=state.translate.translation if state.translate else None,
        audio_key=state.speak.audio_key if state.speak else None,
        audio=(
            {"duration_s": state.speak.duration_s, "sample_rate": state.speak.sample_rate}
            if state.speak
            else None
        ),
        models=models,
        durations_ms=durations,
        cached=cached,
        options=state.options,
        total_ms=_elapsed_ms(request.started_at, request.finished_at),
        error=error,
        execution_arn=request.execution_arn,
        started_at=request.started_at,
        finished_at=request.finished_at,
    )
