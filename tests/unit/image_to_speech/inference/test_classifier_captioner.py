"""The offline captioner (caption/efficientnet-lite0) on real photos, bad inputs and bad bundles.

Needs the int8 and fp32 bundles (`make models`). Real onnxruntime sessions on the real model.
"""

from __future__ import annotations

import io
import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from image_to_speech.errors import (
    BadInputError,
    BundleIntegrityError,
    BundleNotFoundError,
    ImageTooLargeError,
    InvalidParameterError,
    NotAnImageError,
    TruncatedImageError,
    UnsupportedImageFormatError,
)
from image_to_speech.inference.bundle import MANIFEST_NAME
from image_to_speech.inference.captioning import Captioner
from image_to_speech.inference.classifier_captioner import ClassifierCaptioner
from image_to_speech.inference.loaders import load_captioner
from image_to_speech.media import MAX_UPLOAD_BYTES
from PIL import Image

from tests.conftest import bundle_path, photo_bytes
from tests.unit.image_to_speech.conftest import Environment

# Every test here runs a real model bundle (`make models`).
pytestmark = pytest.mark.models

PRESET = "efficientnet-lite0"
CATS = {"tabby cat", "tiger cat", "Egyptian cat", "Persian cat", "Siamese cat"}
# Real photos on which int8 and fp32 are compared (some are near-ties: ImageNet has no class).
PARITY_PHOTOS = (
    *("chelsea", "cat", "coffee", "astronaut", "rocket", "camera"),
    *("coins", "moon", "colorwheel", "hubble_deep_field", "immunohistochemistry"),
)
CLEAR_MARGIN = 0.1  # = model_build.classifier.CLEAR_MARGIN


@pytest.fixture(scope="module")
def captioner() -> Captioner:
    return load_captioner(bundle_path("caption", PRESET), threads=2)


@pytest.fixture(scope="module")
def captioner_fp32() -> Captioner:
    return load_captioner(bundle_path("caption", f"{PRESET}-fp32"), threads=2)


def labels_of(captioner: Captioner, photo: str) -> list[str]:
    result = captioner.caption(photo_bytes(photo))
    return [entry["label"] for entry in result.details["labels"]]


def image_bytes(image: Image.Image, fmt: str) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt)
    return buffer.getvalue()


# --- real photos --------------------------------------------------------------------------


def test_chelsea_is_captioned_as_a_cat(captioner: Captioner, chelsea_jpeg: bytes) -> None:
    # GIVEN the int8 bundle WHEN it captions the chelsea photo (a tabby cat)
    result = captioner.caption(chelsea_jpeg)
    # THEN the sentence names a cat, and the details rank real probabilities
    labels = result.details["labels"]
    assert labels[0]["label"] in CATS
    assert "cat" in result.caption
    assert result.caption.startswith("A photo ") and result.caption.endswith(".")
    scores = [entry["score"] for entry in labels]
    assert scores == sorted(scores, reverse=True) and 0 < sum(scores) <= 1.0001
    assert len(labels) == 5
    assert result.ms > 0


def test_the_facade_picks_the_classifier_and_reports_load_time(captioner: Captioner) -> None:
    assert isinstance(captioner, ClassifierCaptioner)
    assert captioner.bundle.kind == "image-classifier"
    assert captioner.bundle.describe()["quantization"] == "QInt8"
    assert captioner.load_ms > captioner.bundle.verify_ms > 0


def test_coffee_is_an_espresso(captioner: Captioner) -> None:
    # GIVEN the coffee photo (a cup of espresso on a saucer) THEN the model is sure of it
    result = captioner.caption(photo_bytes("coffee"))
    assert result.caption == "A photo of an espresso."
    assert result.details["labels"][0]["score"] > 0.5


def test_rocket_lists_a_missile_among_its_labels(captioner: Captioner) -> None:
    # ImageNet has no "rocket" class: this model ranks "drilling platform" (the launch tower)
    # first on this photo and "missile" close behind.
    assert "missile" in labels_of(captioner, "rocket")[:3]


@pytest.mark.parametrize("photo", ["astronaut", "rocket"])
def test_unsure_photos_get_a_hedged_caption(captioner: Captioner, photo: str) -> None:
    # GIVEN photos ImageNet has no class for (astronaut, rocket): the model is unsure
    assert isinstance(captioner, ClassifierCaptioner)
    result = captioner.caption(photo_bytes(photo))
    top_score = result.details["labels"][0]["score"]
    assert top_score < 0.5
    # THEN the caption hedges exactly when the top score is under the bundle's threshold
    hedged = result.caption.startswith("A photo that may show ")
    assert hedged == (top_score < captioner.rules["min_confidence"])


def test_generation_parameters_are_accepted_and_ignored(captioner: Captioner) -> None:
    # GIVEN in-range beams / token budget WHEN captioning THEN the same sentence comes out
    image = photo_bytes("coffee")
    default = captioner.caption(image).caption
    assert captioner.caption(image, num_beams=8, max_new_tokens=64).caption == default
    assert captioner.caption(image, num_beams=1, max_new_tokens=1).caption == default


def test_png_and_webp_are_accepted(captioner: Captioner) -> None:
    for fmt in ("PNG", "WEBP"):
        assert captioner.caption(photo_bytes("coffee", fmt)).details["labels"][0]["label"] == (
            "espresso"
        )


@pytest.mark.parametrize("photo", PARITY_PHOTOS)
def test_int8_agrees_with_fp32(captioner: Captioner, captioner_fp32: Captioner, photo: str) -> None:
    # GIVEN the same real photo WHEN both precisions classify it
    int8 = captioner.caption(photo_bytes(photo)).details["labels"]
    fp32 = captioner_fp32.caption(photo_bytes(photo)).details["labels"]
    # THEN a clear fp32 winner (leading by >= CLEAR_MARGIN) stays the winner, and a near-tie may
    # only swap with fp32's runner-up (quantization noise moves scores by a few hundredths)
    if fp32[0]["score"] - fp32[1]["score"] >= CLEAR_MARGIN:
        assert int8[0]["label"] == fp32[0]["label"]
    else:
        assert int8[0]["label"] in {fp32[0]["label"], fp32[1]["label"]}


# --- bad input ----------------------------------------------------------------------------


def solid_png(width: int, height: int) -> bytes:
    """A tiny file that decodes to a huge image (mode "1" keeps the encoder's memory small)."""
    return image_bytes(Image.new("1", (width, height)), "PNG")


@pytest.mark.parametrize(
    ("make", "error"),
    [
        (lambda: b"", NotAnImageError),
        (lambda: b"Hello, I am plain text and not an image at all.\n", NotAnImageError),
        (lambda: photo_bytes("chelsea")[:4000], TruncatedImageError),
        (
            lambda: image_bytes(Image.new("RGB", (32, 32), "red"), "GIF"),
            UnsupportedImageFormatError,
        ),
        (
            lambda: image_bytes(Image.new("RGB", (32, 32), "red"), "BMP"),
            UnsupportedImageFormatError,
        ),
        (lambda: b"\xff\xd8\xff" + bytes(MAX_UPLOAD_BYTES), ImageTooLargeError),
        (lambda: solid_png(10_000, 10_000), ImageTooLargeError),  # beyond Pillow's bomb limit
        (lambda: solid_png(9_000, 8_000), ImageTooLargeError),  # beyond our own pixel limit
    ],
    ids=["empty", "text", "truncated-jpeg", "gif", "bmp", "too-many-bytes", "bomb", "too-many-px"],
)
def test_bad_images_raise_typed_errors(
    captioner: Captioner, make: Callable[[], bytes], error: type[BadInputError]
) -> None:
    # GIVEN bytes the model cannot use WHEN captioned THEN a typed client error says why
    with pytest.raises(error) as caught:
        captioner.caption(make())
    assert isinstance(caught.value, BadInputError)
    body = caught.value.to_dict()
    assert body["error"] == error.code and body["message"] and "allowed" in body
    assert 400 <= caught.value.http_status < 500


@pytest.mark.parametrize(
    "params",
    [
        {"num_beams": 0},
        {"num_beams": 9},
        {"num_beams": True},
        {"num_beams": "2"},
        {"max_new_tokens": 0},
        {"max_new_tokens": 65},
        {"max_new_tokens": 2.5},
    ],
)
def test_out_of_range_parameters_are_refused(
    captioner: Captioner, chelsea_jpeg: bytes, params: dict[str, Any]
) -> None:
    with pytest.raises(InvalidParameterError) as caught:
        captioner.caption(chelsea_jpeg, **params)
    assert caught.value.allowed["num_beams"] == {"min": 1, "max": 8}
    assert caught.value.allowed["max_new_tokens"] == {"min": 1, "max": 64}


# --- bundles ------------------------------------------------------------------------------


@pytest.fixture
def bundle_copy(tmp_path: Path) -> Path:
    return Path(shutil.copytree(bundle_path("caption", PRESET), tmp_path / PRESET))


@pytest.mark.parametrize("name", ["model.onnx", "labels.json"])
def test_a_bundle_with_a_flipped_byte_is_refused(bundle_copy: Path, name: str) -> None:
    # GIVEN a copy of the bundle with one byte of a file changed (same size, other sha256)
    path = bundle_copy / name
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    # WHEN loaded THEN it is refused before onnxruntime sees it
    with pytest.raises(BundleIntegrityError, match="sha256"):
        load_captioner(bundle_copy)


def test_an_unknown_bundle_kind_is_refused(bundle_copy: Path) -> None:
    manifest_path = bundle_copy / MANIFEST_NAME
    manifest = json.loads(manifest_path.read_text())
    manifest["kind"] = "image-segmenter"
    manifest_path.write_text(json.dumps(manifest))
    with pytest.raises(BundleIntegrityError, match="image-segmenter"):
        load_captioner(bundle_copy)


def test_a_bundle_of_another_task_is_refused(bundle_copy: Path) -> None:
    manifest_path = bundle_copy / MANIFEST_NAME
    manifest = json.loads(manifest_path.read_text())
    manifest["task"] = "speak"
    manifest_path.write_text(json.dumps(manifest))
    with pytest.raises(BundleIntegrityError, match="caption"):
        load_captioner(bundle_copy)


def test_a_missing_bundle_is_reported(tmp_path: Path) -> None:
    with pytest.raises(BundleNotFoundError):
        load_captioner(tmp_path / "nowhere")


def test_default_bundle_comes_from_the_environment(
    environment: Environment, bundle_copy: Path
) -> None:
    # GIVEN MODEL_BUNDLE_DIR (as in the Lambda image) WHEN no path is given THEN it is used
    environment.setenv("MODEL_BUNDLE_DIR", str(bundle_copy))
    loaded = load_captioner(threads=1)
    assert loaded.bundle.path == bundle_copy
    assert loaded.bundle.preset == PRESET


def test_labels_are_1000_unique_readable_names(captioner: Captioner) -> None:
    assert isinstance(captioner, ClassifierCaptioner)
    labels = captioner.labels
    assert len(labels) == 1000 == len(set(labels))
    assert {"tabby cat", "Egyptian cat", "espresso", "tench"} <= set(labels)
    assert labels[0] == "tench" and labels[281] == "tabby cat"


def test_a_bundle_with_an_incomplete_config_is_refused(bundle_copy: Path) -> None:
    # GIVEN a manifest whose classifier config lost its caption rules
    manifest_path = bundle_copy / MANIFEST_NAME
    manifest = json.loads(manifest_path.read_text())
    del manifest["config"]["caption"]
    manifest_path.write_text(json.dumps(manifest))
    # WHEN loaded THEN it is a bundle problem, not a crash at the first request
    with pytest.raises(BundleIntegrityError, match="caption"):
        load_captioner(bundle_copy)


def test_sampling_draws_the_named_label(captioner: Captioner) -> None:
    # GIVEN top_k=1 THEN sampling names the likeliest label (as greedy does); a seeded draw at
    # a high temperature is repeatable
    from image_to_speech.inference.limits import Sampling

    photo = photo_bytes("chelsea")
    greedy = captioner.caption(photo).caption
    assert captioner.caption(photo, sampling=Sampling(top_k=1, seed=0)).caption == greedy
    hot = Sampling(temperature=2.0, top_k=50, seed=4)
    assert (
        captioner.caption(photo, sampling=hot).caption
        == captioner.caption(photo, sampling=hot).caption
    )
