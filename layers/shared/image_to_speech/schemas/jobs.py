"""POST /jobs, GET /jobs/{id}, the job's stored request and the record tasks' answer."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field, JsonValue, field_validator

from ..media import IMAGE_MEDIA_TYPES, parse_media_type
from ..pipeline.results import FailureInfo, StepTiming
from .caption import CaptionOptions
from .common import _Output, _Request
from .speak import SpeakOptions
from .translate import TranslateOptions


class JobOptions(_Request):
    """Generation controls of a job, one group per step (POST /jobs "options")."""

    caption: CaptionOptions = Field(default_factory=CaptionOptions)
    translate: TranslateOptions = Field(default_factory=TranslateOptions)
    speak: SpeakOptions = Field(default_factory=SpeakOptions)


_IMAGE_MEDIA_ENUM: list[JsonValue] = list(IMAGE_MEDIA_TYPES)


class CreateJobRequest(_Request):
    content_type: str = Field(
        default="image/jpeg",
        description="Media type of the image you will upload",
        json_schema_extra={"enum": _IMAGE_MEDIA_ENUM},
    )
    options: JobOptions = Field(default_factory=JobOptions)

    @field_validator("content_type")
    @classmethod
    def _accepted_image_type(cls, value: str) -> str:
        media = parse_media_type(value)
        if media not in IMAGE_MEDIA_TYPES:
            raise ValueError(f"must be one of {IMAGE_MEDIA_TYPES}")
        return media


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


class JobStatus(_Output):
    job_id: str
    status: Literal["AWAITING_UPLOAD", "RUNNING", "SUCCEEDED", "FAILED"]
    input: dict[str, str] | None = None
    caption: str | None = None
    translation: str | None = None
    audio_key: str | None = None
    audio_url: str | None = None
    audio_url_expires_in: int | None = None
    audio: dict[str, Any] | None = None
    models: dict[str, dict[str, Any]] | None = None
    durations_ms: dict[str, StepTiming] | None = None
    stages: dict[str, dict[str, Any]] | None = Field(
        default=None,
        description="Per stage: status (RUNNING, SUCCEEDED, FAILED), ms, function_ms",
    )
    cached: dict[str, bool] | None = None
    options: dict[str, Any] | None = None
    total_ms: float | None = None
    error: FailureInfo | None = None
    started_at: str | None = None
    finished_at: str | None = None


class JobRequest(BaseModel):
    """requests/<job-id>.json: what POST /jobs asked for, read when the upload arrives."""

    job_id: str
    options: JobOptions = Field(default_factory=JobOptions)
    created_at: str | None = None


class RecordOutcome(_Output):
    """What RecordSuccess / RecordFailure return to the state machine."""

    results_key: str
    status: Literal["SUCCEEDED", "FAILED"]
    reason: str
