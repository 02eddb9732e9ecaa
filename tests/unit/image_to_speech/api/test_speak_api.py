"""POST /speak (fake voice: a real WAV); WAV stored in moto S3 and fetched by presigned URL."""

from __future__ import annotations

from typing import Any

import pytest
import requests
from fastapi.testclient import TestClient
from image_to_speech.api import speak as speak_api
from image_to_speech.inference.speech import MAX_SPEAK_CHARS, MAX_SYNC_SPEAK_CHARS
from image_to_speech.schemas import SpeakRequest, SpeakTaskInput
from pydantic import ValidationError

from tests.helpers.lambda_events import wav_info
from tests.unit.image_to_speech.conftest import BUCKET, Environment, FunctionUnderTest

SENTENCE = "Um gato dorme no sofá."


@pytest.fixture(scope="module")
def client(speak_function: FunctionUnderTest) -> TestClient:
    return TestClient(speak_function.app)


def test_speak_stores_wav_and_presigns_it(
    client: TestClient, s3: Any, speak_function: FunctionUnderTest
) -> None:
    """GIVEN pt-BR text WHEN posted THEN a WAV lands in audio/ and its presigned URL serves it."""
    response = client.post("/speak", json={"text": SENTENCE, "language": "pt-BR"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["audio_key"].startswith("audio/") and body["audio_key"].endswith(".wav")
    assert body["expires_in"] == 900
    assert body["model"]["preset"] == speak_function.model.bundle.preset
    stored = s3.get_object(Bucket=BUCKET, Key=body["audio_key"])
    assert stored["ContentType"] == "audio/wav"
    wav = stored["Body"].read()
    channels, width, rate, duration = wav_info(wav)
    assert (channels, width, rate) == (1, 2, body["sample_rate"])
    assert duration == pytest.approx(body["duration_s"], abs=0.01) and duration > 0.5
    # The URL is signed for our bucket and key; moto serves it like S3 would.
    assert "X-Amz-Expires=900" in body["url"] and body["audio_key"] in body["url"]
    fetched = requests.get(body["url"], timeout=10)
    assert fetched.status_code == 200 and fetched.content == wav


def test_presign_expiry_is_configurable(
    client: TestClient, s3: Any, environment: Environment
) -> None:
    environment.setenv("PRESIGN_EXPIRES_S", "60")
    body = client.post("/speak", json={"text": "Olá."}).json()
    assert body["expires_in"] == 60 and "X-Amz-Expires=60" in body["url"]


@pytest.mark.parametrize("accept", ["audio/wav", "audio/x-wav", "application/json;q=0.5, audio/*"])
def test_accept_wav_returns_the_wav_itself(client: TestClient, s3: Any, accept: str) -> None:
    """GIVEN Accept: audio/wav WHEN posted THEN the body is the WAV and nothing is stored."""
    response = client.post("/speak", json={"text": SENTENCE}, headers={"accept": accept})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "audio/wav"
    channels, width, rate, duration = wav_info(response.content)
    assert (channels, width) == (1, 2)
    assert rate == int(response.headers["x-sample-rate"])
    assert duration == pytest.approx(float(response.headers["x-duration-s"]), abs=0.01)
    assert s3.list_objects_v2(Bucket=BUCKET).get("KeyCount", 0) == 0


def test_json_preferred_over_wav_by_quality(client: TestClient, s3: Any) -> None:
    response = client.post(
        "/speak", json={"text": "Olá."}, headers={"accept": "audio/wav;q=0.1, application/json"}
    )
    assert response.headers["content-type"] == "application/json"


def test_accept_wav_too_big_to_inline_redirects_to_s3(
    client: TestClient, s3: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """GIVEN a WAV bigger than a Lambda response allows WHEN asked inline THEN 303 to its URL."""
    monkeypatch.setattr(speak_api, "MAX_INLINE_WAV_BYTES", 100)
    response = client.post(
        "/speak", json={"text": "Olá."}, headers={"accept": "audio/wav"}, follow_redirects=False
    )
    assert response.status_code == 303
    assert response.headers["location"] == response.json()["url"]
    assert requests.get(response.headers["location"], timeout=10).content[:4] == b"RIFF"


def test_text_too_long_is_413(client: TestClient) -> None:
    response = client.post("/speak", json={"text": "a" * (MAX_SYNC_SPEAK_CHARS + 1)})
    assert response.status_code == 413
    assert response.json()["allowed"] == {"max_chars": MAX_SYNC_SPEAK_CHARS}


def test_synchronous_speak_has_a_lower_text_limit_than_the_pipeline_task() -> None:
    # GIVEN a text longer than POST /speak takes but within the speak task's limit
    text = "a" * (MAX_SYNC_SPEAK_CHARS + 1)
    # THEN the HTTP request model refuses it and the task input model accepts it
    assert MAX_SYNC_SPEAK_CHARS < MAX_SPEAK_CHARS
    with pytest.raises(ValidationError):
        SpeakRequest(text=text)
    assert SpeakTaskInput(job_id="a" * 32, bucket="bkt", text="a" * MAX_SPEAK_CHARS).text


def test_unknown_language_is_422_listing_supported(
    client: TestClient, speak_function: FunctionUnderTest
) -> None:
    response = client.post("/speak", json={"text": "Bonjour.", "language": "fr-FR"})
    assert response.status_code == 422
    body = response.json()
    assert body["error"] == "unsupported_language"
    assert body["allowed"] == list(speak_function.model.languages)


@pytest.mark.parametrize(
    "payload",
    [{}, {"text": ""}, {"text": 5}, {"text": "Oi.", "speed": 2}, {"text": "Oi.", "language": ""}],
)
def test_bad_fields_are_422(client: TestClient, payload: dict[str, Any]) -> None:
    response = client.post("/speak", json=payload)
    assert response.status_code == 422, response.text
    assert response.json()["error"] == "invalid_request"


def test_speak_without_bucket_config_is_503_before_any_work(
    client: TestClient, speak_function: FunctionUnderTest, environment: Environment
) -> None:
    """GIVEN a deployment without BUCKET_NAME WHEN speaking THEN 503 naming the variable to
    set, and the voice never ran (configuration is checked before the work)."""
    environment.delenv("BUCKET_NAME")
    calls = len(speak_function.model.calls)
    response = client.post("/speak", json={"text": "Oi."})
    assert response.status_code == 503
    body = response.json()
    assert body["error"] == "not_configured"
    assert body["allowed"] == {"required_environment": ["BUCKET_NAME"]}
    assert len(speak_function.model.calls) == calls


def test_accept_wav_needs_no_bucket(client: TestClient, environment: Environment) -> None:
    """GIVEN no bucket configured WHEN the client takes the WAV itself THEN it still works."""
    environment.delenv("BUCKET_NAME")
    response = client.post("/speak", json={"text": "Oi."}, headers={"accept": "audio/wav"})
    assert response.status_code == 200
    assert response.content[:4] == b"RIFF"
    assert "BUCKET_NAME" not in response.text
