"""Pydantic models of every request, response and Step Functions task payload, one module per
route family: common (field types and limits, error and health bodies), decoding, caption,
translate, speak, jobs, batches.

`from image_to_speech.schemas import CaptionOptions` imports only the module that defines it.
Building pydantic models is most of what a function's cold start costs beyond its model, so a
model function builds its own schemas and no others (the caption function never builds the job
or batch models).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..lazy import lazy_names

if TYPE_CHECKING:
    from .batches import BatchProgress as BatchProgress
    from .batches import BatchStatus as BatchStatus
    from .batches import BatchStatusName as BatchStatusName
    from .batches import BatchSummaryLinks as BatchSummaryLinks
    from .batches import BatchSummaryOutcome as BatchSummaryOutcome
    from .batches import CreateBatchRequest as CreateBatchRequest
    from .batches import CreatedBatch as CreatedBatch
    from .batches import SummarizeBatchTaskInput as SummarizeBatchTaskInput
    from .caption import CaptionOptions as CaptionOptions
    from .caption import CaptionParams as CaptionParams
    from .caption import CaptionResponse as CaptionResponse
    from .caption import CaptionS3Request as CaptionS3Request
    from .caption import CaptionTaskInput as CaptionTaskInput
    from .caption import CaptionTaskOutput as CaptionTaskOutput
    from .common import JOB_ID_PATTERN as JOB_ID_PATTERN
    from .common import MAX_LANGUAGE_TAG_CHARS as MAX_LANGUAGE_TAG_CHARS
    from .common import MAX_SPEAK_CHARS as MAX_SPEAK_CHARS
    from .common import MAX_SYNC_SPEAK_CHARS as MAX_SYNC_SPEAK_CHARS
    from .common import MAX_TRANSLATE_CHARS as MAX_TRANSLATE_CHARS
    from .common import BucketName as BucketName
    from .common import CaptionMaxNewTokens as CaptionMaxNewTokens
    from .common import CaptionNumBeams as CaptionNumBeams
    from .common import JobId as JobId
    from .common import LanguageTag as LanguageTag
    from .common import MaxNewTokens as MaxNewTokens
    from .common import ModelDescription as ModelDescription
    from .common import NumBeams as NumBeams
    from .common import ObjectKey as ObjectKey
    from .common import SpeakText as SpeakText
    from .common import SyncSpeakText as SyncSpeakText
    from .common import TranslateText as TranslateText
    from .http import ErrorBody as ErrorBody
    from .http import HealthResponse as HealthResponse
    from .http import ModelHealth as ModelHealth
    from .jobs import CreatedJob as CreatedJob
    from .jobs import CreateJobRequest as CreateJobRequest
    from .jobs import JobOptions as JobOptions
    from .jobs import JobRequest as JobRequest
    from .jobs import JobStatus as JobStatus
    from .jobs import PresignedUpload as PresignedUpload
    from .jobs import RecordOutcome as RecordOutcome
    from .speak import SpeakOptions as SpeakOptions
    from .speak import SpeakRequest as SpeakRequest
    from .speak import SpeakResponse as SpeakResponse
    from .speak import SpeakTaskInput as SpeakTaskInput
    from .speak import SpeakTaskOutput as SpeakTaskOutput
    from .translate import TranslateOptions as TranslateOptions
    from .translate import TranslateRequest as TranslateRequest
    from .translate import TranslateResponse as TranslateResponse
    from .translate import TranslateTaskInput as TranslateTaskInput
    from .translate import TranslateTaskOutput as TranslateTaskOutput

_MODULE_OF = {
    "BatchProgress": "batches",
    "BatchStatus": "batches",
    "BatchStatusName": "batches",
    "BatchSummaryLinks": "batches",
    "BatchSummaryOutcome": "batches",
    "BucketName": "common",
    "CaptionMaxNewTokens": "common",
    "CaptionNumBeams": "common",
    "CaptionOptions": "caption",
    "CaptionParams": "caption",
    "CaptionResponse": "caption",
    "CaptionS3Request": "caption",
    "CaptionTaskInput": "caption",
    "CaptionTaskOutput": "caption",
    "CreateBatchRequest": "batches",
    "CreateJobRequest": "jobs",
    "CreatedBatch": "batches",
    "CreatedJob": "jobs",
    "ErrorBody": "http",
    "HealthResponse": "http",
    "JOB_ID_PATTERN": "common",
    "JobId": "common",
    "JobOptions": "jobs",
    "JobRequest": "jobs",
    "JobStatus": "jobs",
    "LanguageTag": "common",
    "MAX_LANGUAGE_TAG_CHARS": "common",
    "MAX_SPEAK_CHARS": "common",
    "MAX_SYNC_SPEAK_CHARS": "common",
    "MAX_TRANSLATE_CHARS": "common",
    "MaxNewTokens": "common",
    "ModelDescription": "common",
    "ModelHealth": "http",
    "NumBeams": "common",
    "ObjectKey": "common",
    "PresignedUpload": "jobs",
    "RecordOutcome": "jobs",
    "SpeakOptions": "speak",
    "SpeakRequest": "speak",
    "SpeakResponse": "speak",
    "SpeakTaskInput": "speak",
    "SpeakTaskOutput": "speak",
    "SpeakText": "common",
    "SummarizeBatchTaskInput": "batches",
    "SyncSpeakText": "common",
    "TranslateOptions": "translate",
    "TranslateRequest": "translate",
    "TranslateResponse": "translate",
    "TranslateTaskInput": "translate",
    "TranslateTaskOutput": "translate",
    "TranslateText": "common",
}
__all__ = sorted(_MODULE_OF)

__getattr__ = lazy_names(__name__, _MODULE_OF)
