"""POST /jobs and GET /jobs/{id} through the job API function, as the HTTP API (v2) calls it."""

from __future__ import annotations

import base64
import json
import threading
import time
from typing import Any

import requests

from pipeline_local.moto_bridge import InProcessFunctions
from pipeline_local.runner import LocalPipeline
from tests.fakes import FakeModels
from tests.unit.pipeline_local.conftest import small_jpeg


def call_api(
    pipeline: LocalPipeline,
    method: str,
    path: str,
    body: bytes = b"",
    content_type: str | None = None,
) -> tuple[int, dict[str, Any]]:
    """Invoke the jobs function (through moto's Lambda) with an HTTP API payload v2 event."""
    headers = {"host": "api.local"}
    if content_type:
        headers["content-type"] = content_type
    event = {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": path,
        "rawQueryString": "",
        "headers": headers,
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "api",
            "domainName": "api.local",
            "domainPrefix": "api",
            "http": {
                "method": method,
                "path": path,
                "protocol": "HTTP/1.1",
                "sourceIp": "127.0.0.1",
                "userAgent": "pytest",
            },
            "requestId": "req-1",
            "routeKey": "$default",
            "stage": "$default",
            "time": "21/Nov/2026:22:00:00 +0000",
            "timeEpoch": 1795298400000,
        },
        "body": base64.b64encode(body).decode(),
        "isBase64Encoded": True,
    }
    answer = pipeline.lam.invoke(FunctionName="JobsApiFunction", Payload=json.dumps(event))
    assert "FunctionError" not in answer, answer["Payload"].read()
    response = json.loads(answer["Payload"].read())
    text = response["body"]
    if response.get("isBase64Encoded"):
        text = base64.b64decode(text).decode()
    assert response["headers"]["content-type"] == "application/json"
    return response["statusCode"], json.loads(text)


def test_presigned_upload_then_status_with_audio_url(pipeline: LocalPipeline) -> None:
    # GIVEN a job created without an image: the answer is a presigned POST under uploads/
    status, created = call_api(
        pipeline, "POST", "/jobs", b'{"content_type": "image/jpeg"}', "application/json"
    )
    assert status == 201 and created["status"] == "AWAITING_UPLOAD"
    job_id, upload = created["job_id"], created["upload"]
    assert upload["key"] == f"uploads/{job_id}.jpg" and upload["method"] == "POST"
    # WHEN the client uploads to S3 with it (moto answers the presigned POST)
    files = {"file": ("cat.jpg", small_jpeg("chelsea", 224), "image/jpeg")}
    posted = requests.post(upload["url"], data=upload["fields"], files=files, timeout=30)
    assert posted.status_code in (200, 204), posted.text
    assert pipeline.wait([job_id], timeout_s=120)[job_id] == "SUCCEEDED"
    # THEN GET /jobs/{id} has the caption, the translation and a working audio URL
    status, job = call_api(pipeline, "GET", f"/jobs/{job_id}")
    assert status == 200 and job["status"] == "SUCCEEDED"
    assert job["caption"] == "A photo of 224x149 pixels (JPEG)."
    assert job["translation"] == f"[pt-BR] {job['caption']}"
    audio = requests.get(job["audio_url"], timeout=30)
    assert audio.status_code == 200 and audio.content[:4] == b"RIFF"
    assert job["audio_url_expires_in"] == 900


def test_small_image_in_the_body_starts_the_pipeline(pipeline: LocalPipeline) -> None:
    status, created = call_api(pipeline, "POST", "/jobs", small_jpeg("coffee"), "image/jpeg")
    assert status == 202 and created["status"] == "PENDING"
    job_id = created["job_id"]
    assert created["key"] == f"uploads/{job_id}.jpg"
    assert pipeline.wait([job_id], timeout_s=120)[job_id] == "SUCCEEDED"
    status, job = call_api(pipeline, "GET", f"/jobs/{job_id}")
    assert status == 200 and job["status"] == "SUCCEEDED" and job["audio_key"]


def test_body_that_is_not_an_image_is_refused_and_not_stored(pipeline: LocalPipeline) -> None:
    status, error = call_api(pipeline, "POST", "/jobs", b"hello, world", "image/png")
    assert status == 415 and error["error"] == "unsupported_image_format"
    assert "image/png" in error["allowed"]
    listed = pipeline.s3.list_objects_v2(Bucket=pipeline.bucket, Prefix="uploads/")
    assert listed.get("KeyCount", 0) == 0


def test_unsupported_create_body_type_is_a_415(pipeline: LocalPipeline) -> None:
    status, error = call_api(pipeline, "POST", "/jobs", b"x", "text/plain")
    assert status == 415 and "application/json" in error["allowed"]


def test_unknown_job_ids_are_404_json(pipeline: LocalPipeline) -> None:
    for job_id in ("0" * 32, "not-a-job-id"):
        status, error = call_api(pipeline, "GET", f"/jobs/{job_id}")
        assert status == 404 and error["error"] == "job_not_found", job_id


def _hold(pipeline: LocalPipeline, function: str) -> threading.Event:
    """Hold a function's invocations until the returned event is set."""
    assert isinstance(pipeline.functions, InProcessFunctions)
    release = threading.Event()
    real = pipeline.functions.handlers[function]

    def held(event: Any, context: Any) -> Any:
        assert release.wait(60), "never released"
        return real(event, context)

    pipeline.functions.handlers[function] = held
    return release


def _poll(pipeline: LocalPipeline, job_id: str, done: Any, timeout_s: float = 30) -> dict[str, Any]:
    deadline = time.monotonic() + timeout_s
    while True:
        status, job = call_api(pipeline, "GET", f"/jobs/{job_id}")
        if status == 200 and done(job):
            return job
        assert time.monotonic() < deadline, job
        time.sleep(0.05)


def test_status_reports_each_stage_while_the_job_runs(pipeline: LocalPipeline) -> None:
    # GIVEN a job whose caption and translate steps are held until the test lets them go
    hold_caption = _hold(pipeline, "CaptionFunction")
    hold_translate = _hold(pipeline, "TranslateFunction")
    _status, created = call_api(pipeline, "POST", "/jobs", small_jpeg("rocket"), "image/jpeg")
    job_id = created["job_id"]
    try:
        # WHEN the status is asked while caption runs THEN RUNNING, caption running, no text
        job = _poll(pipeline, job_id, lambda j: j.get("stages", {}).get("caption"))
        assert job["status"] == "RUNNING" and job["stages"]["caption"]["status"] == "RUNNING"
        assert "caption" not in job and "translate" not in job["stages"]
        # WHEN caption finished and translate runs THEN caption is done, with its text
        hold_caption.set()
        job = _poll(pipeline, job_id, lambda j: "translate" in j.get("stages", {}))
        assert job["stages"]["caption"]["status"] == "SUCCEEDED"
        assert job["stages"]["caption"]["function_ms"] > 0
        assert (
            job["caption"].startswith("A photo of")
            and job["stages"]["translate"]["status"] == "RUNNING"
        )
    finally:
        hold_caption.set()
        hold_translate.set()
    assert pipeline.wait([job_id], timeout_s=120)[job_id] == "SUCCEEDED"
    final = call_api(pipeline, "GET", f"/jobs/{job_id}")[1]
    assert final["status"] == "SUCCEEDED"
    assert {name: stage["status"] for name, stage in final["stages"].items()} == {
        "caption": "SUCCEEDED",
        "translate": "SUCCEEDED",
        "speak": "SUCCEEDED",
    }


def test_job_options_travel_through_the_state_machine_to_each_step(
    pipeline: LocalPipeline, models: FakeModels
) -> None:
    # GIVEN a job created with generation controls for every step
    options = {
        "caption": {"do_sample": True, "top_k": 3, "seed": 11},
        "translate": {"num_beams": 4, "cache": False},
        "speak": {"length_scale": 1.25, "sentence_silence_s": 0.5},
    }
    body = json.dumps({"content_type": "image/jpeg", "options": options}).encode()
    status, created = call_api(pipeline, "POST", "/jobs", body, "application/json")
    assert status == 201
    job_id, upload = created["job_id"], created["upload"]
    # WHILE nothing is uploaded, the job exists and waits for its image
    status, waiting = call_api(pipeline, "GET", f"/jobs/{job_id}")
    assert (status, waiting["status"]) == (200, "AWAITING_UPLOAD")
    files = {"file": ("c.jpg", small_jpeg("coffee", 64), "image/jpeg")}
    assert requests.post(upload["url"], data=upload["fields"], files=files, timeout=30).ok
    assert pipeline.wait([job_id], timeout_s=60)[job_id] == "SUCCEEDED"
    # THEN each model got its own controls, and the result records them
    assert models.captioner.calls[-1]["sampling"].top_k == 3
    assert models.translator.decodings[-1].num_beams == 4
    assert models.synthesizer.options[-1]["length_scale"] == 1.25
    assert models.synthesizer.options[-1]["sentence_silence_s"] == 0.5
    status, job = call_api(pipeline, "GET", f"/jobs/{job_id}")
    assert job["options"]["translate"]["num_beams"] == 4


def test_bad_job_options_are_422_naming_the_field(pipeline: LocalPipeline) -> None:
    body = json.dumps({"options": {"speak": {"length_scale": 9}}}).encode()
    status, error = call_api(pipeline, "POST", "/jobs", body, "application/json")
    assert status == 422 and "length_scale" in error["message"]
