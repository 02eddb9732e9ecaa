"""The function images under SAM's local emulator (podman): real models, real S3 calls (moto).

GIVEN the images `make images` built (or this session builds) and a moto server container,
WHEN each function is invoked with the sample events in events/ (HTTP API and task shaped),
THEN it answers with real model output, reads/writes S3 objects, and the images hold no torch.
"""

from __future__ import annotations

import base64
import io
import json
import time
import urllib.request
import wave
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from .containers import (
    BUCKET,
    MODEL_FUNCTIONS,
    REPO_ROOT,
    MotoServer,
    image_size_bytes,
    image_tag,
    podman_python,
    sam_local_invoke,
    sam_local_start_api,
)

pytestmark = pytest.mark.integration

EVENTS = REPO_ROOT / "events"


def load_event(name: str) -> dict[str, Any]:
    return json.loads((EVENTS / name).read_text())


def write_event(tmp_path: Path, name: str, event: dict[str, Any]) -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(event))
    return path


def http_body(payload: dict[str, Any]) -> bytes:
    body = payload.get("body") or ""
    return base64.b64decode(body) if payload.get("isBase64Encoded") else body.encode()


def assert_audible_wav(data: bytes) -> float:
    """A RIFF/WAVE 16-bit mono file, longer than 0.3 s, clearly not silence. Returns seconds."""
    assert data[:4] == b"RIFF" and data[8:12] == b"WAVE", data[:16]
    with wave.open(io.BytesIO(data)) as wav:
        assert wav.getsampwidth() == 2 and wav.getnchannels() == 1
        frames = wav.readframes(wav.getnframes())
        seconds = wav.getnframes() / wav.getframerate()
    samples = np.frombuffer(frames, dtype=np.int16).astype(np.float64)
    rms = float(np.sqrt(np.mean(samples**2)))
    assert seconds > 0.3, seconds
    assert rms > 200, f"WAV looks silent (RMS {rms:.1f})"
    return seconds


def record_cold(metrics: dict[str, dict[str, float]], function: str, invocation: Any) -> None:
    entry = metrics.setdefault(function, {})
    if invocation.duration_ms is not None:
        entry["cold_invoke_duration_ms"] = invocation.duration_ms
    entry["sam_local_invoke_wall_s"] = round(invocation.wall_s, 2)


def test_caption_api_names_the_cat(sam_env: Path, metrics: dict[str, dict[str, float]]) -> None:
    # GIVEN chelsea (a cat photo) in an HTTP API event  WHEN invoked  THEN the caption says cat
    invocation = sam_local_invoke("CaptionFunction", EVENTS / "caption_api.json", sam_env)
    assert invocation.payload["statusCode"] == 200, invocation.payload
    body = json.loads(http_body(invocation.payload))
    assert "cat" in body["caption"].lower(), body
    assert body["model"]["preset"], body
    record_cold(metrics, "CaptionFunction", invocation)


def test_caption_task_reads_the_upload_from_s3(
    sam_env: Path, moto: MotoServer, chelsea_jpeg: bytes
) -> None:
    # GIVEN the photo uploaded where the task event points  WHEN the task runs  THEN a cat caption
    event = load_event("caption_task.json")
    moto.client("s3").put_object(Bucket=event["bucket"], Key=event["key"], Body=chelsea_jpeg)
    invocation = sam_local_invoke("CaptionFunction", EVENTS / "caption_task.json", sam_env)
    assert "cat" in invocation.payload["caption"].lower(), invocation.payload
    assert invocation.payload["ms"] > 0


def test_caption_task_with_missing_object_is_a_bad_input_error(
    sam_env: Path, tmp_path: Path
) -> None:
    # GIVEN a key that does not exist  WHEN the task runs  THEN errorType BadInputError (no retry)
    event = load_event("caption_task.json") | {"key": "uploads/does-not-exist.jpg"}
    invocation = sam_local_invoke(
        "CaptionFunction", write_event(tmp_path, "missing.json", event), sam_env
    )
    assert invocation.payload.get("errorType") == "BadInputError", invocation.payload


def test_translate_api_and_task_give_portuguese(
    sam_env: Path, metrics: dict[str, dict[str, float]]
) -> None:
    # GIVEN "A small tabby cat ..."  WHEN translated (HTTP and task)  THEN Portuguese with "gato"
    api = sam_local_invoke("TranslateFunction", EVENTS / "translate_api.json", sam_env)
    assert api.payload["statusCode"] == 200, api.payload
    body = json.loads(http_body(api.payload))
    assert body["translation"].strip(), body
    record_cold(metrics, "TranslateFunction", api)

    task = sam_local_invoke("TranslateFunction", EVENTS / "translate_task.json", sam_env)
    source = load_event("translate_task.json")["text"]
    assert task.payload["translation"].strip() and task.payload["translation"] != source
    assert "gato" in task.payload["translation"].lower(), task.payload


def test_speak_task_writes_audible_wav_to_s3(
    sam_env: Path, moto: MotoServer, metrics: dict[str, dict[str, float]]
) -> None:
    # GIVEN a pt-BR sentence  WHEN the speak task runs  THEN audio/<job>.wav in S3 is real speech
    event = load_event("speak_task.json")
    invocation = sam_local_invoke("SpeakFunction", EVENTS / "speak_task.json", sam_env)
    assert invocation.payload["audio_key"] == f"audio/{event['job_id']}.wav", invocation.payload
    stored = moto.client("s3").get_object(
        Bucket=event["bucket"], Key=invocation.payload["audio_key"]
    )
    seconds = assert_audible_wav(stored["Body"].read())
    assert abs(seconds - invocation.payload["duration_s"]) < 0.05
    record_cold(metrics, "SpeakFunction", invocation)


def test_speak_api_returns_inline_wav(sam_env: Path, tmp_path: Path) -> None:
    # GIVEN Accept: audio/wav  WHEN /speak is called  THEN the body is the WAV itself (base64)
    event = load_event("speak_api.json")
    event["headers"]["accept"] = "audio/wav"
    invocation = sam_local_invoke(
        "SpeakFunction", write_event(tmp_path, "speak_wav.json", event), sam_env
    )
    assert invocation.payload["statusCode"] == 200, invocation.payload
    assert invocation.payload["headers"]["content-type"].startswith("audio/wav")
    assert_audible_wav(http_body(invocation.payload))


def _post(url: str, body: bytes, content_type: str) -> tuple[int, bytes, float]:
    request = urllib.request.Request(url, data=body, headers={"Content-Type": content_type})
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=120) as response:
        data = response.read()
        return response.status, data, (time.perf_counter() - started) * 1000


def test_start_api_serves_routes_and_health(
    sam_env: Path,
    tmp_path: Path,
    moto: MotoServer,
    chelsea_jpeg: bytes,
    metrics: dict[str, dict[str, float]],
) -> None:
    # GIVEN `sam local start-api` on 127.0.0.1  WHEN each route is called 3 times  THEN 200s
    # (later calls reuse the warm container: their median is the warm latency recorded).
    # /caption gets an S3 key, not raw JPEG bytes: SAM's local HTTP API emulation decodes every
    # body as UTF-8 (it has no binary media types for HttpApi) and answers 502 to binary
    # bodies, which the real HTTP API base64-encodes (tested via caption_api.json above).
    moto.client("s3").put_object(Bucket=BUCKET, Key="uploads/start-api.jpg", Body=chelsea_jpeg)
    caption = json.dumps({"s3_key": "uploads/start-api.jpg"}).encode()
    translate = json.dumps({"text": "The dog runs on the beach.", "target": "pt-BR"}).encode()
    speak = json.dumps({"text": "Olá, mundo.", "language": "pt-BR"}).encode()
    calls = {
        "CaptionFunction": ("/caption", caption, "application/json"),
        "TranslateFunction": ("/translate", translate, "application/json"),
        "SpeakFunction": ("/speak", speak, "application/json"),
    }
    with sam_local_start_api(sam_env, tmp_path / "start-api.log") as base_url:
        for function, (path, body, content_type) in calls.items():
            timings = []
            for _ in range(3):
                status, data, ms = _post(base_url + path, body, content_type)
                assert status == 200, (path, data[:500])
                timings.append(ms)
            entry = metrics.setdefault(function, {})
            entry["start_api_first_request_ms"] = round(timings[0], 1)
            entry["start_api_warm_request_ms"] = round(float(np.median(timings[1:])), 1)
            if function == "CaptionFunction":
                assert "cat" in json.loads(data)["caption"].lower(), data[:300]
        translated = json.loads(_post(base_url + "/translate", translate, "application/json")[1])
        assert translated["translation"].strip()
        for name in ("caption", "translate", "speak"):
            with urllib.request.urlopen(f"{base_url}/{name}/health", timeout=120) as response:
                assert response.status == 200
                assert name in json.loads(response.read())["models"]


def test_jobs_api_reports_unknown_job_as_404(sam_env: Path, tmp_path: Path) -> None:
    # GIVEN a job id nothing was uploaded for  WHEN GET /jobs/{id}  THEN a 404 JSON error
    event = load_event("translate_api.json")
    job_id = "f" * 32
    event.update(
        rawPath=f"/jobs/{job_id}", body=None, isBase64Encoded=False, routeKey="GET /jobs/{id}"
    )
    event["requestContext"]["http"].update(method="GET", path=f"/jobs/{job_id}")
    event["pathParameters"] = {"id": job_id}
    invocation = sam_local_invoke(
        "JobsApiFunction", write_event(tmp_path, "job.json", event), sam_env
    )
    assert invocation.payload["statusCode"] == 404, invocation.payload
    assert json.loads(http_body(invocation.payload))["error"], invocation.payload


@pytest.mark.parametrize("function", [*MODEL_FUNCTIONS, "JobsApiFunction"])
def test_image_has_no_torch_or_transformers(
    built_images: None, function: str, metrics: dict[str, dict[str, float]]
) -> None:
    # GIVEN a function image  WHEN python looks for torch / transformers  THEN neither exists,
    # while pydantic (the control: proves the probe itself works) does. onnxruntime is in the
    # model functions only: the jobs function runs no model.
    probe = (
        "import importlib.util as u, json; "
        "print(json.dumps({m: u.find_spec(m) is not None "
        "for m in ('torch', 'transformers', 'onnxruntime', 'pydantic')}))"
    )
    completed = podman_python(image_tag(function), probe)
    assert completed.returncode == 0, completed.stderr
    found = json.loads(completed.stdout)
    has_model = function in MODEL_FUNCTIONS
    expected = {"torch": False, "transformers": False, "onnxruntime": has_model, "pydantic": True}
    assert found == expected, found
    metrics.setdefault(function, {})["image_mb"] = round(
        image_size_bytes(image_tag(function)) / 1e6
    )


def test_aws_builds_default_to_the_aws_base_without_the_local_ca() -> None:
    # GIVEN template.yaml and the Dockerfiles  THEN AWS builds default to the AWS base image and
    # nothing but scripts/base_image.sh (the local base) adds this host's CA bundle
    template = (REPO_ROOT / "template.yaml").read_text()
    assert "Default: public.ecr.aws/lambda/python:3.13" in template
    for function in ("caption", "translate", "speak", "jobs"):
        dockerfile = (REPO_ROOT / "functions" / function / "Dockerfile").read_text()
        assert "ARG BASE_IMAGE=public.ecr.aws/lambda/python:3.13" in dockerfile
        assert "ca-bundle" not in dockerfile.lower() and "PIP_CERT" not in dockerfile
    assert load_event("caption_task.json")["bucket"] == BUCKET
