"""POST /batches, GET /batches/{id} and the batch state machine's Summarize task."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from ..keys import MAX_KEY_BYTES
from ..pipeline.batches import BatchCounts
from .common import BucketName, JobId, ObjectKey, _Output, _Request, _TaskInput
from .jobs import JobOptions

BatchStatusName = Literal["RUNNING", "SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED"]


class CreateBatchRequest(_Request):
    prefix: str = Field(
        min_length=1,
        max_length=MAX_KEY_BYTES,
        description="Folder of images in our bucket, under batches/ (e.g. 'batches/museum/')",
        examples=["batches/museum/"],
    )
    options: JobOptions = Field(default_factory=JobOptions)


class CreatedBatch(_Output):
    batch_id: str
    status: Literal["RUNNING"] = "RUNNING"
    status_url: str
    prefix: str


class BatchProgress(_Output):
    """The map run's item counts (DescribeMapRun): skipped objects count as succeeded here;
    the summary tells them apart."""

    total: int
    succeeded: int
    failed: int
    running: int
    pending: int
    aborted: int = 0
    timed_out: int = 0


class BatchSummaryLinks(_Output):
    json_key: str
    csv_key: str
    json_url: str
    csv_url: str
    expires_in: int
    counts: BatchCounts
    failed_percentage: float
    within_tolerance: bool
    reason: str


class BatchStatus(_Output):
    batch_id: str
    status: BatchStatusName
    prefix: str | None = None
    progress: BatchProgress | None = None
    summary: BatchSummaryLinks | None = None
    error: str | None = None
    cause: str | None = None
    started_at: str | None = None
    finished_at: str | None = None


class SummarizeBatchTaskInput(_TaskInput):
    """The batch state machine's Summarize task."""

    batch_id: JobId
    bucket: BucketName
    prefix: ObjectKey
    tolerated_failure_percentage: float = Field(ge=0, le=100)
    started_at: str | None = None
    map_error: dict[str, Any] | None = Field(
        default=None, description="The map run's {Error, Cause} when it failed, else {}"
    )


class BatchSummaryOutcome(_Output):
    summary_key: str
    csv_key: str
    total: int
    succeeded: int
    failed: int
    skipped: int
    no_result: int = 0
    failed_percentage: float
    within_tolerance: bool
    reason: str
