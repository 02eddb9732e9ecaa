"""The upload trigger's use case: one job per upload, and a second upload to a job's key
refused (its version deleted) so the key keeps the image the job ran on."""

from __future__ import annotations

from image_to_speech.services.jobs import UploadedObject
from image_to_speech.services.uploads import accept_upload

from tests.fakes import FakeExecutions, InMemoryStore, etag_of

JOB = "a" * 32
KEY = f"uploads/{JOB}.jpg"


def uploaded(store: InMemoryStore, data: bytes, key: str = KEY) -> UploadedObject:
    store.put_bytes(key, data, content_type="image/jpeg")
    etag = etag_of(data)
    return UploadedObject(bucket=store.bucket, key=key, version=etag, etag=etag)


def test_first_upload_starts_its_job_with_its_etag() -> None:
    store, runs = InMemoryStore(), FakeExecutions()
    outcome = accept_upload(runs, store, uploaded(store, b"first"))
    assert outcome is not None and (outcome.job_id, outcome.started) == (JOB, True)
    started = runs.started[JOB]
    assert {k: started[k] for k in ("job_id", "bucket", "key", "etag")} == {
        "job_id": JOB,
        "bucket": store.bucket,
        "key": KEY,
        "etag": etag_of(b"first"),
    }


def test_the_same_event_again_changes_nothing() -> None:
    store, runs = InMemoryStore(), FakeExecutions()
    event = uploaded(store, b"first")
    accept_upload(runs, store, event)
    again = accept_upload(runs, store, event)
    assert again is not None and (again.started, again.refused_versions) == (False, 0)
    assert store.get_bytes(KEY, max_bytes=100) == b"first" and len(store.versions(KEY)) == 1


def test_second_upload_to_a_jobs_key_is_refused_and_the_first_image_restored() -> None:
    # GIVEN a job started for the first image
    store, runs = InMemoryStore(), FakeExecutions()
    accept_upload(runs, store, uploaded(store, b"first"))
    # WHEN the same presigned POST uploads another image to the same key
    outcome = accept_upload(runs, store, uploaded(store, b"second"))
    # THEN no new run, the second version is deleted, and the key holds the first image again
    assert outcome is not None and (outcome.started, outcome.refused_versions) == (False, 1)
    assert list(runs.started) == [JOB]
    assert store.get_bytes(KEY, max_bytes=100) == b"first"
    assert [v.etag for v in store.versions(KEY)] == [etag_of(b"first")]
    # AND the job's pinned read (If-Match) finds its image
    assert store.get_bytes(KEY, max_bytes=100, if_match=etag_of(b"first")) == b"first"


def test_events_arriving_out_of_order_still_leave_the_jobs_image() -> None:
    # GIVEN two uploads to the job's key whose events arrive newest first
    store, runs = InMemoryStore(), FakeExecutions()
    first, second = uploaded(store, b"first"), uploaded(store, b"second")
    accept_upload(runs, store, second)
    outcome = accept_upload(runs, store, first)
    # THEN the job runs on the image whose event came first, and that image stays
    assert runs.started[JOB]["etag"] == etag_of(b"second")
    assert outcome is not None and outcome.refused_versions == 1
    assert store.get_bytes(KEY, max_bytes=100) == b"second"


def test_other_keys_are_one_job_per_content() -> None:
    # A key without a minted job id: each content is its own job (a new run), nothing deleted.
    store, runs = InMemoryStore(), FakeExecutions()
    one = accept_upload(runs, store, uploaded(store, b"first", "uploads/cat.jpg"))
    two = accept_upload(runs, store, uploaded(store, b"second", "uploads/cat.jpg"))
    assert one is not None and two is not None and one.job_id != two.job_id
    assert one.started and two.started and len(store.versions("uploads/cat.jpg")) == 2


def test_objects_outside_uploads_start_nothing() -> None:
    store, runs = InMemoryStore(), FakeExecutions()
    assert accept_upload(runs, store, uploaded(store, b"x", "results/x.json")) is None
    assert runs.started == {}
