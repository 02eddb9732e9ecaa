"""Small helpers shared by the API tests."""

from __future__ import annotations

import base64
import io
import json
import wave
from typing import Any

from PIL import Image


def read_event(name: str) -> dict[str, Any]:
    from scripts.make_events import EVENTS_DIR

    return json.loads((EVENTS_DIR / f"{name}.json").read_text())


def image_bytes(fmt: str, size: tuple[int, int] = (64, 48), mode: str = "RGB") -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size, color=0).save(buffer, fmt)
    return buffer.getvalue()


def wav_info(data: bytes) -> tuple[int, int, int, float]:
    """(channels, sample width in bytes, rate, duration_s) of a WAV, read with the stdlib."""
    with wave.open(io.BytesIO(data)) as reader:
        frames = reader.getnframes()
        rate = reader.getframerate()
        return reader.getnchannels(), reader.getsampwidth(), rate, frames / rate


def response_body(response: dict[str, Any]) -> bytes:
    """The body of a Lambda proxy response (Mangum base64-encodes binary media types)."""
    body = response.get("body", "")
    return base64.b64decode(body) if response.get("isBase64Encoded") else body.encode()


def response_json(response: dict[str, Any]) -> Any:
    return json.loads(response_body(response))
