"""POST /caption and the pipeline's Caption task."""

from __future__ import annotations

from typing import Any

from pydantic import ConfigDict, Field

from .common import (
    BucketName,
    CaptionMaxNewTokens,
    JobId,
    ModelDescription,
    ObjectKey,
    _Output,
    _TaskInput,
    options_only,
)
from .decoding import _Decoding


class CaptionOptions(_Decoding):
    max_new_tokens: CaptionMaxNewTokens = None

    def cache_material(self) -> dict[str, Any]:
        return options_only(self, CaptionOptions.model_fields)


class CaptionParams(CaptionOptions):
    """Query parameters of POST /caption with an image body."""

    model_config = ConfigDict(defer_build=True)  # HTTP only: built with the app


class CaptionS3Request(CaptionOptions):
    model_config = ConfigDict(defer_build=True)  # HTTP only: built with the app

    s3_key: ObjectKey = Field(description="Key of an uploaded image in our bucket (uploads/...)")


class CaptionTaskOutput(_Output):
    caption: str
    model: ModelDescription
    ms: float = Field(description="Model time (decode + preprocess + inference), milliseconds")
    cached: bool = Field(default=False, description="Served from the result cache")


class CaptionResponse(CaptionTaskOutput):
    pass


class CaptionTaskInput(_TaskInput):
    job_id: JobId
    bucket: BucketName
    key: ObjectKey
    options: CaptionOptions = Field(default_factory=CaptionOptions)
    # The upload's ETag when the job started: exactly that content is captioned.
    etag: str | None = Field(default=None, max_length=128)
