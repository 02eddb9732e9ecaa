"""Regenerate the sample Lambda events in events/ (never hand-edit their base64 bodies).

    .venv/bin/python scripts/make_events.py

Every function gets an API Gateway HTTP API (payload 2.0) event and a Step Functions task
input. The image is scikit-image's "chelsea" (a cat photo), downscaled so the event stays small.
"""

from __future__ import annotations

import base64
import io
import json
from pathlib import Path
from typing import Any

EVENTS_DIR = Path(__file__).resolve().parents[1] / "events"
# Names the events use; tests create this bucket in moto and set BUCKET_NAME to it.
EVENT_BUCKET = "image-to-speech-local"
EVENT_JOB_ID = "0123456789abcdef0123456789abcdef"
EVENT_UPLOAD_KEY = f"uploads/{EVENT_JOB_ID}.jpg"
EVENT_TIME_EPOCH_MS = 1767225600000  # fixed so regenerating gives identical files


def sample_jpeg(width: int = 320, quality: int = 85) -> bytes:
    import skimage.data
    from PIL import Image

    image = Image.fromarray(skimage.data.chelsea()).convert("RGB")
    height = round(image.height * width / image.width)
    buffer = io.BytesIO()
    image.resize((width, height), Image.Resampling.LANCZOS).save(buffer, "JPEG", quality=quality)
    return buffer.getvalue()


def http_api_event(
    method: str,
    path: str,
    *,
    body: bytes | str | None = None,
    headers: dict[str, str] | None = None,
    query: str = "",
    request_id: str = "sample-request-id",
) -> dict[str, Any]:
    """An API Gateway HTTP API payload-2.0 event, as Lambda receives it ($default stage)."""
    is_binary = isinstance(body, bytes)
    encoded: str | None
    if body is None:
        encoded = None
    elif isinstance(body, bytes):
        encoded = base64.b64encode(body).decode("ascii")
    else:
        encoded = body
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": path,
        "rawQueryString": query,
        "headers": {
            "host": "abcdef1234.execute-api.us-east-1.amazonaws.com",
            "user-agent": "curl/8.5.0",
            "x-forwarded-proto": "https",
            **{name.lower(): value for name, value in (headers or {}).items()},
        },
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "abcdef1234",
            "domainName": "abcdef1234.execute-api.us-east-1.amazonaws.com",
            "domainPrefix": "abcdef1234",
            "http": {
                "method": method,
                "path": path,
                "protocol": "HTTP/1.1",
                "sourceIp": "203.0.113.10",
                "userAgent": "curl/8.5.0",
            },
            "requestId": request_id,
            "routeKey": "$default",
            "stage": "$default",
            "time": "01/Jan/2026:00:00:00 +0000",
            "timeEpoch": EVENT_TIME_EPOCH_MS,
        },
        "isBase64Encoded": is_binary,
    }
    if query:
        pairs = (part.partition("=") for part in query.split("&"))
        event["queryStringParameters"] = {name: value for name, _, value in pairs}
    if encoded is not None:
        event["body"] = encoded
    return event


def json_event(path: str, payload: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    headers = {"content-type": "application/json", **kwargs.pop("headers", {})}
    return http_api_event("POST", path, body=json.dumps(payload), headers=headers, **kwargs)


def all_events() -> dict[str, dict[str, Any]]:
    text_en = "A small tabby cat is sitting on a wooden floor."
    text_pt = "Um pequeno gato malhado está sentado num chão de madeira."
    return {
        "caption_api": http_api_event(
            "POST",
            "/caption",
            body=sample_jpeg(),
            headers={"content-type": "image/jpeg"},
            request_id="caption-api-request",
        ),
        "caption_s3key_api": json_event(
            "/caption", {"s3_key": EVENT_UPLOAD_KEY}, request_id="caption-s3key-request"
        ),
        "caption_task": {"job_id": EVENT_JOB_ID, "bucket": EVENT_BUCKET, "key": EVENT_UPLOAD_KEY},
        "translate_api": json_event(
            "/translate",
            {"text": text_en, "source": "en", "target": "pt-BR"},
            request_id="translate-api-request",
        ),
        "translate_task": {
            "job_id": EVENT_JOB_ID,
            "text": text_en,
            "source": "en",
            "target": "pt-BR",
        },
        "speak_api": json_event(
            "/speak", {"text": text_pt, "language": "pt-BR"}, request_id="speak-api-request"
        ),
        "speak_task": {
            "job_id": EVENT_JOB_ID,
            "bucket": EVENT_BUCKET,
            "text": text_pt,
            "language": "pt-BR",
        },
    }


def main() -> None:
    EVENTS_DIR.mkdir(exist_ok=True)
    for name, event in all_events().items():
        path = EVENTS_DIR / f"{name}.json"
        path.write_text(json.dumps(event, indent=2, ensure_ascii=False) + "\n")
        print(f"{path.relative_to(EVENTS_DIR.parent)}: {path.stat().st_size} bytes")


if __name__ == "__main__":
    main()
