"""Load and fault tests on the local stack (moto S3 + SQS + Step Functions, the real state
machine, job functions and upload trigger; fake models). Loopback only; every loop is bounded.

What must hold under load and injected faults: nothing is lost (every upload gets exactly one
execution and one result document) and no job is misreported (the result, GET /jobs and the
execution agree, and match what the upload deserved).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from image_to_speech.errors import TransientError

from pipeline_local.moto_bridge import lambda_service_error, throttled
from pipeline_local.runner import LocalPipeline
from tests.fakes import fake_model_handlers
from tests.unit.pipeline_local.conftest import small_jpeg
from tests.unit.pipeline_local.test_jobs_api_on_moto import call_api

PHOTOS = ("chelsea", "coffee", "astronaut", "rocket")
NOT_AN_IMAGE = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n"


@pytest.fixture
def local(retry_waits: list[float]) -> Iterator[LocalPipeline]:
    with LocalPipeline(handler_overrides=fake_model_handlers(), visibility_timeout_s=1) as pipe:
        yield pipe


def images(count: int, *, broken: int = 0) -> dict[str, bytes]:
    """`count` different small photos, the last `broken` of them PDFs named .jpg."""
    found = {f"img{i:03d}.jpg": small_jpeg(PHOTOS[i % 4], 32 + i % 64) for i in range(count)}
    for i in range(count - broken, count):
        found[f"img{i:03d}.jpg"] = NOT_AN_IMAGE + str(i).encode()
    return found


def upload_all(pipeline: LocalPipeline, files: dict[str, bytes], workers: int) -> dict[str, str]:
    """Concurrent PUTs under uploads/; returns file name -> job id."""
    with ThreadPoolExecutor(max_workers=workers) as pool:
        jobs = pool.map(lambda item: (item[0], pipeline.upload(item[1], item[0])[0]), files.items())
        return dict(jobs)


def executions(pipeline: LocalPipeline) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    pages = pipeline.sfn.get_paginator("list_executions")
    for page in pages.paginate(stateMachineArn=pipeline.state_machine_arn):
        found.extend(page["executions"])
    return found


def assert_nothing_lost_nothing_misreported(
    pipeline: LocalPipeline, jobs: dict[str, str], statuses: dict[str, str], broken: set[str]
) -> None:
    names = [e["name"] for e in executions(pipeline)]
    assert sorted(names) == sorted(jobs.values()), "one execution per upload, no more, no less"
    for name, job_id in jobs.items():
        expected = "FAILED" if name in broken else "SUCCEEDED"
        result = pipeline.result(job_id)
        assert result is not None, f"{name}: no result document"
        assert statuses[job_id] == result.status == expected, name
        if expected == "FAILED":
            assert result.error is not None and result.error.step == "caption", name
            assert result.error.type == "BadInputError", name
        else:
            assert result.caption and result.translation and result.audio_key, name
    assert pipeline.queue_depth(pipeline.uploads_queue_url) == 0
    assert pipeline.queue_depth(pipeline.dead_letter_queue_url) == 0


@pytest.mark.load
def test_200_concurrent_uploads_give_200_results(local: LocalPipeline) -> None:
    # GIVEN 200 different photos uploaded at once (50 client threads)
    started = time.perf_counter()
    jobs = upload_all(local, images(200), workers=50)
    uploaded_s = time.perf_counter() - started
    assert len(set(jobs.values())) == 200
    # WHEN every execution has finished
    statuses = local.wait(jobs.values(), timeout_s=240)
    total_s = time.perf_counter() - started
    # THEN 200 executions, 200 SUCCEEDED results, each one's audio stored, empty queues
    assert_nothing_lost_nothing_misreported(local, jobs, statuses, broken=set())
    results = [local.result(job_id) for job_id in jobs.values()]
    audio_keys = {r.audio_key for r in results if r is not None}
    listed = local.s3.list_objects_v2(Bucket=local.bucket, Prefix="audio/", MaxKeys=1000)
    # every result's audio exists and no audio is orphaned; fewer than 200 objects: the result
    # cache gives equal texts one audio object (the fake captions repeat 64 image sizes)
    assert audio_keys == {o["Key"] for o in listed.get("Contents", [])}
    print(
        f"\nload: 200 uploads in {uploaded_s:.1f} s, all 200 results after {total_s:.1f} s "
        f"({200 / total_s:.1f} jobs/s); trigger batches {local.pollers[0].stats.batches}"
    )


@pytest.mark.slow
def test_faults_under_load_lose_nothing_and_misreport_nothing(
    local: LocalPipeline, retry_waits: list[float]
) -> None:
    assert local.functions is not None
    inject = local.functions.inject
    # GIVEN faults everywhere, consumed by whichever invocations come next:
    inject("UploadTriggerFunction", RuntimeError("trigger crashed"), times=4)  # batch errors
    inject("CaptionFunction", throttled(), times=12)  # Lambda.TooManyRequestsException
    inject("TranslateFunction", throttled(), times=8)
    inject("TranslateFunction", lambda_service_error(), times=3)  # Lambda.ServiceException
    inject("SpeakFunction", throttled(), times=8)
    inject("SpeakFunction", TransientError("espeak busy").as_task_error(), times=4)
    inject("RecordResultFunction", TransientError("S3 slow down").as_task_error(), times=6)
    inject("RecordResultFunction", throttled(), times=4)
    # ... and 40 uploads, 4 of which are no image (they must fail, once, with a reason)
    files = images(40, broken=4)
    broken = set(list(files)[-4:])
    started = time.perf_counter()
    jobs = upload_all(local, files, workers=20)
    statuses = local.wait(jobs.values(), timeout_s=240)
    total_s = time.perf_counter() - started
    # THEN every fault was absorbed by a retry: nothing lost, nothing misreported
    assert_nothing_lost_nothing_misreported(local, jobs, statuses, broken)
    calls = {
        name: [c.error_type for c in local.functions.calls(name)]
        for name in (
            "UploadTriggerFunction",
            "CaptionFunction",
            "TranslateFunction",
            "SpeakFunction",
            "RecordResultFunction",
        )
    }
    injected = {
        name: sum(t is not None and t != "BadInputError" for t in c) for name, c in calls.items()
    }
    assert injected == {
        "UploadTriggerFunction": 4,
        "CaptionFunction": 12,
        "TranslateFunction": 11,
        "SpeakFunction": 12,
        "RecordResultFunction": 10,
    }
    # AND GET /jobs agrees with the result documents
    for name in (next(iter(jobs)), next(iter(broken))):
        status, body = call_api(local, "GET", f"/jobs/{jobs[name]}")
        assert status == 200 and body["status"] == statuses[jobs[name]]
    print(
        f"\nfaults: 40 uploads (4 broken), {sum(injected.values())} injected faults, "
        f"{len(retry_waits)} Step Functions retries, all settled in {total_s:.1f} s"
    )


def test_a_result_that_cannot_be_recorded_is_still_reported_succeeded(
    local: LocalPipeline,
) -> None:
    assert local.functions is not None
    # GIVEN the recorder fails every attempt of RecordSuccess (1 + 10 retries)
    local.functions.inject("RecordResultFunction", TransientError("S3 down").as_task_error(), 11)
    run = local.run(small_jpeg("chelsea"), "unrecorded.jpg", timeout_s=60)
    # THEN the audio exists, the execution SUCCEEDED (SucceededUnrecorded), and GET /jobs says
    # SUCCEEDED with the caption, translation and audio from the execution's output
    assert run.status == "SUCCEEDED" and run.result is None
    assert [s.state for s in run.states][-2:] == ["RecordSuccess", "SucceededUnrecorded"]
    status, job = call_api(local, "GET", f"/jobs/{run.job_id}")
    assert status == 200 and job["status"] == "SUCCEEDED"
    assert job["caption"] == "A photo of 96x64 pixels (JPEG)."
    assert job["translation"] == f"[pt-BR] {job['caption']}"
    assert job["audio_key"] == f"audio/{run.job_id}.wav" and job["audio_url"]
