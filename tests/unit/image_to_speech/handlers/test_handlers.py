"""The model functions' Lambda handlers (fake models) with both event shapes: HTTP API v2
(Mangum) and Step Functions tasks; the job functions' handlers with their one event type each.

Events come from events/ (scripts/make_events.py) and from the same generator for edge cases.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.stub import Stubber
from image_to_speech.aws.resources import object_store
from image_to_speech.media import MAX_INLINE_IMAGE_BYTES

from scripts.make_events import (
    EVENT_JOB_ID,
    EVENT_UPLOAD_KEY,
    all_events,
    http_api_event,
    json_event,
    sample_jpeg,
)
from tests.helpers.lambda_events import read_event, response_body, response_json, wav_info
from tests.unit.image_to_speech.conftest import BUCKET, FakeLambdaContext, FunctionUnderTest


def sample_caption() -> str:
    """What the fake captioner says of the sample JPEG (its size and format)."""
    import io

    from PIL import Image

    width, height = Image.open(io.BytesIO(sample_jpeg())).size
    return f"A photo of {width}x{height} pixels (JPEG)."


def test_event_files_match_their_generator() -> None:
    """GIVEN events/*.json WHEN regenerated THEN identical (nothing was hand-edited)."""
    for name, event in all_events().items():
        assert read_event(name) == event, f"events/{name}.json is stale: run make_events.py"


def test_sample_image_event_is_small() -> None:
    from scripts.make_events import EVENTS_DIR

    assert (EVENTS_DIR / "caption_api.json").stat().st_size < 100_000


# ---- caption -------------------------------------------------------------------------------


def test_caption_api_event(
    caption_function: FunctionUnderTest, lambda_context: FakeLambdaContext
) -> None:
    """GIVEN the sample HTTP API event (base64 JPEG) WHEN handled THEN 200 JSON with a caption."""
    response = caption_function.handler(read_event("caption_api"), lambda_context)
    assert response["statusCode"] == 200, response
    assert response["isBase64Encoded"] is False
    body = response_json(response)
    assert body["caption"] == sample_caption()
    assert body["model"] == caption_function.model.bundle.describe()


def test_caption_s3key_api_event(
    caption_function: FunctionUnderTest, s3: Any, lambda_context: FakeLambdaContext
) -> None:
    s3.put_object(Bucket=BUCKET, Key=EVENT_UPLOAD_KEY, Body=sample_jpeg())
    response = caption_function.handler(read_event("caption_s3key_api"), lambda_context)
    assert response["statusCode"] == 200, response
    assert response_json(response)["caption"] == sample_caption()


def test_caption_task_event(
    caption_function: FunctionUnderTest, s3: Any, lambda_context: FakeLambdaContext
) -> None:
    """GIVEN a Step Functions task input WHEN handled THEN the task output dict comes back."""
    s3.put_object(Bucket=BUCKET, Key=EVENT_UPLOAD_KEY, Body=sample_jpeg())
    output = caption_function.handler(read_event("caption_task"), lambda_context)
    assert set(output) == {"caption", "model", "ms", "cached"}
    assert output["caption"] == sample_caption() and output["ms"] > 0
    json.dumps(output)  # Step Functions needs plain JSON


def test_oversize_body_through_mangum_is_413(
    caption_function: FunctionUnderTest, lambda_context: FakeLambdaContext
) -> None:
    event = http_api_event(
        "POST",
        "/caption",
        body=b"\xff\xd8\xff" + b"\0" * MAX_INLINE_IMAGE_BYTES,
        headers={"content-type": "image/jpeg"},
    )
    response = caption_function.handler(event, lambda_context)
    assert response["statusCode"] == 413
    assert response_json(response)["error"] == "image_too_large"


def test_unknown_route_and_method_through_mangum(
    caption_function: FunctionUnderTest, lambda_context: FakeLambdaContext
) -> None:
    missing = caption_function.handler(http_api_event("GET", "/nope"), lambda_context)
    assert missing["statusCode"] == 404 and response_json(missing)["error"] == "not_found"
    wrong = caption_function.handler(http_api_event("DELETE", "/caption"), lambda_context)
    assert wrong["statusCode"] == 405 and response_json(wrong)["allowed"] == ["POST"]


def test_health_through_mangum(
    caption_function: FunctionUnderTest, lambda_context: FakeLambdaContext
) -> None:
    response = caption_function.handler(http_api_event("GET", "/health"), lambda_context)
    assert response["statusCode"] == 200
    assert response_json(response)["models"]["caption"]["load_ms"] > 0


# ---- task errors -------------------------------------------------------------------------


def _raises(handler: Any, event: Any, error_type: str, code: str) -> dict[str, Any]:
    with pytest.raises(Exception) as caught:
        handler(event, FakeLambdaContext())
    # Lambda reports the class name as errorType: that is what the state machine matches.
    assert type(caught.value).__name__ == error_type
    body: dict[str, Any] = json.loads(str(caught.value))
    assert body["error"] == code
    return body


@pytest.mark.parametrize(
    "event, code",
    [
        ({"job_id": EVENT_JOB_ID, "bucket": BUCKET}, "invalid_task_input"),
        ({"job_id": "../x", "bucket": BUCKET, "key": EVENT_UPLOAD_KEY}, "invalid_task_input"),
        (
            {"job_id": EVENT_JOB_ID, "bucket": "someone-else", "key": EVENT_UPLOAD_KEY},
            "invalid_bucket",
        ),
        ({"job_id": EVENT_JOB_ID, "bucket": BUCKET, "key": "audio/x.wav"}, "invalid_s3_key"),
        ({"job_id": EVENT_JOB_ID, "bucket": BUCKET, "key": "uploads/none.jpg"}, "object_not_found"),
        ([1, 2], "invalid_task_input"),
    ],
)
def test_caption_task_bad_input_is_bad_input_error(
    caption_function: FunctionUnderTest, s3: Any, event: Any, code: str
) -> None:
    """GIVEN a task input that can never succeed WHEN handled THEN BadInputError (no retry)."""
    _raises(caption_function.handler, event, "BadInputError", code)


def test_caption_task_not_an_image_is_bad_input_error(
    caption_function: FunctionUnderTest, s3: Any
) -> None:
    s3.put_object(Bucket=BUCKET, Key=EVENT_UPLOAD_KEY, Body=b"plain text, not a photo")
    body = _raises(
        caption_function.handler,
        read_event("caption_task"),
        "BadInputError",
        "unsupported_image_format",
    )
    assert "image/jpeg" in body["allowed"]


@pytest.mark.parametrize("code", ["SlowDown", "InternalError", "ServiceUnavailable"])
def test_caption_task_throttled_s3_is_transient_error(
    caption_function: FunctionUnderTest, s3: Any, code: str
) -> None:
    """GIVEN S3 throttling WHEN the task reads the image THEN TransientError (retried)."""
    with Stubber(object_store().client) as stub:
        stub.add_client_error("get_object", service_error_code=code, http_status_code=503)
        _raises(
            caption_function.handler,
            read_event("caption_task"),
            "TransientError",
            "storage_unavailable",
        )


def test_s3_access_denied_is_a_configuration_error(
    caption_function: FunctionUnderTest, s3: Any
) -> None:
    """GIVEN a permissions problem (a deployment bug) WHEN read THEN ConfigurationError: not
    the client's fault, not retried by the state machine, and it says what to check."""
    with Stubber(object_store().client) as stub:
        stub.add_client_error("get_object", service_error_code="AccessDenied", http_status_code=403)
        body = _raises(
            caption_function.handler,
            read_event("caption_task"),
            "ConfigurationError",
            "not_configured",
        )
    assert "BUCKET_NAME" in json.dumps(body["allowed"])


# ---- translate -----------------------------------------------------------------------------


def test_translate_api_event(
    translate_function: FunctionUnderTest, lambda_context: FakeLambdaContext
) -> None:
    response = translate_function.handler(read_event("translate_api"), lambda_context)
    assert response["statusCode"] == 200, response
    body = response_json(response)
    assert body["source"] == "en" and body["target"] == "pt-BR" and body["translation"]


def test_translate_task_event(
    translate_function: FunctionUnderTest, lambda_context: FakeLambdaContext
) -> None:
    output = translate_function.handler(read_event("translate_task"), lambda_context)
    assert set(output) == {"translation", "model", "ms", "cached"} and output["translation"]


@pytest.mark.parametrize(
    "change, code",
    [
        ({"target": "fr"}, "unsupported_language"),
        ({"text": "   "}, "empty_text"),
        ({"text": "a" * 6000}, "invalid_task_input"),
        ({"text": 12}, "invalid_task_input"),
    ],
)
def test_translate_task_bad_input(
    translate_function: FunctionUnderTest, change: dict[str, Any], code: str
) -> None:
    _raises(
        translate_function.handler,
        {**read_event("translate_task"), **change},
        "BadInputError",
        code,
    )


def test_translate_api_error_through_mangum(
    translate_function: FunctionUnderTest, lambda_context: FakeLambdaContext
) -> None:
    event = json_event("/translate", {"text": "Hi.", "target": "es"})
    response = translate_function.handler(event, lambda_context)
    assert response["statusCode"] == 422
    assert response_json(response)["error"] == "unsupported_language"


# ---- speak ---------------------------------------------------------------------------------


def test_speak_api_event(
    speak_function: FunctionUnderTest, s3: Any, lambda_context: FakeLambdaContext
) -> None:
    response = speak_function.handler(read_event("speak_api"), lambda_context)
    assert response["statusCode"] == 200, response
    body = response_json(response)
    stored = s3.get_object(Bucket=BUCKET, Key=body["audio_key"])["Body"].read()
    assert wav_info(stored)[3] == pytest.approx(body["duration_s"], abs=0.01)


def test_speak_wav_through_mangum_is_base64(
    speak_function: FunctionUnderTest, s3: Any, lambda_context: FakeLambdaContext
) -> None:
    """GIVEN Accept: audio/wav via API Gateway WHEN handled THEN a base64 body of a real WAV."""
    event = read_event("speak_api")
    event["headers"]["accept"] = "audio/wav"
    response = speak_function.handler(event, lambda_context)
    assert response["statusCode"] == 200
    assert response["isBase64Encoded"] is True
    assert response["headers"]["content-type"] == "audio/wav"
    channels, width, rate, duration = wav_info(response_body(response))
    assert (channels, width, rate) == (1, 2, int(response["headers"]["x-sample-rate"]))
    assert duration > 0.5


def test_speak_task_event(
    speak_function: FunctionUnderTest, s3: Any, lambda_context: FakeLambdaContext
) -> None:
    """GIVEN the speak task WHEN handled THEN audio/<job_id>.wav exists and is described."""
    output = speak_function.handler(read_event("speak_task"), lambda_context)
    assert output["audio_key"] == f"audio/{EVENT_JOB_ID}.wav"
    stored = s3.get_object(Bucket=BUCKET, Key=output["audio_key"])["Body"].read()
    channels, width, rate, duration = wav_info(stored)
    assert (channels, width) == (1, 2)
    assert rate == output["sample_rate"] and duration == pytest.approx(
        output["duration_s"], abs=0.01
    )


@pytest.mark.parametrize(
    "change, code",
    [
        ({"language": "fr-FR"}, "unsupported_language"),
        ({"bucket": "other-bucket"}, "invalid_bucket"),
        ({"job_id": "a/b"}, "invalid_task_input"),
        ({"text": ""}, "invalid_task_input"),
    ],
)
def test_speak_task_bad_input(
    speak_function: FunctionUnderTest, s3: Any, change: dict[str, Any], code: str
) -> None:
    _raises(speak_function.handler, {**read_event("speak_task"), **change}, "BadInputError", code)


def test_speak_task_throttled_put_is_transient(speak_function: FunctionUnderTest, s3: Any) -> None:
    with Stubber(object_store().client) as stub:
        stub.add_client_error("put_object", service_error_code="SlowDown", http_status_code=503)
        _raises(
            speak_function.handler,
            read_event("speak_task"),
            "TransientError",
            "storage_unavailable",
        )
