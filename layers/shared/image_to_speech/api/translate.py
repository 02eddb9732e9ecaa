"""POST /translate and the translate task."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi import APIRouter, Depends

from ..inference.text import normalize_language
from ..observability import record_inference
from ..schemas import TranslateRequest, TranslateResponse, TranslateTaskInput, TranslateTaskOutput
from .app_factory import Service
from .bodies import limit_json_body
from .handler import Task

if TYPE_CHECKING:
    from ..inference.translator import Translator

# 5000 characters of JSON-escaped UTF-8 stay far below this; more is not a translation request.
MAX_TRANSLATE_BODY_BYTES = 128 * 1024


def build_router(translator: Translator) -> APIRouter:
    router = APIRouter(tags=["translate"])
    model = translator.bundle.describe()

    @router.post(
        "/translate",
        response_model=TranslateResponse,
        summary="Translate English text to Brazilian Portuguese",
        dependencies=[Depends(limit_json_body(MAX_TRANSLATE_BODY_BYTES))],
    )
    async def translate(request: TranslateRequest) -> TranslateResponse:
        # Canonical tags ('pt-br' -> 'pt-BR') for the answer; unknown ones list what is supported.
        source = normalize_language(request.source, translator.source_languages)
        target = normalize_language(request.target, translator.target_languages)
        result = translator.translate(
            request.text,
            source=source,
            target=target,
            num_beams=request.num_beams,
            max_new_tokens=request.max_new_tokens,
        )
        record_inference("translate", result.ms)
        return TranslateResponse(
            translation=result.text,
            source=source,
            target=target,
            model=model,
            ms=round(result.ms, 3),
        )

    return router


def translate_task(translator: Translator) -> Task[TranslateTaskInput, TranslateTaskOutput]:
    model = translator.bundle.describe()

    def run(payload: TranslateTaskInput) -> TranslateTaskOutput:
        result = translator.translate(payload.text, source=payload.source, target=payload.target)
        record_inference("translate", result.ms)
        return TranslateTaskOutput(translation=result.text, model=model, ms=round(result.ms, 3))

    return Task(TranslateTaskInput, run)


def translate_service(translator: Translator) -> Service:
    return Service("translate", translator, build_router(translator))
