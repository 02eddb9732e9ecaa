"""Result documents and readable failure reasons (no AWS involved)."""

from __future__ import annotations

import json

import pytest
from image_to_speech.pipeline.results import (
    RecordRequest,
    StepsError,
    build_result,
    readable_reason,
)


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
