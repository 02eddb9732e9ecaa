"""Translate a text (English -> Brazilian Portuguese)."""

from __future__ import annotations

from ..inference.text import normalize_language
from ..inference.translation import Translator
from ..observability import record_inference, traced
from ..schemas import TranslateResponse


@traced
def translate_text(
    translator: Translator,
    text: str,
    *,
    source: str = "en",
    target: str = "pt-BR",
    num_beams: int = 1,
    max_new_tokens: int | None = None,
) -> TranslateResponse:
    # Canonical tags ('pt-br' -> 'pt-BR') for the answer; unknown ones list what is supported.
    source = normalize_language(source, translator.source_languages)
    target = normalize_language(target, translator.target_languages)
    result = translator.translate(
        text, source=source, target=target, num_beams=num_beams, max_new_tokens=max_new_tokens
    )
    record_inference("translate", result.ms)
    return TranslateResponse(
        translation=result.text,
        source=source,
        target=target,
        model=translator.bundle.describe(),
        ms=round(result.ms, 3),
    )
