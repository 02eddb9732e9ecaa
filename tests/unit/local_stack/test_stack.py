"""`make up` in this process: every route answers as on AWS, with real models, moto and the ASL."""

from __future__ import annotations

import io
import threading
import time
import wave
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import uvicorn

from local_stack.stack import LocalStack, StackOptions
from pipeline_local.containers import free_port
from tests.unit.pipeline_local.conftest import small_jpeg

# Generous: a fresh stack answers its first request after importing the HTTP stack, and a
# loaded 2-core machine can take seconds (httpx's default is 5 s).
HTTP = httpx.Client(timeout=60)

pytestmark = pytest.mark.usefixtures("default_bundles")


@pytest.fixture(scope="module")
def default_bundles() -> dict[str, str]:
    from tests.conftest import bundle_path
    from tests.unit.pipeline_local.conftest import chosen_presets

    return {task: str(bundle_path(task, preset)) for task, preset in chosen_presets().items()}


@pytest.fixture(scope="module")
def stack(default_bundles: dict[str, str]) -> Iterator[LocalStack]:
    options = StackOptions(port=free_port(), state_dir=None)
    with LocalStack(options) as local:
        assert local.gateway is not None
        config = uvicorn.Config(
            local.gateway, host="127.0.0.1", port=options.port, log_level="warning", lifespan="off"
        )
        server = uvicorn.Server(config)
        thread = threading.Thread(target=server.run, name="uvicorn-test")
        thread.start()
        deadline = time.monotonic() + 30
        while not server.started and time.monotonic() < deadline:
            time.sleep(0.05)
        try:
            yield local
        finally:
            server.should_exit = True
            thread.join(timeout=30)


@pytest.fixture(scope="module")
def api(stack: LocalStack) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=stack.url, timeout=120) as client:
        yield client


@pytest.fixture(scope="module")
def cat() -> bytes:
    return small_jpeg("chelsea", 224)


def _ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def test_caption_accepts_raw_bytes_multipart_and_an_uploaded_key(
    api: httpx.Client, stack: LocalStack, cat: bytes
) -> None:
    raw = _ok(api.post("/caption", content=cat, headers={"content-type": "image/jpeg"}))
    multipart = _ok(api.post("/caption", files={"image": ("cat.jpg", cat, "image/jpeg")}))
    assert stack.pipeline is not None
    stack.pipeline.s3.put_object(Bucket=stack.pipeline.bucket, Key="uploads/cat.jpg", Body=cat)
    by_key = _ok(api.post("/caption", json={"s3_key": "uploads/cat.jpg"}))
    for answer in (raw, multipart, by_key):
        assert "cat" in answer["caption"].lower()


def test_translate_and_speak_with_a_url_that_plays_from_the_local_s3(
    api: httpx.Client, stack: LocalStack
) -> None:
    translated = _ok(api.post("/translate", json={"text": "A photo of a cat."}))
    assert "gato" in translated["translation"].lower()
    spoken = _ok(api.post("/speak", json={"text": translated["translation"]}))
    # THEN the presigned URL points at the local S3 on 127.0.0.1 and serves the WAV
    assert spoken["url"].startswith(stack.s3_endpoint + "/")
    wav = HTTP.get(spoken["url"])
    assert wav.status_code == 200
    with wave.open(io.BytesIO(wav.content)) as audio:
        seconds = audio.getnframes() / audio.getframerate()
    assert seconds > 0.5 and abs(seconds - spoken["duration_s"]) < 0.05
    # AND Accept: audio/wav returns the audio itself
    inline = api.post("/speak", json={"text": "Olá."}, headers={"accept": "audio/wav"})
    assert inline.status_code == 200 and inline.content[:4] == b"RIFF"


def _wait_for_job(api: httpx.Client, job_id: str) -> dict[str, Any]:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        status = _ok(api.get(f"/jobs/{job_id}"))
        # AWAITING_UPLOAD: the upload event is still on its way through SQS to the trigger
        if status["status"] not in ("RUNNING", "AWAITING_UPLOAD"):
            return dict(status)
        time.sleep(0.1)
    raise AssertionError(f"job {job_id} still running")


def test_a_job_uploaded_by_a_browser_with_the_presigned_post_runs_the_pipeline(
    api: httpx.Client, stack: LocalStack, cat: bytes
) -> None:
    # GIVEN a job and its presigned POST
    created = _ok(api.post("/jobs", json={"content_type": "image/jpeg"}), 201)
    upload = created["upload"]
    assert upload["url"].startswith(stack.s3_endpoint)
    # WHEN the page's origin uploads the photo the way a browser form does
    origin = stack.url.rstrip("/")
    sent = HTTP.post(
        upload["url"],
        data=upload["fields"],
        files={"file": ("cat.jpg", cat, "image/jpeg")},
        headers={"Origin": origin},
    )
    assert sent.status_code == 204, sent.text
    assert sent.headers["access-control-allow-origin"] == origin
    # THEN the S3 trigger starts Step Functions and GET /jobs/{id} ends with every result
    status = _wait_for_job(api, created["job_id"])
    assert status["status"] == "SUCCEEDED", status
    assert "cat" in status["caption"].lower() and "gato" in status["translation"].lower()
    assert set(status["durations_ms"]) == {"caption", "translate", "speak"}
    assert HTTP.get(status["audio_url"]).content[:4] == b"RIFF"


def test_a_job_with_the_image_in_the_body_and_one_that_is_not_an_image(
    api: httpx.Client, cat: bytes
) -> None:
    accepted = _ok(api.post("/jobs", content=cat, headers={"content-type": "image/jpeg"}), 202)
    assert _wait_for_job(api, accepted["job_id"])["status"] == "SUCCEEDED"
    created = _ok(api.post("/jobs", json={"content_type": "image/jpeg"}), 201)
    upload = created["upload"]
    text = b"shopping list: milk, eggs"
    sent = HTTP.post(upload["url"], data=upload["fields"], files={"file": ("x.jpg", text)})
    assert sent.status_code == 204
    failed = _wait_for_job(api, created["job_id"])
    assert failed["status"] == "FAILED" and failed["error"]["step"] == "caption", failed
    assert "not a JPEG, PNG or WebP image" in failed["error"]["reason"]


def test_health_routes_and_clear_errors_never_a_5xx(api: httpx.Client) -> None:
    assert _ok(api.get("/health"))["status"] == "ok"
    for name in ("caption", "translate", "speak"):
        assert name in _ok(api.get(f"/{name}/health"))["models"]
    refused = api.post("/caption", files={"image": ("x.jpg", b"hello", "image/jpeg")})
    assert refused.status_code == 415 and refused.json()["error"] == "unsupported_image_format"
    assert api.get("/jobs/0123456789abcdef0123456789abcdef").status_code == 404
    assert api.get("/nowhere").status_code == 404
    assert api.post("/translate", json={"text": ""}).status_code == 422
