"""keys.py: the S3 key layout, job ids, execution names and upload-key checks."""

from __future__ import annotations

from typing import Any

import pytest
from image_to_speech import keys
from image_to_speech.errors import InvalidKeyError

from tests.unit.image_to_speech.conftest import Environment


def test_layout() -> None:
    job = keys.new_job_id()
    assert keys.is_job_id(job)
    assert keys.upload_key(job, "JPEG") == f"uploads/{job}.jpg"
    assert keys.upload_key(job, "WEBP") == f"uploads/{job}.webp"
    assert keys.job_audio_key(job) == f"audio/{job}.wav"
    assert keys.result_key(job) == f"results/{job}.json"
    assert keys.speech_key().startswith("audio/") and keys.speech_key() != keys.speech_key()


def test_prefixes_come_from_settings(environment: Environment) -> None:
    environment.setenv("AUDIO_PREFIX", "speech/")
    assert keys.job_audio_key("a" * 32) == f"speech/{'a' * 32}.wav"


def test_minted_upload_keys_keep_their_job_id() -> None:
    job = keys.new_job_id()
    assert keys.job_id_for_upload("b", keys.upload_key(job, "PNG"), '"etag"') == job


def test_other_uploads_get_a_stable_content_address() -> None:
    """GIVEN the same object twice (a duplicate S3 event) THEN the same job; a new version of
    the key THEN a new job."""
    first = keys.job_id_for_upload("b", "uploads/My Photo.jpg", '"etag1"')
    assert first == keys.job_id_for_upload("b", "uploads/My Photo.jpg", "etag1")
    assert first != keys.job_id_for_upload("b", "uploads/My Photo.jpg", '"etag2"')
    assert keys.is_job_id(first)


def test_execution_arn() -> None:
    arn = "arn:aws:states:us-east-1:123:stateMachine:pipe"
    assert keys.execution_arn(arn, "j") == "arn:aws:states:us-east-1:123:execution:pipe:j"
    with pytest.raises(ValueError):
        keys.execution_arn("arn:aws:lambda:x", "j")


@pytest.mark.parametrize(
    "key",
    ["uploads/a.jpg", "uploads/sub/dir/photo.png", "uploads/ção.webp", "batches/museum/a.jpg"],
)
def test_valid_upload_keys(key: str) -> None:
    assert keys.validate_upload_key(key) == key


@pytest.mark.parametrize(
    "key",
    [
        "",
        "uploads/",
        "upload/a.jpg",
        "audio/a.wav",
        "uploads/../results/x.json",
        "uploads//a.jpg",
        "/uploads/a.jpg",
        "uploads\\a.jpg",
        "uploads/a\x00.jpg",
        "uploads/a\n.jpg",
        "uploads/" + "a" * 1024,
        None,
        42,
    ],
)
def test_invalid_keys_are_refused(key: Any) -> None:
    """GIVEN a key outside uploads/ or with tricks WHEN validated THEN InvalidKeyError (422)."""
    with pytest.raises(InvalidKeyError) as caught:
        keys.validate_upload_key(key)
    assert caught.value.http_status == 422
    assert caught.value.to_dict()["allowed"]["prefixes"] == ["uploads/", "batches/"]


def test_only_uploads_start_pipelines() -> None:
    assert keys.is_upload("uploads/a.jpg")
    assert not keys.is_upload("uploads/")
    assert not keys.is_upload("uploads/dir/")
    assert not keys.is_upload("results/a.json")


def test_batch_job_ids_are_what_the_batch_state_machine_computes() -> None:
    # States.Hash(States.Format('{}|{}', batch id, key), 'MD5'), checked on moto in
    # tests/unit/pipeline_local/test_batch_moto.py; this pins the formula.
    job = keys.batch_job_id("batch1", "batches/lib/a.jpg")
    assert job == "c900111635f8001b8ca52546b69acb54" and keys.is_job_id(job)
    assert keys.batch_job_id("batch2", "batches/lib/a.jpg") != job


def test_batch_summary_layout() -> None:
    batch = keys.new_batch_id()
    assert keys.is_job_id(batch)
    assert keys.batch_summary_key(batch, "csv") == f"results/batches/{batch}/summary.csv"
    assert keys.batch_outcome_key(batch) == f"results/batches/{batch}/outcome.json"


@pytest.mark.parametrize(
    "prefix, folder",
    [("batches/museum", "batches/museum/"), ("batches/a/b/", "batches/a/b/")],
)
def test_batch_prefixes_are_folders_under_batches(prefix: str, folder: str) -> None:
    assert keys.validate_batch_prefix(prefix) == folder


@pytest.mark.parametrize(
    "prefix",
    ["", "batches/", "batches", "uploads/x/", "results/", "batches/a/../b", "batches/./a", None],
)
def test_other_batch_prefixes_are_refused_saying_what_is_allowed(prefix: Any) -> None:
    with pytest.raises(InvalidKeyError) as caught:
        keys.validate_batch_prefix(prefix)
    body = caught.value.to_dict()
    assert caught.value.http_status == 422 and body["error"] == "invalid_s3_key"
    assert body["allowed"]["prefixes"] == ["batches/"]
    assert body["allowed"]["example"] == "batches/my-library/"
