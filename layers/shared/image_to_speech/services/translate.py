"""Translate a text (English -> Brazilian Portuguese)."""

from __future__ import annotations

from ..inference.text import normalize_language
from ..inference.translation import Translator
from ..observability import record_inference, traced
from ..schemas import TranslateOptions, TranslateResponse
from .cache import ResultCache, through_cache


@traced
def translate_text(
    translator: Translator,
    text: str,
    *,
    source: str = "en",
    target: str = "pt-BR",
    options: TranslateOptions | None = None,
    cache: ResultCache | None = None,
) -> TranslateResponse:
    options = options or TranslateOptions()
    # Canonical tags ('pt-br' -> 'pt-BR') for the answer; unknown ones list what is supported.
    source = normalize_language(source, translator.source_languages)
    target = normalize_language(target, translator.target_languages)

    def compute() -> TranslateResponse:
        result = translator.translate(
            text,
            source=source,
            target=target,
            num_beams=options.num_beams,
            max_new_tokens=options.max_new_tokens,
            sampling=options.sampling(),
        )
        record_inference("translate", result.ms)
        return TranslateResponse(
            translation=result.text,
            source=source,
            target=target,
            model=translator.bundle.describe(),
            ms=round(result.ms, 3),
        )

    def material() -> dict[str, object]:
        return {
            "text": text,
            "source": source,
            "target": target,
            "model": translator.bundle.fingerprint,
            "options": options.cache_material(),
        }

    enabled = options.cache and options.deterministic
    return through_cache(cache, enabled, "translate", material, TranslateResponse, compute)
