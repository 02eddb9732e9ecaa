"""What a translation model is to the rest of the package: result, protocol, ONE validation path.

Every translator (marian.py, bergamot.py) subclasses `BaseTranslator`, which checks the text,
the language tags and the generation parameters, splits long text into sentences, batches them
and joins the results. A subclass only implements `_translate_batch`. loaders.py picks the
implementation by the bundle's "kind". No numpy or onnxruntime here.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol

from ..errors import InvalidParameterError
from .bundle import Bundle
from .limits import Decoding, Sampling, check_generation_params
from .text import chunk_sentences, normalize_language, require_text, split_sentences

MAX_TRANSLATE_CHARS = 5000
# Longer sentences are cut at commas/spaces: seq2seq models degrade (and slow down
# quadratically) on very long inputs, and a chunk must fit the model's max source length.
MAX_SENTENCE_CHARS = 400
# Hard ceiling for max_new_tokens a client may ask for, whatever the model allows.
MAX_NEW_TOKENS_LIMIT = 512


@dataclass(frozen=True)
class TranslationResult:
    text: str
    ms: float
    sentences: int


class Translator(Protocol):
    bundle: Bundle
    load_ms: float

    # Read-only members, so an implementation may declare a narrower tuple type.
    @property
    def source_languages(self) -> tuple[str, ...]: ...  # ("en",)

    @property
    def target_languages(self) -> tuple[str, ...]: ...  # ("pt-BR",)

    def translate(
        self,
        text: str,
        *,
        source: str = "en",
        target: str = "pt-BR",
        num_beams: int = 1,
        max_new_tokens: int | None = None,
        sampling: Sampling | None = None,
    ) -> TranslationResult: ...


_GREEDY = Decoding()


def batched(items: list[str], size: int) -> Iterator[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class BaseTranslator:
    """Validation, sentence splitting and batching shared by every translator.

    Subclasses set `bundle`, `load_ms`, `source_languages`, `target_languages` (and may change
    `batch_size`, `max_sentence_chars`, `max_new_tokens_limit`) and implement `_translate_batch`.
    """

    bundle: Bundle
    load_ms: float
    source_languages: tuple[str, ...] = ("en",)
    target_languages: tuple[str, ...] = ("pt-BR",)
    batch_size: int = 8
    max_sentence_chars: int = MAX_SENTENCE_CHARS
    max_new_tokens_limit: int = MAX_NEW_TOKENS_LIMIT

    def translate(
        self,
        text: str,
        *,
        source: str = "en",
        target: str = "pt-BR",
        num_beams: int = 1,
        max_new_tokens: int | None = None,
        sampling: Sampling | None = None,
    ) -> TranslationResult:
        started = time.perf_counter()
        decoding = Decoding(num_beams, max_new_tokens, sampling)
        sentences = self.prepare(text, source=source, target=target, decoding=decoding)
        outputs: list[str] = []
        for batch in batched(sentences, self.batch_size):
            translated = self._translate_batch(batch, decoding)
            if len(translated) != len(batch):  # a broken implementation, not a client problem
                raise RuntimeError(f"{len(batch)} sentences in, {len(translated)} out")
            outputs.extend(part.strip() for part in translated)
        return TranslationResult(
            text=" ".join(part for part in outputs if part),
            ms=(time.perf_counter() - started) * 1000,
            sentences=len(sentences),
        )

    def prepare(
        self, text: str, *, source: str = "en", target: str = "pt-BR", decoding: Decoding = _GREEDY
    ) -> list[str]:
        """Validate everything (typed errors) and return the sentence chunks to translate."""
        if not isinstance(text, str):
            raise InvalidParameterError(
                f"'text' must be a string, got {type(text).__name__}.", allowed={"text": "string"}
            )
        cleaned = require_text(text, max_chars=MAX_TRANSLATE_CHARS)
        normalize_language(source, self.source_languages)
        normalize_language(target, self.target_languages)
        check_generation_params(
            decoding.num_beams,
            decoding.max_new_tokens,
            max_new_tokens_limit=self.max_new_tokens_limit,
            sampling=decoding.sampling,
        )
        return chunk_sentences(split_sentences(cleaned), self.max_sentence_chars)

    def _translate_batch(self, sentences: list[str], decoding: Decoding) -> list[str]:
        """Translate each sentence (already validated and split); same order, same count."""
        raise NotImplementedError
