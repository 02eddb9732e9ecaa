"""The pipeline's Caption task: the uploaded image -> an English caption."""

from __future__ import annotations

from ..inference.captioning import Captioner
from ..schemas.caption import CaptionTaskInput, CaptionTaskOutput
from ..services.caption import caption_upload
from .task import CacheProvider, StoreProvider, Task, own_bucket


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
