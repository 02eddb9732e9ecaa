"""Driving the page's on-device engine (web/js/edge/) from a test, and the server's answers
for the same inputs (the same bundles, in this process, through the project's loaders)."""

from __future__ import annotations

import base64
from functools import cache
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
# Ten photos: scikit-image's (tests/conftest.py photo_bytes), as JPEG and PNG.
PHOTOS = [
    ("chelsea", "JPEG"),
    ("coffee", "JPEG"),
    ("astronaut", "JPEG"),
    ("rocket", "JPEG"),
    ("camera", "PNG"),
    ("hubble_deep_field", "JPEG"),
    ("immunohistochemistry", "PNG"),
    ("coins", "JPEG"),
    ("retina", "JPEG"),
    ("colorwheel", "PNG"),
]
SENTENCES = REPO / "tests" / "data" / "en_sentences.txt"
# Deterministic speech (no noise), so both sides' durations depend on the phonemes only.
QUIET_SCALES = {"noise_scale": 0.0, "noise_w": 0.0}

ENGINE = """async () => {
  const { deviceEngine } = await import('/web/js/edge/client.js');
  window.__engine = deviceEngine();
  return window.__engine.call('load', {});
}"""
CAPTION = """async ([b64, type]) => {
  const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  return window.__engine.call('caption', { image: new Blob([bytes], { type }) });
}"""
TRANSLATE = "async (text) => window.__engine.call('translate', { text })"
SPEAK = """async ([text, scales]) => {
  const out = await window.__engine.call('speak', { text, language: 'pt-BR', scales });
  const { duration_s, phonemes, ms } = out;
  return { duration_s, phonemes, ms, bytes: out.wav.byteLength };
}"""


def english_sentences(count: int) -> list[str]:
    lines = [line.strip() for line in SENTENCES.read_text().splitlines()]
    return [line for line in lines if line][:count]


def start_engine(page: Any) -> dict[str, Any]:
    """Load every model the page can run here; its answer says what was downloaded."""
    result: dict[str, Any] = page.evaluate(ENGINE)
    return result


def device_caption(page: Any, image: bytes, media_type: str) -> dict[str, Any]:
    result: dict[str, Any] = page.evaluate(
        CAPTION, [base64.b64encode(image).decode("ascii"), media_type]
    )
    return result


def device_translation(page: Any, text: str) -> str:
    return str(page.evaluate(TRANSLATE, text)["translation"])


def device_speech(page: Any, text: str, scales: list[float]) -> dict[str, Any]:
    result: dict[str, Any] = page.evaluate(SPEAK, [text, scales])
    return result


@cache
def server_models() -> tuple[Any, Any, Any]:
    from image_to_speech.inference.loaders import (
        load_captioner,
        load_synthesizer,
        load_translator,
    )

    return load_captioner(), load_translator(), load_synthesizer()
