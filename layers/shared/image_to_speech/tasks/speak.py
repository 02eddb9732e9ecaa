"""The pipeline's Speak task: the translation -> a WAV under audio/ in the bucket."""

from __future__ import annotations

from ..inference.voices import Voices
from ..keys import job_audio_key
from ..schemas.speak import SpeakTaskInput, SpeakTaskOutput
from ..services.speak import speak_into_store
from .task import CacheProvider, StoreProvider, Task, own_bucket


def speak_task(
    voices: Voices, store: StoreProvider, cache: CacheProvider
) -> Task[SpeakTaskInput, SpeakTaskOutput]:
    def run(payload: SpeakTaskInput) -> SpeakTaskOutput:
        bucket = own_bucket(store(), payload.bucket)
        stored = speak_into_store(
            voices,
            bucket,
            payload.text,
            language=payload.language,
            key=job_audio_key(payload.job_id),
            options=payload.options,
            cache=cache(),
        )
        return SpeakTaskOutput.model_validate(stored.model_dump())

    return Task(SpeakTaskInput, run)
