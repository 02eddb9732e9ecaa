"""The pipeline's task steps: Caption, Translate, Speak, RecordSuccess / RecordFailure."""

from __future__ import annotations

from collections.abc import Callable

from ..inference.captioning import Captioner
from ..inference.translation import Translator
from ..inference.voices import Voices
from ..keys import job_audio_key
from ..pipeline.results import RecordRequest
from ..ports import ObjectStore
from ..schemas import (
    CaptionTaskInput,
    CaptionTaskOutput,
    RecordOutcome,
    SpeakTaskInput,
    SpeakTaskOutput,
    TranslateTaskInput,
    TranslateTaskOutput,
)
from ..services.cache import ResultCache
from ..services.caption import caption_upload
from ..services.jobs import record_result
from ..services.speak import speak_into_store
from ..services.translate import translate_text
from .task import Task, own_bucket

StoreProvider = Callable[[], ObjectStore]
CacheProvider = Callable[[], ResultCache | None]


def caption_task(
    captioner: Captioner, store: StoreProvider, cache: CacheProvider
) -> Task[CaptionTaskInput, CaptionTaskOutput]:
    def run(payload: CaptionTaskInput) -> CaptionTaskOutput:
        bucket = own_bucket(store(), payload.bucket)
        response = caption_upload(
            captioner, bucket, payload.key, payload.options, cache=cache(), if_match=payload.etag
        )
        return CaptionTaskOutput.model_validate(response.model_dump())

    return Task(CaptionTaskInput, run)


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


def record_task(store: StoreProvider) -> Task[RecordRequest, RecordOutcome]:
    def run(payload: RecordRequest) -> RecordOutcome:
        return record_result(own_bucket(store(), payload.job.bucket), payload)

    return Task(RecordRequest, run)
