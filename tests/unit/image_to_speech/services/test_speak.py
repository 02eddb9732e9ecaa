"""services/speak.py with a fake voice and an in-memory store."""

from __future__ import annotations

import pytest
from image_to_speech.errors import StorageUnavailableError, UnsupportedLanguageError
from image_to_speech.services.speak import speak, speak_into_store

from tests.fakes import FakeSynthesizer, InMemoryStore


def test_speak_returns_the_wav_and_the_voice() -> None:
    speech = speak(FakeSynthesizer(), "Olá, mundo.", language="pt-br")
    assert speech.language == "pt-BR" and speech.result.wav[:4] == b"RIFF"
    assert speech.model["preset"] == "fake-voice"


def test_speak_into_store_writes_the_wav_under_the_key() -> None:
    store = InMemoryStore()
    voice = FakeSynthesizer()
    stored = speak_into_store(voice, store, "Oi.", language="pt-BR", key="audio/j.wav")
    assert stored.audio_key == "audio/j.wav" and not stored.cached
    assert store.objects["audio/j.wav"].content_type == "audio/wav"
    assert store.objects["audio/j.wav"].data[:4] == b"RIFF"
    assert stored.duration_s == pytest.approx(0.15)


def test_errors_keep_their_kind() -> None:
    with pytest.raises(UnsupportedLanguageError):
        speak(FakeSynthesizer(), "Oi.", language="de-DE")
    store = InMemoryStore()
    store.failures.append(StorageUnavailableError("S3 is slow"))
    with pytest.raises(StorageUnavailableError):
        speak_into_store(FakeSynthesizer(), store, "Oi.", language="pt-BR", key="audio/k.wav")
    assert store.objects == {}
