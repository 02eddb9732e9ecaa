"""functions/<name>/: the real handler modules with their real models, and their packaging."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from scripts.make_events import EVENT_UPLOAD_KEY, sample_jpeg
from tests.conftest import photo_bytes
from tests.helpers.lambda_events import read_event, response_json, wav_info

from .conftest import BUCKET, load_function

REPO = Path(__file__).resolve().parents[3]
MODEL_FUNCTIONS = ["caption", "translate", "speak"]
CATS = ("cat", "tabby", "tiger", "egyptian")


class FakeContext:
    function_name = "test"
    function_version = "$LATEST"
    memory_limit_in_mb = 2048
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:test"
    aws_request_id = "req"

    def get_remaining_time_in_millis(self) -> int:
        return 30_000


@pytest.mark.models
def test_caption_function_names_the_cat_over_http_and_as_a_task(s3: Any) -> None:
    """GIVEN the real caption function WHEN the sample photo comes over HTTP and as a task
    THEN both captions name a cat."""
    caption = load_function("caption")
    over_http = response_json(caption.handler(read_event("caption_api"), FakeContext()))
    assert any(word in over_http["caption"].lower() for word in CATS), over_http
    s3.put_object(Bucket=BUCKET, Key=EVENT_UPLOAD_KEY, Body=sample_jpeg())
    as_task = caption.handler(read_event("caption_task"), FakeContext())
    assert as_task["caption"] == over_http["caption"]
    multipart = TestClient(caption.function.app).post(
        "/caption", files={"image": ("c.png", photo_bytes("chelsea", "PNG"), "image/png")}
    )
    assert any(word in multipart.json()["caption"].lower() for word in CATS)


@pytest.mark.models
def test_translate_function_speaks_portuguese() -> None:
    translate = load_function("translate")
    body = response_json(translate.handler(read_event("translate_api"), FakeContext()))
    assert "gato" in body["translation"].lower(), body
    task = translate.handler(read_event("translate_task"), FakeContext())
    assert task["translation"] == body["translation"]


@pytest.mark.models
def test_speak_function_stores_real_speech(s3: Any) -> None:
    speak = load_function("speak")
    output = speak.handler(read_event("speak_task"), FakeContext())
    stored = s3.get_object(Bucket=BUCKET, Key=output["audio_key"])["Body"].read()
    channels, width, rate, duration = wav_info(stored)
    assert (channels, width, rate) == (1, 2, output["sample_rate"]) and duration > 1.0


@pytest.mark.parametrize("name", MODEL_FUNCTIONS)
def test_function_requirements_follow_runtime_pins(name: str) -> None:
    """GIVEN functions/<name>/requirements.txt WHEN compared THEN every line is a runtime pin."""
    runtime = _requirements(REPO / "requirements" / "runtime.txt")
    lines = _requirements(REPO / "functions" / name / "requirements.txt")
    assert lines and set(lines) <= runtime
    assert not any(line.startswith(("torch", "transformers")) for line in lines)


@pytest.mark.parametrize(
    "path", [*(f"{name}/app.py" for name in MODEL_FUNCTIONS), "jobs/api.py", "jobs/trigger.py"]
)
def test_function_modules_are_thin(path: str) -> None:
    """A handler module only loads its model and assembles the function (entrypoints.py)."""
    source = (REPO / "functions" / path).read_text()
    assert len(source.splitlines()) < 20
    assert "instrument(" in source and "image_to_speech.entrypoints" in source


def _requirements(path: Path) -> set[str]:
    return {
        line.strip()
        for line in path.read_text().splitlines()
        if line.strip() and not line.startswith("#")
    }
