"""services/caption.py with a fake captioner and an in-memory store (no AWS, no model)."""

from __future__ import annotations

import pytest
from image_to_speech.errors import (
    InvalidKeyError,
    NotAnImageError,
    ObjectNotFoundError,
    UnsupportedImageFormatError,
)
from image_to_speech.schemas import CaptionParams
from image_to_speech.services.caption import caption_image, caption_upload, check_image

from tests.conftest import photo_bytes
from tests.fakes import FakeCaptioner, InMemoryStore


def test_caption_image_returns_the_models_caption_and_identity() -> None:
    captioner = FakeCaptioner()
    answer = caption_image(captioner, photo_bytes("coffee"), CaptionParams(num_beams=2))
    assert answer.caption == "A photo of 600x400 pixels (JPEG)."
    assert answer.model == captioner.bundle.describe() and answer.ms > 0
    assert captioner.calls[-1]["num_beams"] == 2


@pytest.mark.parametrize(
    "declared", [None, "", "image/jpeg", "image/jpg", "application/octet-stream"]
)
def test_declared_type_may_be_absent_generic_or_an_alias(declared: str | None) -> None:
    assert check_image(photo_bytes("coffee"), declared) == "JPEG"


@pytest.mark.parametrize(
    "data, declared, error",
    [
        (b"", None, NotAnImageError),
        (b"GIF89a....", None, UnsupportedImageFormatError),
        (photo_bytes("coffee"), "image/png", UnsupportedImageFormatError),
    ],
)
def test_bad_images_never_reach_the_model(
    data: bytes, declared: str | None, error: type[Exception]
) -> None:
    captioner = FakeCaptioner()
    with pytest.raises(error):
        caption_image(captioner, data, CaptionParams(), declared=declared)
    assert captioner.calls == []


def test_caption_upload_reads_the_key_from_the_store() -> None:
    store = InMemoryStore()
    store.put_bytes("uploads/c.png", photo_bytes("chelsea", "PNG"), content_type="image/png")
    answer = caption_upload(FakeCaptioner(), store, "uploads/c.png", CaptionParams())
    assert answer.caption == "A photo of 451x300 pixels (PNG)."


def test_caption_upload_checks_the_key_before_reading() -> None:
    store = InMemoryStore()
    store.failures.append(AssertionError("the store must not be read"))
    with pytest.raises(InvalidKeyError) as caught:
        caption_upload(FakeCaptioner(), store, "results/x.json", CaptionParams(), field="s3_key")
    assert "'s3_key'" in caught.value.message
    with pytest.raises(ObjectNotFoundError):
        caption_upload(FakeCaptioner(), InMemoryStore(), "uploads/none.jpg", CaptionParams())
