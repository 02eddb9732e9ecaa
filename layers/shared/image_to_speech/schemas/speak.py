"""POST /speak, the speech controls, and the pipeline's Speak task."""

from __future__ import annotations

from typing import Any

from pydantic import ConfigDict, Field

from ..inference.speech import (
    LENGTH_SCALE_RANGE,
    NOISE_SCALE_RANGE,
    NOISE_W_RANGE,
    SENTENCE_SILENCE_RANGE,
)
from .common import (
    BucketName,
    JobId,
    LanguageTag,
    ModelDescription,
    SpeakText,
    SyncSpeakText,
    _Output,
    _Request,
    _TaskInput,
    options_only,
)


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
        return options_only(self, set(SpeakOptions.model_fields) - {"voice"})

    def cache_material(self) -> dict[str, Any]:
        return options_only(self, SpeakOptions.model_fields)


class SpeakRequest(SpeakOptions):
    # Built at import although HTTP only (~1 ms): FastAPI validates the body through a type
    # adapter of this model, and a deferred model makes that adapter rebuild on the first
    # request, where pydantic 2.14 warns falsely about FastAPI's alias (once per cold start).

    text: SyncSpeakText
    language: LanguageTag = "pt-BR"


class SpeakResponse(_Output):
    model_config = ConfigDict(defer_build=True)  # HTTP only: built with the app

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
