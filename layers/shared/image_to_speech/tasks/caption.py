"""The pipeline's Caption task: the uploaded image -> an English caption."""

from __future__ import annotations

from collections.abc import Callable

from ..inference.captioning import Captioner
from ..ports import ObjectStore
from ..schemas.caption import CaptionTaskInput, CaptionTaskOutput
from ..services.cache import ResultCache
from ..services.caption import caption_upload
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
