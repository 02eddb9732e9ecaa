"""Batches end to end on moto: POST /batches and GET /batches/{id} through the job API
function, the REAL statemachine/batch.asl.json (a Distributed Map over an S3 prefix whose item
processor is the pipeline), the real job functions, fake models."""

from __future__ import annotations

import io
import json
import time
from typing import Any

from image_to_speech.keys import batch_job_id

from pipeline_local.runner import LocalPipeline
from tests.unit.pipeline_local.conftest import small_jpeg
from tests.unit.pipeline_local.test_jobs_api_on_moto import call_api

NOT_AN_IMAGE = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n"


def _tiny_png(index: int) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (8 + index, 8), (10 * index % 256, 0, 0)).save(buffer, "PNG")
    return buffer.getvalue()


def _put(pipeline: LocalPipeline, objects: dict[str, bytes]) -> None:
    for key, data in objects.items():
        pipeline.s3.put_object(Bucket=pipeline.bucket, Key=key, Body=data)


def _run(pipeline: LocalPipeline, prefix: str, timeout_s: float = 180.0) -> dict[str, Any]:
    status, created = call_api(
        pipeline, "POST", "/batches", json.dumps({"prefix": prefix}).encode(), "application/json"
    )
    assert status == 202, created
    deadline = time.monotonic() + timeout_s
    while True:
        status, batch = call_api(pipeline, "GET", created["status_url"])
        assert status == 200, batch
        if batch["status"] != "RUNNING" or time.monotonic() > deadline:
            return batch
        time.sleep(0.2)


def _summary(pipeline: LocalPipeline, batch: dict[str, Any]) -> dict[str, Any]:
    key = batch["summary"]["json_key"]
    body = pipeline.s3.get_object(Bucket=pipeline.bucket, Key=key)["Body"].read()
    summary: dict[str, Any] = json.loads(body)
    return summary


def test_a_batch_with_broken_images_succeeds_within_the_tolerated_share(
    pipeline: LocalPipeline,
) -> None:
    # GIVEN 20 images, one PDF named like a photo, and a text file under one folder
    prefix = "batches/museum/"
    objects = {f"{prefix}room-{i // 10}/img{i:02d}.png": _tiny_png(i) for i in range(20)}
    objects[f"{prefix}room-0/scan.jpg"] = NOT_AN_IMAGE
    objects[f"{prefix}README.txt"] = b"photos of the museum"
    _put(pipeline, objects)
    # WHEN the batch runs (POST /batches, then GET /batches/{id} until it ends)
    batch = _run(pipeline, prefix)
    # THEN 1 failure in 22 objects (4.5 %) is within the 5 % tolerated: SUCCEEDED
    assert batch["status"] == "SUCCEEDED", batch
    assert batch["progress"]["total"] == 22 and batch["progress"]["failed"] == 1
    counts = batch["summary"]["counts"]
    assert counts == {"total": 22, "succeeded": 20, "failed": 1, "skipped": 1, "no_result": 0}
    assert batch["summary"]["within_tolerance"] and batch["summary"]["csv_url"]
    # AND each image went through the pipeline's own tasks, under the job id the ASL computed
    summary = _summary(pipeline, batch)
    items = {item["key"]: item for item in summary["items"]}
    for key in objects:
        if key.endswith(".png"):
            job_id = batch_job_id(batch["batch_id"], key)
            assert items[key]["status"] == "SUCCEEDED" and items[key]["job_id"] == job_id
            assert items[key]["translation"] == f"[pt-BR] {items[key]['caption']}"
            audio = pipeline.s3.get_object(Bucket=pipeline.bucket, Key=f"audio/{job_id}.wav")
            assert audio["Body"].read()[:4] == b"RIFF"
    scan = items[f"{prefix}room-0/scan.jpg"]
    assert scan["status"] == "FAILED" and scan["error"].startswith("caption: BadInputError")
    assert items[f"{prefix}README.txt"]["status"] == "SKIPPED"
    # AND the broken image was tried once (BadInputError is never retried)
    assert pipeline.functions is not None
    refused = [c for c in pipeline.functions.calls("CaptionFunction") if c.errored]
    assert [c.error_type for c in refused] == ["BadInputError"]


def test_too_many_failures_fail_the_batch_but_its_summary_is_written(
    pipeline: LocalPipeline,
) -> None:
    # GIVEN 3 images and 2 broken files: 40 % would fail, 5 % are tolerated
    prefix = "batches/scans/"
    objects = {f"{prefix}ok{i}.jpg": small_jpeg("coffee", 32 + i) for i in range(3)}
    objects |= {f"{prefix}bad{i}.jpg": NOT_AN_IMAGE for i in range(2)}
    _put(pipeline, objects)
    batch = _run(pipeline, prefix)
    # THEN the batch FAILED, says why, and the summary still lists every object
    assert batch["status"] == "FAILED" and batch["error"] == "BatchFailed"
    assert "2 failed" in batch["cause"] and "5 % tolerated" in batch["cause"]
    summary = _summary(pipeline, batch)
    statuses = sorted(item["status"] for item in summary["items"])
    assert statuses == ["FAILED", "FAILED", "SUCCEEDED", "SUCCEEDED", "SUCCEEDED"]
    assert not summary["within_tolerance"] and summary["failed_percentage"] == 40.0


def test_batch_prefixes_outside_batches_are_refused_on_the_real_stack(
    pipeline: LocalPipeline,
) -> None:
    status, error = call_api(
        pipeline, "POST", "/batches", b'{"prefix": "uploads/"}', "application/json"
    )
    assert status == 422 and error["allowed"]["prefixes"] == ["batches/"]
    status, error = call_api(
        pipeline, "POST", "/batches", b'{"prefix": "batches/none/"}', "application/json"
    )
    assert status == 404 and error["error"] == "empty_batch"
    executions = pipeline.sfn.list_executions(stateMachineArn=pipeline.batch_state_machine_arn)
    assert executions["executions"] == []
