"""Pydantic models of every request, response and Step Functions task payload.

Limits are imported from the inference modules so the API documents (and enforces) exactly
what the models accept; the models still re-check them, since they are also used on their own.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, JsonValue, field_validator

from .inference.captioning import MAX_NEW_TOKENS as CAPTION_MAX_NEW_TOKENS
from .inference.limits import MAX_BEAMS
from .inference.speech import MAX_SPEAK_CHARS
from .inference.translation import MAX_NEW_TOKENS_LIMIT, MAX_TRANSLATE_CHARS
from .keys import MAX_KEY_BYTES
from .media import IMAGE_MEDIA_TYPES, parse_media_type
from .pipeline.batches import BatchCounts
from .pipeline.results import FailureInfo, StepTiming

__all__ = [
    "MAX_SPEAK_CHARS",
    "MAX_TRANSLATE_CHARS",
    "CaptionParams",
    "CaptionResponse",
    "CaptionS3Request",
    "CaptionTaskInput",
    "CaptionTaskOutput",
    "ErrorBody",
    "HealthResponse",
    "ModelHealth",
    "SpeakRequest",
    "SpeakResponse",
    "SpeakTaskInput",
    "SpeakTaskOutput",
    "TranslateRequest",
    "TranslateResponse",
    "TranslateTaskInput",
    "TranslateTaskOutput",
]

# Job ids are minted by the pipeline (32 hex characters); any id that is safe inside an S3 key
# and a Step Functions execution name is accepted here.
JOB_ID_PATTERN = r"^[A-Za-z0-9_-]{1,80}$"
MAX_LANGUAGE_TAG_CHARS = 35  # BCP 47 tags are short; the runtime lists the supported ones

JobId = Annotated[str, Field(pattern=JOB_ID_PATTERN, description="Pipeline job id")]
LanguageTag = Annotated[
    str, Field(min_length=2, max_length=MAX_LANGUAGE_TAG_CHARS, examples=["pt-BR"])
]
ObjectKey = Annotated[str, Field(min_length=1, max_length=MAX_KEY_BYTES)]
BucketName = Annotated[str, Field(min_length=3, max_length=63)]
NumBeams = Annotated[int, Field(ge=1, le=MAX_BEAMS, description="Beam search width (1 = greedy)")]
MaxNewTokens = Annotated[
    int | None, Field(ge=1, le=MAX_NEW_TOKENS_LIMIT, description="Cap on generated tokens")
]
CaptionNumBeams = Annotated[
    int, Field(ge=1, le=MAX_BEAMS, description="Beam search width (1 = greedy)")
]
CaptionMaxNewTokens = Annotated[
    int | None,
    Field(ge=1, le=CAPTION_MAX_NEW_TOKENS, description="Cap on caption tokens (seq2seq models)"),
]
ModelDescription = Annotated[
    dict[str, Any], Field(description="bundle.describe(): preset, kind, source, quantization")
]
TranslateText = Annotated[str, Field(min_length=1, max_length=MAX_TRANSLATE_CHARS)]
SpeakText = Annotated[str, Field(min_length=1, max_length=MAX_SPEAK_CHARS)]


class _Request(BaseModel):
    # A typo in a field name is an error, not a silently ignored option.
    model_config = ConfigDict(extra="forbid")


class _TaskInput(BaseModel):
    # The state machine may pass more of its state than a task needs.
    model_config = ConfigDict(extra="ignore")


class _Output(BaseModel):
    model_config = ConfigDict(protected_namespaces=())


# ---- errors and health ---------------------------------------------------------------------


class ErrorBody(BaseModel):
    error: str = Field(description="Stable machine-readable code, e.g. 'text_too_long'")
    message: str = Field(description="What is wrong, for people")
    allowed: Any | None = Field(default=None, description="What would have been accepted")


class ModelHealth(_Output):
    preset: str
    model: ModelDescription
    load_ms: float


class HealthResponse(_Output):
    status: Literal["ok"] = "ok"
    models: dict[str, ModelHealth]
    versions: dict[str, str]


# ---- caption -------------------------------------------------------------------------------


class CaptionParams(_Request):
    max_new_tokens: CaptionMaxNewTokens = None
    num_beams: CaptionNumBeams = 1


class CaptionS3Request(CaptionParams):
    s3_key: ObjectKey = Field(description="Key of an uploaded image in our bucket (uploads/...)")


class CaptionTaskOutput(_Output):
    caption: str
    model: ModelDescription
    ms: float = Field(description="Model time (decode + preprocess + inference), milliseconds")


class CaptionResponse(CaptionTaskOutput):
    pass


class CaptionTaskInput(_TaskInput):
    job_id: JobId
    bucket: BucketName
    key: ObjectKey


# ---- translate -----------------------------------------------------------------------------


class TranslateRequest(_Request):
    text: TranslateText
    source: LanguageTag = "en"
    target: LanguageTag = "pt-BR"
    num_beams: NumBeams = 1
    max_new_tokens: MaxNewTokens = None


class TranslateResponse(_Output):
    translation: str
    source: str
    target: str
    model: ModelDescription
    ms: float


class TranslateTaskInput(_TaskInput):
    job_id: JobId
    text: TranslateText
    source: LanguageTag = "en"
    target: LanguageTag = "pt-BR"


class TranslateTaskOutput(_Output):
    translation: str
    model: ModelDescription
    ms: float


# ---- speak ---------------------------------------------------------------------------------


class SpeakRequest(_Request):
    text: SpeakText
    language: LanguageTag = "pt-BR"


class SpeakResponse(_Output):
    audio_key: str
    url: str = Field(description="Presigned GET URL of the WAV")
    expires_in: int = Field(description="Seconds the URL stays valid")
    duration_s: float
    sample_rate: int
    model: ModelDescription
    ms: float


class SpeakTaskInput(_TaskInput):
    job_id: JobId
    bucket: BucketName
    text: SpeakText
    language: LanguageTag = "pt-BR"


class SpeakTaskOutput(_Output):
    audio_key: str
    duration_s: float
    sample_rate: int
    model: ModelDescription
    ms: float


# ---- jobs ----------------------------------------------------------------------------------


_IMAGE_MEDIA_ENUM: list[JsonValue] = list(IMAGE_MEDIA_TYPES)


class CreateJobRequest(_Request):
    content_type: str = Field(
        default="image/jpeg",
        description="Media type of the image you will upload",
        json_schema_extra={"enum": _IMAGE_MEDIA_ENUM},
    )

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


class RecordOutcome(_Output):
    """What RecordSuccess / RecordFailure return to the state machine."""

    results_key: str
    status: Literal["SUCCEEDED", "FAILED"]
    reason: str


# ---- batches -------------------------------------------------------------------------------

BatchStatusName = Literal["RUNNING", "SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED"]


class CreateBatchRequest(_Request):
    prefix: str = Field(
        min_length=1,
        max_length=MAX_KEY_BYTES,
        description="Folder of images in our bucket, under batches/ (e.g. 'batches/museum/')",
        examples=["batches/museum/"],
    )


class CreatedBatch(_Output):
    batch_id: str
    status: Literal["RUNNING"] = "RUNNING"
    status_url: str
    prefix: str


class BatchProgress(_Output):
    """The map run's item counts (DescribeMapRun): skipped objects count as succeeded here;
    the summary tells them apart."""

    total: int
    succeeded: int
    failed: int
    running: int
    pending: int
    aborted: int = 0
    timed_out: int = 0


class BatchSummaryLinks(_Output):
    json_key: str
    csv_key: str
    json_url: str
    csv_url: str
    expires_in: int
    counts: BatchCounts
    failed_percentage: float
    within_tolerance: bool
    reason: str


class BatchStatus(_Output):
    batch_id: str
    status: BatchStatusName
    prefix: str | None = None
    progress: BatchProgress | None = None
    summary: BatchSummaryLinks | None = None
    error: str | None = None
    cause: str | None = None
    started_at: str | None = None
    finished_at: str | None = None


class SummarizeBatchTaskInput(_TaskInput):
    """The batch state machine's Summarize task."""

    batch_id: JobId
    bucket: BucketName
    prefix: ObjectKey
    tolerated_failure_percentage: float = Field(ge=0, le=100)
    started_at: str | None = None
    map_error: dict[str, Any] | None = Field(
        default=None, description="The map run's {Error, Cause} when it failed, else {}"
    )


class BatchSummaryOutcome(_Output):
    summary_key: str
    csv_key: str
    total: int
    succeeded: int
    failed: int
    skipped: int
    no_result: int = 0
    failed_percentage: float
    within_tolerance: bool
    reason: str
