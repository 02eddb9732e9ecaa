"""A batch's summary (`results/batches/<batch-id>/summary.json` and `.csv`): one row per object
under the batch's prefix, with the same facts as the images' own result documents."""

from __future__ import annotations

import csv
import io
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from .results import JobResult

BATCH_SUMMARY_SCHEMA_VERSION = 1
ItemStatus = Literal["SUCCEEDED", "FAILED", "SKIPPED", "NO_RESULT"]
CSV_COLUMNS = (
    "key",
    "status",
    "job_id",
    "caption",
    "translation",
    "audio_key",
    "error",
    "total_ms",
)


class BatchItem(BaseModel):
    """One object of the batch: what became of it."""

    key: str
    status: ItemStatus
    job_id: str | None = None  # None for skipped objects (they never got a job)
    caption: str | None = None
    translation: str | None = None
    audio_key: str | None = None
    # FAILED: "<step>: <type>: <reason>"; SKIPPED and NO_RESULT: why.
    error: str | None = None
    total_ms: float | None = None

    @classmethod
    def from_result(cls, key: str, result: JobResult) -> BatchItem:
        error = None
        if result.error is not None:
            error = f"{result.error.step}: {result.error.type}: {result.error.reason}"
        return cls(
            key=key,
            status=result.status,
            job_id=result.job_id,
            caption=result.caption,
            translation=result.translation,
            audio_key=result.audio_key,
            error=error,
            total_ms=result.total_ms,
        )


class BatchCounts(BaseModel):
    total: int = Field(description="Objects under the prefix")
    succeeded: int
    failed: int = Field(description="Images that failed, and images without any result")
    skipped: int = Field(description="Objects that are not images by name or size")
    no_result: int = Field(description="Of the failed: images that never recorded a result")


class BatchSummary(BaseModel):
    """The JSON manifest."""

    model_config = ConfigDict(protected_namespaces=())

    schema_version: int = BATCH_SUMMARY_SCHEMA_VERSION
    batch_id: str
    bucket: str
    prefix: str
    started_at: str | None = None
    written_at: str
    counts: BatchCounts
    failed_percentage: float
    tolerated_failure_percentage: float
    within_tolerance: bool
    reason: str = Field(description="One sentence: how the batch went")
    items: list[BatchItem]

    def to_json(self) -> str:
        return self.model_dump_json(indent=2)


def count_items(items: list[BatchItem]) -> BatchCounts:
    def number(status: ItemStatus) -> int:
        return sum(item.status == status for item in items)

    no_result = number("NO_RESULT")
    return BatchCounts(
        total=len(items),
        succeeded=number("SUCCEEDED"),
        failed=number("FAILED") + no_result,
        skipped=number("SKIPPED"),
        no_result=no_result,
    )


def items_csv(items: list[BatchItem]) -> str:
    """The same rows as the JSON manifest, for spreadsheets (UTF-8, header row)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(CSV_COLUMNS), lineterminator="\n")
    writer.writeheader()
    for item in items:
        row = item.model_dump(include=set(CSV_COLUMNS))
        writer.writerow({name: "" if row[name] is None else row[name] for name in CSV_COLUMNS})
    return buffer.getvalue()
