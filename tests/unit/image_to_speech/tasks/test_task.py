"""tasks/: the error contract Step Functions sees, on fake models and an in-memory store."""

from __future__ import annotations

import json
from typing import Any

import pytest
from image_to_speech.errors import ConfigurationError, StorageUnavailableError
from image_to_speech.inference.voices import Voices
from image_to_speech.tasks.caption import caption_task
from image_to_speech.tasks.record import record_task
from image_to_speech.tasks.speak import speak_task
from image_to_speech.tasks.translate import translate_task

from tests.conftest import photo_bytes
from tests.fakes import FakeCaptioner, FakeSynthesizer, FakeTranslator, InMemoryStore

JOB = "d" * 32


def _failure(task: Any, event: Any) -> tuple[str, dict[str, Any]]:
    with pytest.raises(Exception) as caught:
        task(event)
    return type(caught.value).__name__, json.loads(str(caught.value))


def test_a_task_chain_on_fakes() -> None:
    store = InMemoryStore()
    store.put_bytes("uploads/p.jpg", photo_bytes("coffee"), content_type="image/jpeg")
    caption = caption_task(FakeCaptioner(), lambda: store, lambda: None)(
        {"job_id": JOB, "bucket": store.bucket, "key": "uploads/p.jpg"}
    )
    translation = translate_task(FakeTranslator(), lambda: None)(
        {"job_id": JOB, "text": caption["caption"]}
    )
    spoken = speak_task(Voices(FakeSynthesizer()), lambda: store, lambda: None)(
        {"job_id": JOB, "bucket": store.bucket, "text": translation["translation"]}
    )
    assert spoken["audio_key"] == f"audio/{JOB}.wav" and f"audio/{JOB}.wav" in store.objects
    assert set(spoken) == {"audio_key", "duration_s", "sample_rate", "model", "ms", "cached"}


@pytest.mark.parametrize(
    "event, code",
    [
        ("not a dict", "invalid_task_input"),
        ({"job_id": JOB}, "invalid_task_input"),
        ({"job_id": JOB, "bucket": "other", "key": "uploads/p.jpg"}, "invalid_bucket"),
        ({"job_id": JOB, "bucket": "test-bucket", "key": "uploads/none.jpg"}, "object_not_found"),
    ],
)
def test_client_errors_fail_as_exactly_bad_input_error(event: Any, code: str) -> None:
    store = InMemoryStore()
    name, body = _failure(caption_task(FakeCaptioner(), lambda: store, lambda: None), event)
    assert (name, body["error"]) == ("BadInputError", code)
    assert body["message"]


def test_transient_errors_fail_as_exactly_transient_error() -> None:
    store = InMemoryStore()
    store.failures.append(StorageUnavailableError("S3 is slow"))
    event = {"job_id": JOB, "bucket": store.bucket, "text": "Oi."}
    name, body = _failure(speak_task(Voices(FakeSynthesizer()), lambda: store, lambda: None), event)
    assert (name, body["error"]) == ("TransientError", "storage_unavailable")


def test_configuration_errors_keep_their_own_name() -> None:
    def no_store() -> InMemoryStore:
        raise ConfigurationError("BUCKET_NAME is not set", allowed={"x": 1})

    name, body = _failure(
        record_task(no_store), {"action": "record_failure", "job": {"job_id": JOB}}
    )
    assert name == "BadInputError"  # the input itself is incomplete: checked first
    event = {
        "action": "record_failure",
        "job": {"job_id": JOB, "bucket": "b", "key": "uploads/p.jpg"},
    }
    name, body = _failure(record_task(no_store), event)
    assert (name, body["error"]) == ("ConfigurationError", "not_configured")
