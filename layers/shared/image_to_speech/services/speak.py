"""Speak a text: into WAV bytes, or into an object in our bucket (cached by text and voice)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict

from ..errors import ObjectNotFoundError
from ..inference.speech import SpeechResult, Synthesizer
from ..inference.text import normalize_language
from ..inference.voices import Voices
from ..observability import record_inference, traced
from ..ports import ObjectStore
from ..schemas import SpeakOptions
from .cache import ResultCache, through_cache

MAX_CACHED_WAV_BYTES = 50 * 1024 * 1024


@dataclass(frozen=True)
class Speech:
    result: SpeechResult
    language: str
    model: dict[str, Any]


class StoredSpeech(BaseModel):
    """Speech written to the bucket; the result cache keeps these (pointing at the audio)."""

    model_config = ConfigDict(protected_namespaces=())

    audio_key: str
    duration_s: float
    sample_rate: int
    model: dict[str, Any]
    ms: float
    cached: bool = False


def _voice(voices: Voices | Synthesizer, options: SpeakOptions) -> Synthesizer:
    if isinstance(voices, Voices):
        return voices.get(options.voice)
    return Voices(voices).get(options.voice)


@traced
def speak(
    voices: Voices | Synthesizer, text: str, *, language: str, options: SpeakOptions | None = None
) -> Speech:
    options = options or SpeakOptions()
    synthesizer = _voice(voices, options)
    language = normalize_language(language, synthesizer.languages)
    result = synthesizer.synthesize(text, language=language, **options.controls())
    record_inference("speak", result.ms)
    return Speech(result=result, language=language, model=synthesizer.bundle.describe())


def _material(
    synthesizer: Synthesizer, text: str, language: str, options: SpeakOptions
) -> dict[str, Any]:
    return {
        "text": text,
        "language": normalize_language(language, synthesizer.languages),
        "voice": synthesizer.bundle.fingerprint,
        "options": options.cache_material(),
    }


@traced
def store_speech(store: ObjectStore, speech: Speech, key: str) -> StoredSpeech:
    store.put_bytes(key, speech.result.wav, content_type="audio/wav")
    result = speech.result
    return StoredSpeech(
        audio_key=key,
        duration_s=round(result.duration_s, 3),
        sample_rate=result.sample_rate,
        model=speech.model,
        ms=round(result.ms, 3),
    )


@traced
def speak_into_store(
    voices: Voices | Synthesizer,
    store: ObjectStore,
    text: str,
    *,
    language: str,
    key: str,
    options: SpeakOptions | None = None,
    cache: ResultCache | None = None,
) -> StoredSpeech:
    """Synthesize into `key`, or, when the same text was already spoken by the same voice with
    the same options, answer the audio object written then (no synthesis, no write)."""
    options = options or SpeakOptions()
    synthesizer = _voice(voices, options)

    def compute() -> StoredSpeech:
        return store_speech(
            store, speak(synthesizer, text, language=language, options=options), key
        )

    def material() -> dict[str, object]:
        return _material(synthesizer, text, language, options)

    return through_cache(cache, options.cache, "speak", material, StoredSpeech, compute)


def cached_wav(
    voices: Voices | Synthesizer,
    store: ObjectStore,
    cache: ResultCache | None,
    text: str,
    *,
    language: str,
    options: SpeakOptions,
) -> tuple[StoredSpeech, bytes] | None:
    """The WAV of an earlier identical request, read back from the bucket, if any."""
    if cache is None or not options.cache:
        return None
    synthesizer = _voice(voices, options)
    entry = cache.load(
        cache.key("speak", _material(synthesizer, text, language, options)), StoredSpeech
    )
    if entry is None:
        return None
    try:
        wav = store.get_bytes(entry.audio_key, max_bytes=MAX_CACHED_WAV_BYTES)
    except ObjectNotFoundError:  # the audio expired before its entry: synthesize again
        return None
    return entry.model_copy(update={"cached": True, "ms": 0.0}), wav
