"""The asynchronous pipeline end to end on moto: real ASL, real handlers; fake models, and
the real model bundles in one test (marked models)."""

from __future__ import annotations

import io
import json
import wave
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import quote_plus

import pytest
from image_to_speech.errors import BadInputError, TransientError

from pipeline_local.runner import LocalPipeline
from tests.fakes import FakeModels
from tests.unit.pipeline_local.conftest import small_jpeg


def _keys(pipeline: LocalPipeline, prefix: str) -> list[str]:
    listed = pipeline.s3.list_objects_v2(Bucket=pipeline.bucket, Prefix=prefix)
    return [item["Key"] for item in listed.get("Contents", [])]


def _executions(pipeline: LocalPipeline) -> list[Any]:
    return pipeline.sfn.list_executions(stateMachineArn=pipeline.state_machine_arn)["executions"]


def test_fake_models_chain_their_outputs_through_the_state_machine(
    pipeline: LocalPipeline,
) -> None:
    # GIVEN a photo uploaded under uploads/ WHEN the pipeline runs on fake models
    run = pipeline.run(small_jpeg("chelsea", 96), "chelsea.jpg", timeout_s=60)
    # THEN each step got the previous step's output: caption -> translation -> speech
    assert run.status == "SUCCEEDED" and run.result is not None
    assert run.result.caption == "A photo of 96x64 pixels (JPEG)."
    assert run.result.translation == f"[pt-BR] {run.result.caption}"
    assert run.result.audio_key == f"audio/{run.job_id}.wav"
    assert run.result.models["caption"]["preset"] == "fake-captioner"
    assert [s.state for s in run.states] == ["Caption", "Translate", "Speak", "RecordSuccess"]


@pytest.mark.models
def test_upload_produces_caption_translation_audio_and_a_complete_result(
    real_pipeline: LocalPipeline, retry_waits: list[float], default_bundles: dict[str, str]
) -> None:
    pipeline = real_pipeline
    # GIVEN the photo of a cat uploaded under uploads/ (the S3 trigger starts the pipeline)
    run = pipeline.run(small_jpeg("chelsea", 224), "chelsea.jpg", timeout_s=120)

    # THEN the execution succeeded and its result document is complete
    assert run.status == "SUCCEEDED"
    result = run.result
    assert result is not None and result.status == "SUCCEEDED" and result.error is None
    assert result.input == {"bucket": pipeline.bucket, "key": "uploads/chelsea.jpg"}
    assert "cat" in (result.caption or "").lower()
    assert "gato" in (result.translation or "").lower()
    assert result.audio_key == f"audio/{run.job_id}.wav"
    expected = {
        task: json.loads((Path(path) / "manifest.json").read_text())["preset"]
        for task, path in default_bundles.items()
    }
    assert {step: model["preset"] for step, model in result.models.items()} == expected
    for step in ("caption", "translate", "speak"):
        timing = result.durations_ms[step]
        assert timing.function_ms and timing.function_ms > 0, step
        assert timing.state_ms is not None and timing.state_ms >= timing.function_ms * 0.9, step
    assert result.total_ms and result.total_ms >= sum(
        t.state_ms or 0 for t in result.durations_ms.values()
    )
    assert _keys(pipeline, "results/") == [f"results/{run.job_id}.json"]

    # AND the audio object is a playable WAV of the announced length
    body = pipeline.s3.get_object(Bucket=pipeline.bucket, Key=result.audio_key)["Body"].read()
    with wave.open(io.BytesIO(body)) as wav:
        assert wav.getnchannels() == 1 and wav.getsampwidth() == 2
        assert wav.getframerate() == result.audio["sample_rate"]  # type: ignore[index]
        seconds = wav.getnframes() / wav.getframerate()
    assert seconds > 0.3
    assert abs(seconds - result.audio["duration_s"]) < 0.05  # type: ignore[index]

    # AND every state ran once, in order, with no retry
    assert [(s.state, s.attempts) for s in run.states] == [
        ("Caption", 1),
        ("Translate", 1),
        ("Speak", 1),
        ("RecordSuccess", 1),
    ]
    assert retry_waits == []


def test_transient_error_is_retried_with_backoff_then_succeeds(
    pipeline: LocalPipeline, retry_waits: list[float]
) -> None:
    # GIVEN translate fails once with a TransientError (e.g. throttling)
    assert pipeline.functions is not None
    pipeline.functions.inject(
        "TranslateFunction", TransientError("slow down", code="throttled").as_task_error()
    )
    # WHEN an image goes through the pipeline
    run = pipeline.run(small_jpeg("coffee"), "coffee.jpg", timeout_s=120)
    # THEN the second attempt succeeded and the job too
    assert run.status == "SUCCEEDED" and run.result is not None and run.result.translation
    calls = pipeline.functions.calls("TranslateFunction")
    assert [c.error_type for c in calls] == ["TransientError", None]
    assert dict((s.state, s.attempts) for s in run.states)["Translate"] == 2
    # ... after one back-off wait (IntervalSeconds 1 with full jitter)
    assert len(retry_waits) == 1 and 0 <= retry_waits[0] <= 1


def test_permanent_error_fails_the_job_at_once_with_its_result_file(
    pipeline: LocalPipeline, retry_waits: list[float]
) -> None:
    # GIVEN speak refuses its input (BadInputError: retrying cannot help)
    assert pipeline.functions is not None
    message = "'text' has 9000 characters; at most 3000 are accepted."
    pipeline.functions.inject(
        "SpeakFunction", BadInputError(message, code="text_too_long").as_task_error()
    )
    run = pipeline.run(small_jpeg("astronaut"), "astronaut.jpg", timeout_s=120)
    # THEN the job FAILED once, at speak, and the result says why, keeping what was done
    assert run.status == "FAILED"
    result = run.result
    assert result is not None and result.status == "FAILED" and result.error is not None
    assert (result.error.step, result.error.type) == ("speak", "BadInputError")
    assert result.error.reason == f"{message} [text_too_long]"
    assert result.caption and result.translation and result.audio_key is None
    assert [c.error_type for c in pipeline.functions.calls("SpeakFunction")] == ["BadInputError"]
    assert retry_waits == []
    described = pipeline.sfn.describe_execution(executionArn=run.execution_arn)
    assert described["error"] == "PipelineFailed" and "speak failed" in described["cause"]
    assert _keys(pipeline, "audio/") == []


def test_non_image_upload_fails_without_retries_and_stays_untouched(
    pipeline: LocalPipeline, retry_waits: list[float]
) -> None:
    # GIVEN a PDF named like a JPEG
    data = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n"
    job_id, key = pipeline.upload(data, "holiday.jpg")
    etag = pipeline.s3.head_object(Bucket=pipeline.bucket, Key=key)["ETag"]
    status = pipeline.wait([job_id], timeout_s=60)[job_id]
    # THEN the caption step refused it once (checked by content), nothing else ran
    assert status == "FAILED"
    result = pipeline.result(job_id)
    assert result is not None and result.error is not None
    assert (result.error.step, result.error.type) == ("caption", "BadInputError")
    assert "image" in result.error.reason.lower()
    assert pipeline.functions is not None
    assert len(pipeline.functions.calls("CaptionFunction")) == 1
    assert pipeline.functions.calls("TranslateFunction") == []
    states = {s.state: s.attempts for s in pipeline.state_timings(job_id)}
    assert states["Caption"] == 1 and "Translate" not in states
    assert retry_waits == []
    # AND the uploaded object was neither deleted nor altered
    stored = pipeline.s3.get_object(Bucket=pipeline.bucket, Key=key)
    assert stored["Body"].read() == data and stored["ETag"] == etag


def test_same_s3_event_twice_gives_one_execution_and_one_result(pipeline: LocalPipeline) -> None:
    # GIVEN an upload whose S3 notification (through SQS) started the job
    job_id, key = pipeline.upload(small_jpeg("rocket"), "rocket.jpg")
    assert pipeline.wait([job_id], timeout_s=120)[job_id] == "SUCCEEDED"
    assert pipeline.functions is not None
    (event,) = [
        call.event
        for call in pipeline.functions.calls("UploadTriggerFunction")
        if quote_plus(key) in json.dumps(call.event)  # S3 events carry keys quote_plus-encoded
    ]
    assert event["Records"][0]["eventSource"] == "aws:sqs"

    def deliver() -> dict[str, object]:
        answer = pipeline.lam.invoke(
            FunctionName="UploadTriggerFunction", Payload=json.dumps(event)
        )
        assert "FunctionError" not in answer
        return json.loads(answer["Payload"].read())

    # WHEN SQS delivers the same message again (at-least-once) after the job finished
    late = deliver()
    # THEN the trigger reports no failure, and there is still one execution and one result
    assert late == {"batchItemFailures": []}
    assert len(_executions(pipeline)) == 1
    assert _keys(pipeline, "results/") == [f"results/{job_id}.json"]


@pytest.mark.slow
def test_twenty_uploads_at_once_all_complete(pipeline: LocalPipeline) -> None:
    # GIVEN 20 different small photos uploaded concurrently
    photos = ["chelsea", "coffee", "astronaut", "rocket"]
    images = {f"img{i:02d}.jpg": small_jpeg(photos[i % 4], 48 + 4 * i) for i in range(20)}
    with ThreadPoolExecutor(max_workers=20) as pool:
        jobs = list(pool.map(lambda item: pipeline.upload(item[1], item[0]), images.items()))
    job_ids = [job_id for job_id, _ in jobs]
    assert len(set(job_ids)) == 20
    # WHEN every execution has finished
    statuses = pipeline.wait(job_ids, timeout_s=300)
    # THEN nothing was lost: 20 executions, 20 complete results, 20 audio files
    assert sorted(statuses.values()) == ["SUCCEEDED"] * 20
    assert len(_executions(pipeline)) == 20
    for job_id, key in jobs:
        result = pipeline.result(job_id)
        assert result is not None and result.input["key"] == key
        assert result.caption and result.translation and result.audio_key
    assert len(_keys(pipeline, "results/")) == 20
    assert len(_keys(pipeline, "audio/")) == 20


def test_a_duplicate_upload_finishes_without_running_any_model(
    pipeline: LocalPipeline, models: FakeModels
) -> None:
    # GIVEN a photo that went through the pipeline once
    photo = small_jpeg("coffee", 96)
    first = pipeline.run(photo, "coffee.jpg", timeout_s=60)
    calls = (
        len(models.captioner.calls),
        len(models.translator.batches),
        len(models.synthesizer.calls),
    )
    # WHEN the same bytes are uploaded under another name
    again = pipeline.run(photo, "coffee copy.jpg", timeout_s=60)
    # THEN every step is a cache hit: no model ran, and the result says so per step
    assert again.status == "SUCCEEDED" and again.result is not None and first.result is not None
    assert again.result.cached == {"caption": True, "translate": True, "speak": True}
    assert first.result.cached == {"caption": False, "translate": False, "speak": False}
    assert again.result.audio_key == first.result.audio_key
    assert again.result.translation == first.result.translation
    assert (
        len(models.captioner.calls),
        len(models.translator.batches),
        len(models.synthesizer.calls),
    ) == calls
