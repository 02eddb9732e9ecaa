"""Speak a text: into WAV bytes, or into an object in our bucket."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..inference.speech import SpeechResult, Synthesizer
from ..inference.text import normalize_language
from ..observability import record_inference, traced
from ..ports import ObjectStore


@dataclass(frozen=True)
class Speech:
    result: SpeechResult
    language: str
    model: dict[str, Any]


@dataclass(frozen=True)
class StoredSpeech:
    speech: Speech
    audio_key: str


@traced
def speak(synthesizer: Synthesizer, text: str, *, language: str = "pt-BR") -> Speech:
    language = normalize_language(language, synthesizer.languages)
    result = synthesizer.synthesize(text, language=language)
    record_inference("speak", result.ms)
    return Speech(result=result, language=language, model=synthesizer.bundle.describe())


@traced
def store_speech(store: ObjectStore, speech: Speech, key: str) -> StoredSpeech:
    store.put_bytes(key, speech.result.wav, content_type="audio/wav")
    return StoredSpeech(speech=speech, audio_key=key)


def speak_into_store(
    synthesizer: Synthesizer, store: ObjectStore, text: str, *, language: str, key: str
) -> StoredSpeech:
    return store_speech(store, speak(synthesizer, text, language=language), key)
