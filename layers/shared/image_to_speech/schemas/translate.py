"""POST /translate and the pipeline's Translate task."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from .common import (
    JobId,
    LanguageTag,
    MaxNewTokens,
    ModelDescription,
    TranslateText,
    _Output,
    _TaskInput,
    options_only,
)
from .decoding import _Decoding


class TranslateOptions(_Decoding):
    max_new_tokens: MaxNewTokens = None

    def cache_material(self) -> dict[str, Any]:
        return options_only(self, TranslateOptions.model_fields)


class TranslateRequest(TranslateOptions):
    # Built at import although HTTP only (~1 ms): FastAPI validates the body through a type
    # adapter of this model, and a deferred model makes that adapter rebuild on the first
    # request, where pydantic 2.14 warns falsely about FastAPI's alias (once per cold start).

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
