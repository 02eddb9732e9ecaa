"""The job functions' handlers: each accepts only its own event type (one handler per source)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from image_to_speech.entrypoints import (
    jobs_api_function,
    result_recorder_function,
    upload_trigger_function,
)

from scripts.make_events import http_api_event
from tests.fakes import FakeExecutions, InMemoryStore


def s3_record(key: str, event_name: str = "ObjectCreated:Put") -> dict[str, Any]:
    return {
        "eventSource": "aws:s3",
        "eventName": event_name,
        "s3": {"bucket": {"name": "b"}, "object": {"key": key, "eTag": "e"}},
    }


def refusal(handler: Any, event: Any) -> dict[str, Any]:
    with pytest.raises(Exception) as caught:
        handler(event, None)
    assert type(caught.value).__name__ == "BadInputError"
    body: dict[str, Any] = json.loads(str(caught.value))
    assert body["error"] == "unexpected_event"
    return body


def test_trigger_starts_one_execution_per_upload_with_decoded_keys() -> None:
    runs = FakeExecutions()
    handler = upload_trigger_function(lambda: runs).handler
    event = {
        "Records": [
            s3_record("uploads%2Fmy+cat+%2B1.jpg"),
            s3_record("results%2Fx.json"),
            s3_record("uploads%2Fold.jpg", "ObjectRemoved:Delete"),
        ]
    }
    answer = handler(event, None)
    assert len(answer["jobs"]) == 1 and answer["jobs"][0]["started"] is True
    (payload,) = runs.started.values()
    assert payload["key"] == "uploads/my cat +1.jpg"


def test_each_job_handler_refuses_the_other_event_types() -> None:
    store, runs = InMemoryStore(), FakeExecutions()
    api = jobs_api_function(lambda: store, lambda: runs).handler
    trigger = upload_trigger_function(lambda: runs).handler
    recorder = result_recorder_function(lambda: store).handler
    s3_event = {"Records": [s3_record("uploads%2Fa.jpg")]}
    http_event = http_api_event("GET", f"/jobs/{'a' * 32}")
    record_event = {"action": "record_success", "job": {}}
    refusal(api, s3_event)
    refusal(api, record_event)
    refusal(trigger, http_event)
    refusal(trigger, record_event)
    refusal(recorder, http_event)
    refusal(recorder, s3_event)
    assert runs.started == {} and store.objects == {}


def test_the_job_api_answers_http_events() -> None:
    store, runs = InMemoryStore(), FakeExecutions()
    api = jobs_api_function(lambda: store, lambda: runs).handler
    response = api(http_api_event("GET", f"/jobs/{'a' * 32}"), _Context())
    assert response["statusCode"] == 404
    assert json.loads(response["body"])["error"] == "job_not_found"


class _Context:
    function_name = "jobs"
    aws_request_id = "r"
    invoked_function_arn = "arn:aws:lambda:us-east-1:1:function:jobs"
    memory_limit_in_mb = 512
    function_version = "$LATEST"
