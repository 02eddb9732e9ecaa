"""The pipeline's Translate task: the English caption -> Brazilian Portuguese."""

from __future__ import annotations

from ..inference.translation import Translator
from ..schemas.translate import TranslateTaskInput, TranslateTaskOutput
from ..services.translate import translate_text
from .task import CacheProvider, Task


def translate_task(
    translator: Translator, cache: CacheProvider
) -> Task[TranslateTaskInput, TranslateTaskOutput]:
    def run(payload: TranslateTaskInput) -> TranslateTaskOutput:
        response = translate_text(
            translator,
            payload.text,
            source=payload.source,
            target=payload.target,
            options=payload.options,
            cache=cache(),
        )
        return TranslateTaskOutput.model_validate(response.model_dump())

    return Task(TranslateTaskInput, run)
