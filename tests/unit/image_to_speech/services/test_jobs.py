"""services/jobs.py on an in-memory store and fake executions: create, start, record, get."""

from __future__ import annotations

import json

import pytest
from image_to_speech.errors import (
    BadInputError,
    ImageTooLargeError,
    JobNotFoundError,
    UnsupportedImageFormatError,
)
from image_to_speech.media import MAX_INLINE_IMAGE_BYTES, MAX_UPLOAD_BYTES
from image_to_speech.pipeline.results import RecordRequest
from image_to_speech.ports import ExecutionInfo
from image_to_speech.schemas import JobOptions, SpeakOptions
from image_to_speech.services.jobs import (
    UploadedObject,
    create_job_with_image,
    create_upload_job,
    get_job,
    record_result,
    start_pipelines,
)

from tests.conftest import photo_bytes
from tests.fakes import FakeExecutions, InMemoryStore


def test_upload_job_gets_a_presigned_post_for_its_own_key() -> None:
    created = create_upload_job(InMemoryStore(), "image/png")
    assert created.status == "AWAITING_UPLOAD" and created.upload is not None
    assert created.key == f"uploads/{created.job_id}.png" == created.upload.key
    assert created.upload.max_bytes == MAX_UPLOAD_BYTES
    assert created.upload.fields["Content-Type"] == "image/png"


def test_image_in_the_body_is_stored_by_its_content() -> None:
    store = InMemoryStore()
    created = create_job_with_image(store, photo_bytes("coffee", "PNG"), "application/octet-stream")
    assert created.status == "PENDING" and created.key.endswith(".png")
    assert store.objects[created.key].content_type == "image/png"


@pytest.mark.parametrize(
    "data, error",
    [
        (b"plain text", UnsupportedImageFormatError),
        (b"\xff\xd8\xff" + bytes(MAX_INLINE_IMAGE_BYTES), ImageTooLargeError),
    ],
)
def test_refused_bodies_store_nothing(data: bytes, error: type[Exception]) -> None:
    store = InMemoryStore()
    with pytest.raises(error):
        create_job_with_image(store, data, "image/jpeg")
    assert store.objects == {}


def test_each_upload_starts_one_execution_and_other_prefixes_none() -> None:
    runs = FakeExecutions()
    uploads = [
        UploadedObject("b", "uploads/a.jpg", "e1"),
        UploadedObject("b", "uploads/a.jpg", "e1"),  # the same event delivered twice
        UploadedObject("b", "results/x.json", "e2"),
    ]
    outcomes = start_pipelines(runs, InMemoryStore(), uploads)
    assert [o.started for o in outcomes] == [True, False]
    (payload,) = runs.started.values()
    assert payload["key"] == "uploads/a.jpg" and payload["bucket"] == "b"
    # an upload nobody created a job for runs with the default options
    assert payload["options"] == JobOptions().model_dump(mode="json")


def test_a_created_job_runs_with_its_options_and_awaits_its_upload() -> None:
    store, runs = InMemoryStore(), FakeExecutions()
    options = JobOptions.model_validate(
        {"caption": {"num_beams": 3}, "speak": {"length_scale": 1.5, "cache": False}}
    )
    created = create_upload_job(store, "image/jpeg", options)
    status = get_job(store, runs, created.job_id)
    assert status.status == "AWAITING_UPLOAD"
    start_pipelines(runs, store, [UploadedObject("test-bucket", created.key, "etag")])
    payload = runs.started[created.job_id]
    assert payload["options"]["caption"]["num_beams"] == 3
    assert payload["options"]["speak"] == {
        **SpeakOptions().model_dump(),
        "length_scale": 1.5,
        "cache": False,
    }


def _record(action: str, **job: object) -> RecordRequest:
    state = {"job_id": "a" * 32, "bucket": "test-bucket", "key": "uploads/a.jpg", **job}
    return RecordRequest.model_validate({"action": action, "job": state})


def test_record_then_get_reads_the_result_with_an_audio_url() -> None:
    store = InMemoryStore()
    request = _record(
        "record_success",
        caption={"caption": "A cat."},
        translate={"translation": "Um gato."},
        speak={"audio_key": f"audio/{'a' * 32}.wav", "duration_s": 1.0, "sample_rate": 16000},
    )
    outcome = record_result(store, request)
    assert outcome.status == "SUCCEEDED" and outcome.results_key == f"results/{'a' * 32}.json"
    assert json.loads(store.objects[outcome.results_key].data)["caption"] == "A cat."
    status = get_job(store, FakeExecutions(), "a" * 32)
    assert status.status == "SUCCEEDED" and status.translation == "Um gato."
    assert status.audio_url == f"memory://test-bucket/audio/{'a' * 32}.wav?expires=900"


def test_record_success_without_every_step_is_refused() -> None:
    with pytest.raises(BadInputError) as caught:
        record_result(InMemoryStore(), _record("record_success", caption={"caption": "A cat."}))
    assert caught.value.code == "invalid_record_task"


def test_get_job_without_result_reports_the_execution() -> None:
    runs = FakeExecutions()
    job = "b" * 32
    runs.states[job] = ExecutionInfo(status="RUNNING", started_at="2026-12-01T00:00:00")
    assert get_job(InMemoryStore(), runs, job).status == "RUNNING"
    runs.states[job] = ExecutionInfo(status="TIMED_OUT", error="States.Timeout")
    failed = get_job(InMemoryStore(), runs, job)
    assert failed.status == "FAILED" and failed.error is not None
    assert failed.error.type == "States.Timeout"


def test_a_job_that_ends_while_its_status_is_read_reports_its_recorded_failure() -> None:
    # GIVEN a failed job whose result document is written just after the first read of it
    store = InMemoryStore()
    job = "a" * 32  # _record's job
    request = _record(
        "record_failure",
        error={"Error": "UnsupportedImageFormatError", "Cause": "not a JPEG, PNG or WebP image"},
        failed_step="caption",
    )

    class EndsDuringTheRead(FakeExecutions):
        def describe(self, job_id: str) -> ExecutionInfo | None:
            record_result(store, request)  # the recorder runs, then the execution ends
            return ExecutionInfo(status="FAILED", error="UnsupportedImageFormatError")

    # WHEN the status is read
    status = get_job(store, EndsDuringTheRead(), job)

    # THEN it names the failed step from the document, not "unknown"
    assert status.status == "FAILED" and status.error is not None
    assert status.error.step == "caption"


@pytest.mark.parametrize("job_id", ["nope", "A" * 32, "c" * 32])  # "c" * 32: never created
def test_unknown_jobs_are_404(job_id: str) -> None:
    with pytest.raises(JobNotFoundError):
        get_job(InMemoryStore(), FakeExecutions(), job_id)
