"""Pydantic models of every request, response and Step Functions task payload.

Limits are imported from the inference modules so the API documents (and enforces) exactly
what the models accept; the models still re-check them, since they are also used on their own.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, JsonValue, ValidationInfo, field_validator

from .inference.captioning import MAX_NEW_TOKENS as CAPTION_MAX_NEW_TOKENS
from .inference.limits import (
    MAX_BEAMS,
    SEED_RANGE,
    TEMPERATURE_RANGE,
    TOP_K_RANGE,
    TOP_P_RANGE,
    Sampling,
)
from .inference.speech import (
    LENGTH_SCALE_RANGE,
    MAX_SPEAK_CHARS,
    MAX_SYNC_SPEAK_CHARS,
    NOISE_SCALE_RANGE,
    NOISE_W_RANGE,
    SENTENCE_SILENCE_RANGE,
)
from .inference.translation import MAX_NEW_TOKENS_LIMIT, MAX_TRANSLATE_CHARS
from .keys import MAX_KEY_BYTES
from .media import IMAGE_MEDIA_TYPES, parse_media_type
from .pipeline.batches import BatchCounts
from .pipeline.results import FailureInfo, StepTiming

__all__ = [
    "MAX_SPEAK_CHARS",
    "MAX_SYNC_SPEAK_CHARS",
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
SyncSpeakText = Annotated[
    str,
    Field(
        min_length=1,
        max_length=MAX_SYNC_SPEAK_CHARS,
        description=f"At most {MAX_SYNC_SPEAK_CHARS} characters: the answer must come within "
        "the HTTP API's 30 s",
    ),
]


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


# ---- generation controls -------------------------------------------------------------------


class _Decoding(_Request):
    """How a caption or translation model picks its tokens: greedy (1 beam), beam search, or
    sampling (do_sample with temperature / top_k / top_p, deterministic for a given seed)."""

    num_beams: NumBeams = 1
    do_sample: bool = Field(default=False, description="Sample tokens instead of the likeliest")
    temperature: float | None = Field(
        default=None,
        ge=TEMPERATURE_RANGE[0],
        le=TEMPERATURE_RANGE[1],
        description="Sampling temperature (needs do_sample; default 1.0)",
    )
    top_k: int | None = Field(
        default=None,
        ge=TOP_K_RANGE[0],
        le=TOP_K_RANGE[1],
        description="Sample among the k likeliest (needs do_sample)",
    )
    top_p: float | None = Field(
        default=None,
        ge=TOP_P_RANGE[0],
        le=TOP_P_RANGE[1],
        description="Sample within the top-p probability mass (needs do_sample)",
    )
    seed: int | None = Field(
        default=None,
        ge=SEED_RANGE[0],
        le=SEED_RANGE[1],
        description="Seed for sampling: same seed, same output (needs do_sample)",
    )
    cache: bool = Field(default=True, description="Use and fill the result cache")

    @field_validator("do_sample")
    @classmethod
    def _one_beam_when_sampling(cls, value: bool, info: ValidationInfo) -> bool:
        if value and info.data.get("num_beams", 1) != 1:
            raise ValueError("sampling draws one sequence: use num_beams 1 with do_sample")
        return value

    @field_validator("temperature", "top_k", "top_p", "seed")
    @classmethod
    def _only_when_sampling(cls, value: object, info: ValidationInfo) -> object:
        if value is not None and not info.data.get("do_sample", False):
            raise ValueError(f"{info.field_name} only applies when do_sample is true")
        return value

    def sampling(self) -> Sampling | None:
        if not self.do_sample:
            return None
        return Sampling(
            temperature=1.0 if self.temperature is None else self.temperature,
            top_k=self.top_k,
            top_p=self.top_p,
            seed=self.seed,
        )

    @property
    def deterministic(self) -> bool:
        """Same input, same output: what may be cached."""
        return not self.do_sample or self.seed is not None


def _options_only(options: BaseModel, fields: Iterable[str]) -> dict[str, Any]:
    """The generation controls of a request (never its text, key or `cache` flag)."""
    return options.model_dump(include=set(fields) - {"cache"})


class CaptionOptions(_Decoding):
    max_new_tokens: CaptionMaxNewTokens = None

    def cache_material(self) -> dict[str, Any]:
        return _options_only(self, CaptionOptions.model_fields)


class TranslateOptions(_Decoding):
    max_new_tokens: MaxNewTokens = None

    def cache_material(self) -> dict[str, Any]:
        return _options_only(self, TranslateOptions.model_fields)


class SpeakOptions(_Request):
    """Speech controls: the voice and Piper's scales; None keeps the voice's own default."""

    voice: str | None = Field(
        default=None, max_length=80, description="A voice preset of this deployment (GET /health)"
    )
    length_scale: float | None = Field(
        default=None,
        ge=LENGTH_SCALE_RANGE[0],
        le=LENGTH_SCALE_RANGE[1],
        description="Speed: >1 slower, <1 faster",
    )
    noise_scale: float | None = Field(
        default=None,
        ge=NOISE_SCALE_RANGE[0],
        le=NOISE_SCALE_RANGE[1],
        description="Timbre variation",
    )
    noise_w: float | None = Field(
        default=None, ge=NOISE_W_RANGE[0], le=NOISE_W_RANGE[1], description="Duration variation"
    )
    sentence_silence_s: float | None = Field(
        default=None,
        ge=SENTENCE_SILENCE_RANGE[0],
        le=SENTENCE_SILENCE_RANGE[1],
        description="Seconds of silence between sentences",
    )
    cache: bool = Field(default=True, description="Use and fill the result cache")

    def controls(self) -> dict[str, float | None]:
        """The synthesizer's keyword arguments."""
        return _options_only(self, set(SpeakOptions.model_fields) - {"voice"})

    def cache_material(self) -> dict[str, Any]:
        return _options_only(self, SpeakOptions.model_fields)


# ---- caption -------------------------------------------------------------------------------


class CaptionParams(CaptionOptions):
    """Query parameters of POST /caption with an image body."""


class CaptionS3Request(CaptionOptions):
    s3_key: ObjectKey = Field(description="Key of an uploaded image in our bucket (uploads/...)")


class CaptionTaskOutput(_Output):
    caption: str
    model: ModelDescription
    ms: float = Field(description="Model time (decode + preprocess + inference), milliseconds")
    cached: bool = Field(default=False, description="Served from the result cache")


class CaptionResponse(CaptionTaskOutput):
    pass


class CaptionTaskInput(_TaskInput):
    job_id: JobId
    bucket: BucketName
    key: ObjectKey
    options: CaptionOptions = Field(default_factory=CaptionOptions)
    # The upload's ETag when the job started: exactly that content is captioned.
    etag: str | None = Field(default=None, max_length=128)


# ---- translate -----------------------------------------------------------------------------


class TranslateRequest(TranslateOptions):
    text: TranslateText
    source: LanguageTag = "en"
    target: LanguageTag = "pt-BR"


class TranslateResponse(_Output):
    translation: str
    source: str
    target: str
    model: ModelDescription
    ms: float
    cached: bool = Field(default=False, description="Served from the result cache")


class TranslateTaskInput(_TaskInput):
    job_id: JobId
    text: TranslateText
    source: LanguageTag = "en"
    target: LanguageTag = "pt-BR"
    options: TranslateOptions = Field(default_factory=TranslateOptions)


class TranslateTaskOutput(_Output):
    translation: str
    model: ModelDescription
    ms: float
    cached: bool = False


# ---- speak ---------------------------------------------------------------------------------


class SpeakRequest(SpeakOptions):
    text: SyncSpeakText
    language: LanguageTag = "pt-BR"


class SpeakResponse(_Output):
    audio_key: str
    url: str = Field(description="Presigned GET URL of the WAV")
    expires_in: int = Field(description="Seconds the URL stays valid")
    duration_s: float
    sample_rate: int
    model: ModelDescription
    ms: float
    cached: bool = Field(default=False, description="Served from the result cache")


class SpeakTaskInput(_TaskInput):
    job_id: JobId
    bucket: BucketName
    text: SpeakText
    language: LanguageTag = "pt-BR"
    options: SpeakOptions = Field(default_factory=SpeakOptions)


class SpeakTaskOutput(_Output):
    audio_key: str
    duration_s: float
    sample_rate: int
    model: ModelDescription
    ms: float
    cached: bool = False


class JobOptions(_Request):
    """Generation controls of a job, one group per step (POST /jobs "options")."""

    caption: CaptionOptions = Field(default_factory=CaptionOptions)
    translate: TranslateOptions = Field(default_factory=TranslateOptions)
    speak: SpeakOptions = Field(default_factory=SpeakOptions)


# ---- jobs ----------------------------------------------------------------------------------


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


# ---- batches -------------------------------------------------------------------------------

BatchStatusName = Literal["RUNNING", "SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED"]


class CreateBatchRequest(_Request):
    prefix: str = Field(
        min_length=1,
        max_length=MAX_KEY_BYTES,
        description="Folder of images in our bucket, under batches/ (e.g. 'batches/museum/')",
        examples=["batches/museum/"],
    )
    options: JobOptions = Field(default_factory=JobOptions)


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
