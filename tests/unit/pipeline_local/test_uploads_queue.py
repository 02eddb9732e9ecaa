"""No lost uploads, on moto: S3 -> SQS -> the upload trigger (the real handler, polled like
Lambda's event source mapping), the dead-letter queue, re-drive and reconciliation, and a
second upload through the same presigned POST."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from urllib.parse import quote_plus

import pytest
import requests
from image_to_speech.aws.stepfunctions import StepFunctionsExecutions
from image_to_speech.media import MAX_UPLOAD_BYTES

from pipeline_local import template as tmpl
from pipeline_local.operations import reconcile, redrive
from pipeline_local.runner import LocalPipeline
from tests.fakes import fake_model_handlers
from tests.unit.pipeline_local.conftest import small_jpeg
from tests.unit.pipeline_local.test_jobs_api_on_moto import call_api

TRIGGER = "UploadTriggerFunction"
MAX_RECEIVES = tmpl.queues(tmpl.load_template())["UploadsQueue"].max_receive_count or 0


@pytest.fixture
def fast_queue(retry_waits: list[float]) -> Iterator[LocalPipeline]:
    """Fake models; a failed upload event comes back after 1 s (template.yaml: 180 s)."""
    with LocalPipeline(handler_overrides=fake_model_handlers(), visibility_timeout_s=1) as local:
        yield local


def trigger_calls_for(pipeline: LocalPipeline, key: str) -> list[bool]:
    """Whether each trigger invocation that carried this key errored, in order."""
    assert pipeline.functions is not None
    encoded = quote_plus(key)
    return [
        call.errored
        for call in pipeline.functions.calls(TRIGGER)
        if encoded in json.dumps(call.event)
    ]


def executions(pipeline: LocalPipeline) -> list[str]:
    listed = pipeline.sfn.list_executions(stateMachineArn=pipeline.state_machine_arn)
    return [e["name"] for e in listed["executions"]]


def wait_for(condition: object, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


@pytest.mark.slow
def test_trigger_failing_twice_then_succeeding_gives_exactly_one_job(
    fast_queue: LocalPipeline,
) -> None:
    pipeline = fast_queue
    assert pipeline.functions is not None
    # GIVEN the upload trigger crashes on its next two invocations
    pipeline.functions.inject(TRIGGER, RuntimeError("StartExecution timed out"), times=2)
    # WHEN a photo is uploaded
    job_id, key = pipeline.upload(small_jpeg("coffee"), "coffee.jpg")
    # THEN SQS delivered the event three times, and the third start made the one job
    assert pipeline.wait([job_id], timeout_s=60)[job_id] == "SUCCEEDED"
    calls = trigger_calls_for(pipeline, key)
    assert calls[:3] == [True, True, False]
    # (SQS delivers at least once: on a loaded machine the third call can outlast the 1 s
    # visibility timeout and the event comes again; that start is a no-op, same job id)
    assert not any(calls[3:])
    assert executions(pipeline) == [job_id]
    result = pipeline.result(job_id)
    assert result is not None and result.status == "SUCCEEDED"
    assert pipeline.queue_depth(pipeline.uploads_queue_url) == 0
    assert pipeline.queue_depth(pipeline.dead_letter_queue_url) == 0


@pytest.mark.slow
def test_trigger_that_always_fails_dead_letters_the_upload_and_redrive_completes_it(
    fast_queue: LocalPipeline,
) -> None:
    pipeline = fast_queue
    assert pipeline.functions is not None and MAX_RECEIVES >= 2
    # GIVEN a trigger that fails every time the event is delivered (maxReceiveCount times)
    pipeline.functions.inject(TRIGGER, RuntimeError("state machine missing"), times=MAX_RECEIVES)
    job_id, key = pipeline.upload(small_jpeg("rocket"), "rocket.jpg")
    # WHEN the queue has given up on it
    wait_for(lambda: pipeline.queue_depth(pipeline.dead_letter_queue_url) == 1, 60)
    # THEN the event is in the dead-letter queue, no job started, and waiting says why
    assert trigger_calls_for(pipeline, key) == [True] * MAX_RECEIVES
    assert pipeline.status(job_id) is None and executions(pipeline) == []
    with pytest.raises(Exception, match="dead-letter queue"):
        pipeline.wait([job_id], timeout_s=5)
    # WHEN the operator re-drives the dead-letter queue (the cause is gone)
    moved = redrive(pipeline.sqs, pipeline.dead_letter_queue_url, pipeline.uploads_queue_url)
    # THEN the job runs to completion, once
    assert moved == 1
    assert pipeline.wait([job_id], timeout_s=60)[job_id] == "SUCCEEDED"
    assert executions(pipeline) == [job_id]
    assert pipeline.queue_depth(pipeline.dead_letter_queue_url) == 0


@pytest.mark.slow
def test_reconcile_starts_uploads_whose_event_was_lost_and_nothing_else(
    fast_queue: LocalPipeline,
) -> None:
    pipeline = fast_queue
    assert pipeline.functions is not None
    # GIVEN one upload that has its job, and one whose event was lost for good
    done_id, _ = pipeline.upload(small_jpeg("chelsea"), "kept.jpg")
    assert pipeline.wait([done_id], timeout_s=60)[done_id] == "SUCCEEDED"
    pipeline.functions.inject(TRIGGER, RuntimeError("lost"), times=MAX_RECEIVES)
    lost_id, lost_key = pipeline.upload(small_jpeg("astronaut"), "lost.jpg")
    wait_for(lambda: pipeline.queue_depth(pipeline.dead_letter_queue_url) == 1, 60)
    pipeline.sqs.purge_queue(QueueUrl=pipeline.dead_letter_queue_url)  # e.g. retention passed
    runs = StepFunctionsExecutions()
    # WHEN reconcile runs: a dry run first, then for real
    dry = reconcile(pipeline.s3, runs, pipeline.bucket, min_age_s=0, dry_run=True)
    report = reconcile(pipeline.s3, runs, pipeline.bucket, min_age_s=0)
    # THEN only the upload without a job was (listed, then) started, and it completes
    assert [u.key for u in dry.orphans] == [lost_key] and dry.started == []
    assert (report.scanned, report.with_job, report.started) == (2, 1, [lost_id])
    assert pipeline.wait([lost_id], timeout_s=60)[lost_id] == "SUCCEEDED"
    assert sorted(executions(pipeline)) == sorted([done_id, lost_id])
    # AND young uploads are left alone (their event may still be on its way)
    late = reconcile(pipeline.s3, runs, pipeline.bucket, min_age_s=3600, dry_run=True)
    assert late.too_recent == 2 and late.orphans == []


def test_second_upload_through_the_same_presigned_post_is_refused(
    fast_queue: LocalPipeline,
) -> None:
    pipeline = fast_queue
    # GIVEN a job whose image was uploaded with its presigned POST and captioned
    status, created = call_api(
        pipeline, "POST", "/jobs", b'{"content_type": "image/jpeg"}', "application/json"
    )
    assert status == 201
    job_id, upload = created["job_id"], created["upload"]
    first = small_jpeg("chelsea", 96)
    post(upload, first)
    assert pipeline.wait([job_id], timeout_s=60)[job_id] == "SUCCEEDED"
    # WHEN the same presigned POST is used again with another image
    post(upload, small_jpeg("coffee", 64))
    wait_for(lambda: len(trigger_calls_for(pipeline, upload["key"])) >= 2, 30)
    pipeline.wait_queue_empty(pipeline.uploads_queue_url)
    # THEN the second image was refused: the key holds the first image again, the job and its
    # result are unchanged, and no second execution started
    stored = pipeline.s3.get_object(Bucket=pipeline.bucket, Key=upload["key"])["Body"].read()
    assert stored == first
    versions = pipeline.s3.list_object_versions(Bucket=pipeline.bucket, Prefix=upload["key"])
    assert len(versions["Versions"]) == 1
    assert executions(pipeline) == [job_id]
    status, job = call_api(pipeline, "GET", f"/jobs/{job_id}")
    assert job["caption"] == "A photo of 96x64 pixels (JPEG)."


def test_the_job_apis_presigned_post_policy_pins_key_type_size_and_expiry(
    fast_queue: LocalPipeline,
) -> None:
    # GIVEN a job created through the job API (moto does not enforce POST policies)
    before = datetime.now(UTC)
    _, created = call_api(
        fast_queue, "POST", "/jobs", b'{"content_type": "image/png"}', "application/json"
    )
    upload = created["upload"]
    # WHEN its POST policy is decoded
    policy = json.loads(base64.b64decode(upload["fields"]["policy"]))
    conditions = policy["conditions"]
    # THEN it allows exactly this key, this type, 1..MAX_UPLOAD_BYTES bytes, for 900 s
    assert {"key": f"uploads/{created['job_id']}.png"} in conditions
    assert {"Content-Type": "image/png"} in conditions
    assert ["content-length-range", 1, MAX_UPLOAD_BYTES] in conditions
    assert {"bucket": fast_queue.bucket} in conditions
    expires = datetime.strptime(policy["expiration"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    assert 890 <= (expires - before).total_seconds() <= 905
    assert upload["expires_in"] == 900 and upload["max_bytes"] == MAX_UPLOAD_BYTES


def post(upload: dict[str, object], image: bytes) -> None:
    files = {"file": ("photo.jpg", image, "image/jpeg")}
    fields = upload["fields"]
    assert isinstance(fields, dict)
    posted = requests.post(str(upload["url"]), data=fields, files=files, timeout=30)
    assert posted.status_code in (200, 204), posted.text
