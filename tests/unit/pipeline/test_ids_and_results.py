"""Job ids, execution names and result documents (no AWS involved)."""

from __future__ import annotations

import json
import re

import pytest
from image_to_speech.pipeline import ids
from image_to_speech.pipeline.results import (
    RecordRequest,
    StepsError,
    build_result,
    readable_reason,
)
from image_to_speech.pipeline.trigger import uploaded_objects

NAME_RULE = re.compile(r"^[0-9A-Za-z_-]{1,80}$")


def test_minted_upload_key_keeps_its_job_id() -> None:
    job_id = ids.new_job_id()
    assert ids.job_id_for_upload("b", ids.upload_key(job_id, "jpg"), '"etag"') == job_id


def test_other_uploads_get_a_content_address_of_bucket_key_and_version() -> None:
    first = ids.job_id_for_upload("bucket", "uploads/my cat (1).jpg", '"abc"')
    assert ids.is_job_id(first)
    assert first == ids.job_id_for_upload("bucket", "uploads/my cat (1).jpg", "abc")  # quotes
    assert first != ids.job_id_for_upload("bucket", "uploads/my cat (1).jpg", "abd")
    assert first != ids.job_id_for_upload("other-bucket", "uploads/my cat (1).jpg", "abc")


@pytest.mark.parametrize("raw", ["a b", "x" * 200, "ação/*?[]", ""])
def test_execution_names_follow_step_functions_rules(raw: str) -> None:
    assert NAME_RULE.match(ids.sanitize_execution_name(raw))


def test_execution_arn_from_state_machine_arn() -> None:
    machine = "arn:aws:states:us-east-1:123456789012:stateMachine:stack-pipeline"
    assert ids.execution_arn(machine, "abc") == (
        "arn:aws:states:us-east-1:123456789012:execution:stack-pipeline:abc"
    )


def test_s3_event_keys_are_unquoted_and_only_uploads_count() -> None:
    def record(key: str) -> dict[str, object]:
        return {
            "eventSource": "aws:s3",
            "eventName": "ObjectCreated:Put",
            "s3": {"bucket": {"name": "b"}, "object": {"key": key, "eTag": "e"}},
        }

    event = {"Records": [record("uploads%2Fmy+cat+%2B1.jpg"), record("results%2Fx.json")]}
    assert [o.key for o in uploaded_objects(event)] == ["uploads/my cat +1.jpg"]


def test_failure_reason_is_read_from_the_lambda_error_json() -> None:
    body = {"error": "not_an_image", "message": "The data is not an image."}
    cause = json.dumps({"errorType": "BadInputError", "errorMessage": json.dumps(body)})
    assert readable_reason(StepsError(Error="BadInputError", Cause=cause)) == (
        "BadInputError",
        "The data is not an image. [not_an_image]",
    )
    assert readable_reason(StepsError(Error="States.Timeout", Cause=None))[1].startswith(
        "States.Timeout"
    )


def test_success_document_has_durations_between_state_entries() -> None:
    step = {"model": {"preset": "p"}, "ms": 10.0}
    request = RecordRequest.model_validate(
        {
            "action": "record_success",
            "started_at": "2026-01-01T00:00:00.000Z",
            "finished_at": "2026-01-01T00:00:01.000Z",
            "job": {
                "job_id": "a" * 32,
                "bucket": "b",
                "key": "uploads/x.jpg",
                "caption": {**step, "caption": "A cat.", "entered_at": "2026-01-01T00:00:00.100Z"},
                "translate": {
                    **step,
                    "translation": "Um gato.",
                    "entered_at": "2026-01-01T00:00:00.300Z",
                },
                "speak": {
                    **step,
                    "audio_key": "audio/a.wav",
                    "entered_at": "2026-01-01T00:00:00.600Z",
                },
            },
        }
    )
    result = build_result(request)
    assert result.status == "SUCCEEDED" and result.total_ms == 1000.0
    assert {k: v.state_ms for k, v in result.durations_ms.items()} == {
        "caption": 200.0,
        "translate": 300.0,
        "speak": 400.0,
    }
    assert set(result.models) == {"caption", "translate", "speak"}


def test_success_without_every_step_is_refused() -> None:
    request = RecordRequest.model_validate(
        {"action": "record_success", "job": {"job_id": "a" * 32, "bucket": "b", "key": "k"}}
    )
    with pytest.raises(ValueError, match="caption"):
        build_result(request)
