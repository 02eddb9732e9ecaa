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
from image_to_speech.errors import TransientError

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
    store, runs = InMemoryStore(), FakeExecutions()
    handler = upload_trigger_function(lambda: runs, lambda: store).handler
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
    trigger = upload_trigger_function(lambda: runs, lambda: store).handler
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


def sqs_record(message_id: str, body: dict[str, Any]) -> dict[str, Any]:
    return {
        "messageId": message_id,
        "receiptHandle": f"rh-{message_id}",
        "body": json.dumps(body),
        "attributes": {"ApproximateReceiveCount": "1"},
        "messageAttributes": {},
        "md5OfBody": "",
        "eventSource": "aws:sqs",
        "eventSourceARN": "arn:aws:sqs:us-east-1:1:UploadsQueue",
        "awsRegion": "us-east-1",
    }


class FlakyExecutions(FakeExecutions):
    """Step Functions that refuses to start the jobs of some keys."""

    def __init__(self, failing_keys: set[str]) -> None:
        super().__init__()
        self.failing_keys = failing_keys

    def start(self, job_id: str, payload: dict[str, Any]) -> Any:
        if payload["key"] in self.failing_keys:
            raise TransientError("Step Functions is unavailable right now; retry later.")
        return super().start(job_id, payload)


def test_trigger_reports_only_the_failed_messages_of_an_sqs_batch() -> None:
    # GIVEN a batch of three messages: two uploads, the second of which cannot start now,
    # and S3's test event (sent when the notification is configured)
    store, runs = InMemoryStore(), FlakyExecutions({"uploads/b.jpg"})
    handler = upload_trigger_function(lambda: runs, lambda: store).handler
    event = {
        "Records": [
            sqs_record("m1", {"Records": [s3_record("uploads%2Fa.jpg")]}),
            sqs_record("m2", {"Records": [s3_record("uploads%2Fb.jpg")]}),
            sqs_record("m3", {"Service": "Amazon S3", "Event": "s3:TestEvent", "Bucket": "b"}),
        ]
    }
    # WHEN the trigger handles it
    answer = handler(event, None)
    # THEN only the failed message comes back (Lambda deletes the others), a.jpg's job started
    assert answer == {"batchItemFailures": [{"itemIdentifier": "m2"}]}
    assert [p["key"] for p in runs.started.values()] == ["uploads/a.jpg"]
    assert next(iter(runs.started.values()))["etag"] == "e"


def test_trigger_fails_a_message_that_holds_no_s3_event_so_it_reaches_the_dlq() -> None:
    store, runs = InMemoryStore(), FakeExecutions()
    handler = upload_trigger_function(lambda: runs, lambda: store).handler
    event = {
        "Records": [
            sqs_record("ok", {"Records": [s3_record("uploads%2Fa.jpg")]}),
            sqs_record("junk", {"hello": "world"}),
        ]
    }
    assert handler(event, None) == {"batchItemFailures": [{"itemIdentifier": "junk"}]}


def test_trigger_batch_where_every_message_fails_is_a_function_error() -> None:
    # Lambda then retries the whole batch, and the Errors alarm sees it.
    store, runs = InMemoryStore(), FlakyExecutions({"uploads/a.jpg"})
    handler = upload_trigger_function(lambda: runs, lambda: store).handler
    event = {"Records": [sqs_record("m1", {"Records": [s3_record("uploads%2Fa.jpg")]})]}
    with pytest.raises(Exception, match="All records failed"):
        handler(event, None)
