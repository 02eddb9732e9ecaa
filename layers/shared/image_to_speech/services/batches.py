"""Batches: every image under a prefix through the pipeline (statemachine/batch.asl.json, a
Distributed Map), its progress, and its summary. Only S3 and Step Functions, never a model:
each image runs through the same Lambda tasks as a single job (and so meets the same cache)."""

from __future__ import annotations

from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

from ..errors import JobNotFoundError, ObjectNotFoundError
from ..keys import (
    batch_job_id,
    batch_outcome_key,
    batch_summary_key,
    is_job_id,
    new_batch_id,
    validate_batch_prefix,
)
from ..media import FILE_SUFFIXES, MAX_UPLOAD_BYTES
from ..observability import logger, traced
from ..pipeline.batches import BatchCounts, BatchItem, BatchSummary, count_items, items_csv
from ..pipeline.results import parse_timestamp
from ..ports import BatchRunInfo, BatchRuns, ObjectInfo, ObjectStore
from ..schemas import (
    BatchProgress,
    BatchStatus,
    BatchStatusName,
    BatchSummaryLinks,
    BatchSummaryOutcome,
    CreatedBatch,
    JobOptions,
    SummarizeBatchTaskInput,
)
from .jobs import load_result

# The names the batch state machine's CheckImage state lets through (its StringMatches
# patterns: lower or upper case, as S3 keys are case-sensitive and ASL has no lower()).
IMAGE_NAME_SUFFIXES: tuple[str, ...] = tuple(
    variant for suffix in FILE_SUFFIXES for variant in (suffix, suffix.upper())
)
# Result documents read at once by the summary (S3 GETs are I/O: threads overlap them).
SUMMARY_READERS = 16
MAX_OUTCOME_BYTES = 64 * 1024


def skip_reason(key: str, size: int) -> str | None:
    """Why a batch skips an object without running it, or None for an image to run. The batch
    state machine's CheckImage state applies the same rule (a unit test compares them)."""
    if key.endswith("/"):
        return "a folder marker, not a file"
    if not key.endswith(IMAGE_NAME_SUFFIXES):
        return f"not an image name: it must end in {'/'.join(FILE_SUFFIXES)} (lower or upper case)"
    if size == 0:
        return "empty (0 bytes)"
    if size > MAX_UPLOAD_BYTES:
        return f"{size} bytes: images may have at most {MAX_UPLOAD_BYTES} bytes"
    return None


@traced
def start_batch(
    store: ObjectStore, runs: BatchRuns, prefix: str, options: JobOptions | None = None
) -> CreatedBatch:
    """Start the batch state machine on a folder under batches/ that holds at least one object;
    every image runs with the same generation controls (the result cache serves repeats)."""
    folder = validate_batch_prefix(prefix)
    if next(iter(store.list_objects(folder)), None) is None:
        raise ObjectNotFoundError(
            f"There is nothing under '{folder}'. Upload the images there first, then start "
            "the batch.",
            allowed={"prefix": folder},
            code="empty_batch",
        )
    batch_id = new_batch_id()
    chosen = (options or JobOptions()).model_dump(mode="json")
    runs.start(batch_id, {"prefix": folder, "options": chosen})
    logger.info("batch started", extra={"batch_id": batch_id, "prefix": folder})
    return CreatedBatch(batch_id=batch_id, status_url=f"/batches/{batch_id}", prefix=folder)


@traced
def get_batch(store: ObjectStore, runs: BatchRuns, batch_id: str) -> BatchStatus:
    """The batch's execution status, its map run's counts, and its summary once written."""
    run = runs.describe(batch_id) if is_job_id(batch_id) else None
    if run is None:
        raise JobNotFoundError(
            f"No batch '{batch_id}'. Start one with POST /batches.",
            allowed={"batch_id": "32 lowercase hex characters, as returned by POST /batches"},
            code="batch_not_found",
        )
    return BatchStatus(
        batch_id=batch_id,
        status=_status(run.status),
        prefix=run.prefix,
        progress=_progress(run),
        summary=summary_links(store, batch_id),
        error=run.error,
        cause=run.cause,
        started_at=run.started_at,
        finished_at=run.stopped_at,
    )


def _status(value: str) -> BatchStatusName:
    finished: dict[str, BatchStatusName] = {
        "SUCCEEDED": "SUCCEEDED",
        "FAILED": "FAILED",
        "TIMED_OUT": "TIMED_OUT",
        "ABORTED": "ABORTED",
    }
    return finished.get(value, "RUNNING")


def _progress(run: BatchRunInfo) -> BatchProgress | None:
    if run.map_run is None:
        return None
    counts = run.map_run
    return BatchProgress(
        total=counts.total,
        succeeded=counts.succeeded,
        failed=counts.failed,
        running=counts.running,
        pending=counts.pending,
        aborted=counts.aborted,
        timed_out=counts.timed_out,
    )


def summary_links(store: ObjectStore, batch_id: str) -> BatchSummaryLinks | None:
    """Counts and presigned links of the batch's summary, or None before it is written."""
    try:
        data = store.get_bytes(batch_outcome_key(batch_id), max_bytes=MAX_OUTCOME_BYTES)
    except ObjectNotFoundError:
        return None
    outcome = BatchSummaryOutcome.model_validate_json(data)
    return BatchSummaryLinks(
        json_key=outcome.summary_key,
        csv_key=outcome.csv_key,
        json_url=store.presigned_get_url(outcome.summary_key),
        csv_url=store.presigned_get_url(outcome.csv_key),
        expires_in=store.presign_expires_s,
        counts=count_summary(outcome),
        failed_percentage=outcome.failed_percentage,
        within_tolerance=outcome.within_tolerance,
        reason=outcome.reason,
    )


def count_summary(outcome: BatchSummaryOutcome) -> BatchCounts:
    return BatchCounts(
        total=outcome.total,
        succeeded=outcome.succeeded,
        failed=outcome.failed,
        skipped=outcome.skipped,
        no_result=outcome.no_result,
    )


@traced
def summarize_batch(store: ObjectStore, request: SummarizeBatchTaskInput) -> BatchSummaryOutcome:
    """One row per object under the prefix, from the images' own result documents; written as
    summary.json, summary.csv and the small outcome.json under results/batches/<batch-id>/.
    Runs as the state machine's last state, and from the CLI for partial results."""
    objects = list(store.list_objects(request.prefix))
    items = batch_items(store, request.batch_id, objects, started_at=request.started_at)
    counts = count_items(items)
    failed_percentage = round(100.0 * counts.failed / counts.total, 2) if counts.total else 0.0
    within = failed_percentage <= request.tolerated_failure_percentage
    reason = (
        f"{counts.succeeded} of {counts.total} objects succeeded, "
        f"{counts.failed - counts.no_result} failed, {counts.no_result} without a result "
        f"({failed_percentage:g} % failed or missing; {request.tolerated_failure_percentage:g} "
        f"% tolerated), {counts.skipped} skipped."
    )
    if request.map_error and request.map_error.get("Error"):
        cause = str(request.map_error.get("Cause") or "")[:1000]
        reason += f" The map run failed: {request.map_error['Error']}: {cause}".rstrip(": ") + "."
    summary = BatchSummary(
        batch_id=request.batch_id,
        bucket=request.bucket,
        prefix=request.prefix,
        started_at=request.started_at,
        written_at=datetime.now(UTC).isoformat(),
        counts=counts,
        failed_percentage=failed_percentage,
        tolerated_failure_percentage=request.tolerated_failure_percentage,
        within_tolerance=within,
        reason=reason,
        items=items,
    )
    outcome = BatchSummaryOutcome(
        summary_key=batch_summary_key(request.batch_id, "json"),
        csv_key=batch_summary_key(request.batch_id, "csv"),
        total=counts.total,
        succeeded=counts.succeeded,
        failed=counts.failed,
        skipped=counts.skipped,
        no_result=counts.no_result,
        failed_percentage=failed_percentage,
        within_tolerance=within,
        reason=reason[:32000],  # a Fail state's cause (CausePath) is capped at 32 KB
    )
    store.put_bytes(outcome.csv_key, items_csv(items).encode("utf-8"), content_type="text/csv")
    store.put_bytes(
        outcome.summary_key, summary.to_json().encode("utf-8"), content_type="application/json"
    )
    store.put_bytes(
        batch_outcome_key(request.batch_id),
        outcome.model_dump_json().encode("utf-8"),
        content_type="application/json",
    )
    return outcome


def batch_items(
    store: ObjectStore, batch_id: str, objects: Iterable[ObjectInfo], *, started_at: str | None
) -> list[BatchItem]:
    """Skipped objects by the rule, the others from results/<job-id>.json (read in threads)."""
    began = parse_timestamp(started_at)
    items: list[BatchItem | None] = []
    to_read: list[tuple[int, ObjectInfo]] = []
    for entry in objects:
        reason = skip_reason(entry.key, entry.size)
        modified = parse_timestamp(entry.last_modified)
        if reason is None and began and modified and modified > began:
            reason = "added after the batch started: not part of it"
        if reason is not None:
            items.append(BatchItem(key=entry.key, status="SKIPPED", error=reason))
        else:
            to_read.append((len(items), entry))
            items.append(None)

    def read(position_entry: tuple[int, ObjectInfo]) -> tuple[int, BatchItem]:
        position, entry = position_entry
        job_id = batch_job_id(batch_id, entry.key)
        result = load_result(store, job_id)
        if result is None:
            missing = BatchItem(key=entry.key, status="NO_RESULT", job_id=job_id, error=NO_RESULT)
            return position, missing
        return position, BatchItem.from_result(entry.key, result)

    with ThreadPoolExecutor(max_workers=SUMMARY_READERS) as pool:
        for position, item in pool.map(read, to_read):
            items[position] = item
    return [item for item in items if item is not None]


NO_RESULT = (
    "no result document: the image had not finished when the summary was written (the map run "
    "stopped, or the batch is still running)"
)
