"""POST /translate."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import APIRouter, Depends

from ..inference.translation import Translator
from ..schemas import TranslateRequest, TranslateResponse
from ..services.cache import ResultCache
from ..services.translate import translate_text
from .bodies import limit_json_body
from .concurrency import run_blocking

# 5000 characters of JSON-escaped UTF-8 stay far below this; more is not a translation request.
MAX_TRANSLATE_BODY_BYTES = 128 * 1024


def build_router(translator: Translator, cache: Callable[[], ResultCache | None]) -> APIRouter:
    router = APIRouter(tags=["translate"])

    @router.post(
        "/translate",
        response_model=TranslateResponse,
        summary="Translate English text to Brazilian Portuguese",
        dependencies=[Depends(limit_json_body(MAX_TRANSLATE_BODY_BYTES))],
    )
    async def translate(request: TranslateRequest) -> TranslateResponse:
        return await run_blocking(
            translate_text,
            translator,
            request.text,
            source=request.source,
            target=request.target,
            options=request,  # a TranslateOptions, validated with the body
            cache=cache(),
        )

    return router
