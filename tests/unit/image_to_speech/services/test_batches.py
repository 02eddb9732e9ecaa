"""services/batches.py on an in-memory store and fake batch runs: start, progress, summary."""

from __future__ import annotations

import csv
import io
import json

import pytest
from image_to_speech.errors import InvalidKeyError, JobNotFoundError, ObjectNotFoundError
from image_to_speech.keys import batch_job_id, result_key
from image_to_speech.media import MAX_UPLOAD_BYTES
from image_to_speech.pipeline.results import FailureInfo, JobResult
from image_to_speech.schemas import BatchSummaryOutcome, JobOptions, SummarizeBatchTaskInput
from image_to_speech.services.batches import (
    get_batch,
    skip_reason,
    start_batch,
    summarize_batch,
)

from tests.fakes import FakeBatchRuns, InMemoryStore

PREFIX = "batches/museum/"


def _store_with(*keys: str) -> InMemoryStore:
    store = InMemoryStore()
    for key in keys:
        store.put_bytes(key, b"\xff\xd8\xff image", content_type="image/jpeg")
    return store


@pytest.mark.parametrize(
    "key, size, expected",
    [
        ("batches/m/a.jpg", 10, None),
        ("batches/m/a.JPEG", 10, None),
        ("batches/m/a.webp", MAX_UPLOAD_BYTES, None),
        ("batches/m/notes.txt", 10, "not an image name"),
        ("batches/m/a.Jpg", 10, "not an image name"),
        ("batches/m/sub/", 0, "folder marker"),
        ("batches/m/a.png", 0, "empty"),
        ("batches/m/a.png", MAX_UPLOAD_BYTES + 1, "at most"),
    ],
)
def test_skip_rule(key: str, size: int, expected: str | None) -> None:
    reason = skip_reason(key, size)
    assert (reason is None) if expected is None else (expected in (reason or ""))


def test_start_batch_runs_the_folder_it_was_given() -> None:
    # GIVEN images under batches/museum/ WHEN a batch starts on "batches/museum" (no slash)
    runs = FakeBatchRuns()
    created = start_batch(_store_with(PREFIX + "a.jpg"), runs, "batches/museum")
    # THEN the state machine gets the folder, and the answer says where to look
    assert created.prefix == PREFIX and created.status == "RUNNING"
    assert runs.started == {
        created.batch_id: {"prefix": PREFIX, "options": JobOptions().model_dump(mode="json")}
    }
    assert created.status_url == f"/batches/{created.batch_id}"


def test_an_empty_folder_is_404_and_starts_nothing() -> None:
    runs = FakeBatchRuns()
    with pytest.raises(ObjectNotFoundError) as caught:
        start_batch(_store_with("batches/other/a.jpg"), runs, PREFIX)
    assert caught.value.code == "empty_batch" and caught.value.http_status == 404
    assert runs.started == {}


def test_a_prefix_outside_batches_is_refused() -> None:
    runs = FakeBatchRuns()
    with pytest.raises(InvalidKeyError):
        start_batch(_store_with("uploads/a.jpg"), runs, "uploads/")
    assert runs.started == {}


@pytest.mark.parametrize("batch_id", ["nope", "0" * 32])
def test_unknown_batches_are_404(batch_id: str) -> None:
    with pytest.raises(JobNotFoundError) as caught:
        get_batch(InMemoryStore(), FakeBatchRuns(), batch_id)
    assert caught.value.code == "batch_not_found"


def test_progress_comes_from_the_map_run() -> None:
    runs = FakeBatchRuns()
    store = _store_with(PREFIX + "a.jpg")
    created = start_batch(store, runs, PREFIX)
    assert get_batch(store, runs, created.batch_id).progress is None  # map run not started
    runs.progress(created.batch_id, total=10, succeeded=6, failed=1, running=3)
    status = get_batch(store, runs, created.batch_id)
    assert status.status == "RUNNING" and status.summary is None
    assert status.progress is not None
    assert (status.progress.total, status.progress.succeeded, status.progress.failed) == (10, 6, 1)


def _result(job_id: str, key: str, *, failed: bool = False) -> JobResult:
    return JobResult(
        job_id=job_id,
        status="FAILED" if failed else "SUCCEEDED",
        input={"bucket": "test-bucket", "key": key},
        caption=None if failed else f"A photo of {key}.",
        translation=None if failed else f"Uma foto de {key}.",
        audio_key=None if failed else f"audio/{job_id}.wav",
        error=FailureInfo(step="caption", type="BadInputError", reason="not an image")
        if failed
        else None,
        total_ms=123.0,
    )


def _batch_store(batch_id: str) -> InMemoryStore:
    """Four images (2 succeeded, 1 failed, 1 never finished), a text file, one late image."""
    store = _store_with(*(f"{PREFIX}{name}" for name in ("a.jpg", "b.png", "c.jpg", "d.jpg")))
    store.put_bytes(PREFIX + "readme.txt", b"hello", content_type="text/plain")
    store.put_bytes(PREFIX + "late.jpg", b"\xff\xd8\xff", content_type="image/jpeg")
    store.objects[PREFIX + "late.jpg"].last_modified = "2026-06-01T00:00:00+00:00"
    for name, failed in (("a.jpg", False), ("b.png", False), ("c.jpg", True)):
        key = PREFIX + name
        job = batch_job_id(batch_id, key)
        document = _result(job, key, failed=failed).to_json().encode()
        store.put_bytes(result_key(job), document, content_type="application/json")
    return store


def _summarize(store: InMemoryStore, batch_id: str, tolerated: float) -> BatchSummaryOutcome:
    return summarize_batch(
        store,
        SummarizeBatchTaskInput(
            batch_id=batch_id,
            bucket=store.bucket,
            prefix=PREFIX,
            tolerated_failure_percentage=tolerated,
            started_at="2026-05-01T00:00:00Z",
            map_error={},
        ),
    )


def test_summary_has_one_row_per_object_from_the_result_documents() -> None:
    # GIVEN a batch whose images ended in every possible way
    batch_id = "f" * 32
    store = _batch_store(batch_id)
    # WHEN the summary is written
    outcome = _summarize(store, batch_id, tolerated=50.0)
    # THEN JSON and CSV list each object with its fate, and the counts add up
    summary = json.loads(store.objects[f"results/batches/{batch_id}/summary.json"].data)
    items = {item["key"].removeprefix(PREFIX): item for item in summary["items"]}
    assert [items[name]["status"] for name in sorted(items)] == [
        "SUCCEEDED",  # a.jpg
        "SUCCEEDED",  # b.png
        "FAILED",  # c.jpg
        "NO_RESULT",  # d.jpg
        "SKIPPED",  # late.jpg: added after the batch started
        "SKIPPED",  # readme.txt
    ]
    assert items["a.jpg"]["caption"] == f"A photo of {PREFIX}a.jpg."
    assert items["a.jpg"]["audio_key"] == f"audio/{batch_job_id(batch_id, PREFIX + 'a.jpg')}.wav"
    assert items["c.jpg"]["error"] == "caption: BadInputError: not an image"
    assert "added after the batch started" in items["late.jpg"]["error"]
    assert "not an image name" in items["readme.txt"]["error"]
    assert summary["counts"] == {
        "total": 6,
        "succeeded": 2,
        "failed": 2,
        "skipped": 2,
        "no_result": 1,
    }
    rows = list(csv.DictReader(io.StringIO(store.objects[outcome.csv_key].data.decode())))
    assert [row["key"] for row in rows] == [item["key"] for item in summary["items"]]
    assert rows[0]["translation"] == f"Uma foto de {PREFIX}a.jpg." and rows[3]["caption"] == ""
    # AND 2 of 6 failed or missing (33.33 %) is within 50 % tolerated
    assert outcome.failed_percentage == 33.33 and outcome.within_tolerance


def test_summary_says_when_more_failed_than_tolerated_and_get_batch_links_it() -> None:
    batch_id = "e" * 32
    store = _batch_store(batch_id)
    runs = FakeBatchRuns()
    runs.started[batch_id] = {"prefix": PREFIX}
    runs.progress(batch_id, status="FAILED", total=6, succeeded=4, failed=2)
    outcome = _summarize(store, batch_id, tolerated=10.0)
    assert not outcome.within_tolerance
    assert "2 of 6 objects succeeded, 1 failed, 1 without a result" in outcome.reason
    status = get_batch(store, runs, batch_id)
    assert status.status == "FAILED" and status.summary is not None
    assert status.summary.counts.failed == 2 and not status.summary.within_tolerance
    assert (
        status.summary.csv_url.startswith("memory://") and "summary.csv" in status.summary.csv_url
    )
