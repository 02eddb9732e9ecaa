"""POST /caption: raw image, multipart, S3 key; every refusal is a typed 4xx JSON."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from image_to_speech.media import MAX_IMAGE_PIXELS, MAX_INLINE_IMAGE_BYTES, MAX_UPLOAD_BYTES

from tests.conftest import photo_bytes
from tests.helpers.lambda_events import image_bytes
from tests.unit.image_to_speech.conftest import FunctionUnderTest

IMAGE_TYPES = ["image/jpeg", "image/png", "image/webp"]


@pytest.fixture(scope="module")
def client(caption_function: FunctionUnderTest) -> TestClient:
    return TestClient(caption_function.app)


@pytest.fixture(scope="module")
def preset(caption_function: FunctionUnderTest) -> str:
    return str(caption_function.model.bundle.preset)


def assert_caption(body: dict[str, Any], preset: str) -> None:
    assert isinstance(body["caption"], str) and body["caption"].endswith(".")
    assert body["model"]["preset"] == preset
    assert body["ms"] > 0


# The fake captioner (tests/fakes.py) names the size and format of what it decoded, so these
# tests see that the right image reached the model; tests/unit/functions check real captions.
CHELSEA = "A photo of 451x300 pixels"


@pytest.mark.parametrize("fmt, media", [("JPEG", "image/jpeg"), ("PNG", "image/png")])
def test_raw_photo_is_captioned(client: TestClient, preset: str, fmt: str, media: str) -> None:
    """GIVEN a real photo as a raw body WHEN posted THEN the model's caption of it comes back."""
    response = client.post(
        "/caption", content=photo_bytes("chelsea", fmt), headers={"content-type": media}
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert_caption(body, preset)
    assert body["caption"] == f"{CHELSEA} ({fmt})."


def test_webp_and_generation_params_are_accepted(client: TestClient, preset: str) -> None:
    """GIVEN a WebP photo and query params WHEN posted THEN 200."""
    response = client.post(
        "/caption?max_new_tokens=8&num_beams=2",
        content=photo_bytes("coffee", "WEBP"),
        headers={"content-type": "image/webp"},
    )
    assert response.status_code == 200, response.text
    assert_caption(response.json(), preset)


def test_multipart_upload(client: TestClient, preset: str) -> None:
    """GIVEN a multipart form with field 'image' WHEN posted THEN it is captioned."""
    files = {"image": ("chelsea.jpg", photo_bytes("chelsea"), "image/jpeg")}
    response = client.post("/caption", files=files)
    assert response.status_code == 200, response.text
    assert response.json()["caption"] == f"{CHELSEA} (JPEG)."


def test_s3_key_in_our_bucket(client: TestClient, s3: Any, preset: str) -> None:
    """GIVEN an image under uploads/ WHEN its key is posted as JSON THEN it is captioned."""
    s3.put_object(
        Bucket="image-to-speech-local", Key="uploads/cat.jpg", Body=photo_bytes("chelsea")
    )
    response = client.post("/caption", json={"s3_key": "uploads/cat.jpg", "num_beams": 1})
    assert response.status_code == 200, response.text
    assert response.json()["caption"] == f"{CHELSEA} (JPEG)."


def test_s3_key_takes_photos_bigger_than_a_request_body(client: TestClient, s3: Any) -> None:
    """GIVEN a photo over the request-body limit uploaded to S3 (the size rule, docs/api.md)
    WHEN captioned by its key THEN it is accepted: upload limit and decode limit agree."""
    import io

    import numpy as np
    from PIL import Image

    pixels = np.random.default_rng(0).integers(0, 256, (1100, 1400, 3), dtype=np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, "PNG", compress_level=1)  # noise: incompressible
    big = buffer.getvalue()
    assert MAX_INLINE_IMAGE_BYTES < len(big) <= MAX_UPLOAD_BYTES
    s3.put_object(Bucket="image-to-speech-local", Key="uploads/big.png", Body=big)
    response = client.post("/caption", json={"s3_key": "uploads/big.png"})
    assert response.status_code == 200, response.text
    assert response.json()["caption"] == "A photo of 1400x1100 pixels (PNG)."


# ---- refusals ----------------------------------------------------------------------------


def test_oversize_body_is_413_with_s3_hint(client: TestClient) -> None:
    """GIVEN a body over the request limit WHEN posted THEN 413 says to upload through S3."""
    big = photo_bytes("chelsea")[:4] + b"\0" * (MAX_INLINE_IMAGE_BYTES + 1)
    response = client.post("/caption", content=big, headers={"content-type": "image/jpeg"})
    assert response.status_code == 413
    body = response.json()
    assert body["error"] == "image_too_large"
    assert "/jobs" in body["message"]
    assert body["allowed"] == {
        "max_bytes": MAX_INLINE_IMAGE_BYTES,
        "max_upload_bytes": MAX_UPLOAD_BYTES,
    }


def test_oversize_multipart_is_413(client: TestClient) -> None:
    big = b"\xff\xd8\xff" + b"\0" * (MAX_INLINE_IMAGE_BYTES + 1)
    files = {"image": ("big.jpg", big, "image/jpeg")}
    response = client.post("/caption", files=files)
    assert response.status_code == 413
    assert response.json()["error"] == "image_too_large"


def test_pixel_bomb_is_413(client: TestClient) -> None:
    """GIVEN a tiny PNG declaring more pixels than allowed WHEN posted THEN 413 before decoding."""
    bomb = image_bytes("PNG", size=(10_000, MAX_IMAGE_PIXELS // 10_000 + 1), mode="1")
    assert len(bomb) < 100_000
    response = client.post("/caption", content=bomb, headers={"content-type": "image/png"})
    assert response.status_code == 413
    body = response.json()
    assert body["error"] == "image_too_large" and body["allowed"] == {
        "max_pixels": MAX_IMAGE_PIXELS
    }


@pytest.mark.parametrize(
    "content, media, expected_in_message",
    [
        (image_bytes("JPEG"), "image/png", "image/jpeg"),  # mismatched label
        (image_bytes("GIF"), "image/jpeg", "not a JPEG"),  # unsupported content
        (image_bytes("GIF"), "image/gif", "image/gif"),  # unsupported media type
        (image_bytes("BMP"), "application/octet-stream", "application/octet-stream"),
        (b"hello", "text/plain", "text/plain"),
        (image_bytes("JPEG"), "", "missing"),
    ],
)
def test_unsupported_or_mismatched_media_is_415(
    client: TestClient, content: bytes, media: str, expected_in_message: str
) -> None:
    """GIVEN a body whose type is not allowed or lies WHEN posted THEN 415 lists what is allowed."""
    headers = {"content-type": media} if media else {}
    response = client.post("/caption", content=content, headers=headers)
    assert response.status_code == 415, response.text
    body = response.json()
    assert body["error"] == "unsupported_image_format"
    assert expected_in_message in body["message"]
    assert set(IMAGE_TYPES) <= set(body["allowed"])


def test_multipart_gif_is_415(client: TestClient) -> None:
    files = {"image": ("a.gif", image_bytes("GIF"), "image/gif")}
    response = client.post("/caption", files=files)
    assert response.status_code == 415
    assert response.json()["allowed"] == IMAGE_TYPES


@pytest.mark.parametrize(
    "content, error",
    [(b"", "not_an_image"), (b"\xff\xd8\xff\xe0" + b"\0" * 64, "truncated_image")],
)
def test_empty_or_broken_image_is_422(client: TestClient, content: bytes, error: str) -> None:
    """GIVEN an empty body or a broken JPEG WHEN posted THEN 422 with the runtime's error code."""
    response = client.post("/caption", content=content, headers={"content-type": "image/jpeg"})
    assert response.status_code == 422, response.text
    assert response.json()["error"] in {error, "not_an_image", "truncated_image"}


def test_truncated_real_photo_is_422(client: TestClient) -> None:
    data = photo_bytes("chelsea")
    response = client.post(
        "/caption", content=data[: len(data) // 3], headers={"content-type": "image/jpeg"}
    )
    assert response.status_code == 422, response.text
    assert response.json()["error"] == "truncated_image"


@pytest.mark.parametrize(
    "query, field",
    [
        ("num_beams=0", "num_beams"),
        ("num_beams=99", "num_beams"),
        ("max_new_tokens=x", "max_new_tokens"),
        ("color=red", "color"),
    ],
)
def test_bad_query_params_are_422_naming_the_field(
    client: TestClient, query: str, field: str
) -> None:
    """GIVEN an out-of-range or unknown parameter WHEN posted THEN 422 names it and its rules."""
    response = client.post(
        f"/caption?{query}", content=image_bytes("JPEG"), headers={"content-type": "image/jpeg"}
    )
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["error"] == "invalid_request"
    assert field in body["message"] and field in body["allowed"]


def test_multipart_without_image_field_is_422(client: TestClient) -> None:
    response = client.post(
        "/caption", files={"photo": ("a.jpg", image_bytes("JPEG"), "image/jpeg")}
    )
    assert response.status_code == 422
    assert "'image'" in response.json()["message"]


def test_malformed_multipart_is_4xx(client: TestClient) -> None:
    response = client.post(
        "/caption",
        content=b"--xyz\r\nContent-Disposition: form-data; name=image\r\n\r\nabc",
        headers={"content-type": "multipart/form-data; boundary=xyz"},
    )
    assert response.status_code == 422, response.text


@pytest.mark.parametrize(
    "payload, status, error",
    [
        ({"s3_key": "uploads/missing.jpg"}, 404, "object_not_found"),
        ({"s3_key": "audio/x.wav"}, 422, "invalid_s3_key"),
        ({"s3_key": "uploads/../secret.jpg"}, 422, "invalid_s3_key"),
        ({"s3_key": "/uploads/a.jpg"}, 422, "invalid_s3_key"),
        ({"s3_key": "uploads/"}, 422, "invalid_s3_key"),
        ({"s3_key": "uploads/a\nb.jpg"}, 422, "invalid_s3_key"),
        ({"s3_key": "uploads/" + "a" * 1100}, 422, "invalid_request"),
        ({"s3_key": 42}, 422, "invalid_request"),
        ({"key": "uploads/a.jpg"}, 422, "invalid_request"),
        ({"s3_key": "uploads/a.jpg", "num_beams": 100}, 422, "invalid_request"),
    ],
)
def test_bad_s3_requests(
    client: TestClient, s3: Any, payload: dict[str, Any], status: int, error: str
) -> None:
    """GIVEN a missing object or a key outside uploads/ WHEN posted THEN 404 / 422, never 500."""
    response = client.post("/caption", json=payload)
    assert response.status_code == status, response.text
    assert response.json()["error"] == error


def test_s3_object_that_is_not_an_image_is_415(client: TestClient, s3: Any) -> None:
    s3.put_object(Bucket="image-to-speech-local", Key="uploads/notes.jpg", Body=b"just text")
    response = client.post("/caption", json={"s3_key": "uploads/notes.jpg"})
    assert response.status_code == 415


def test_s3_object_too_large_is_413(client: TestClient, s3: Any) -> None:
    """GIVEN an object bigger than the upload limit (put there without the presigned POST's
    size check) WHEN captioned THEN 413 without reading it."""
    big = photo_bytes("chelsea")[:4] + b"\0" * MAX_UPLOAD_BYTES
    s3.put_object(Bucket="image-to-speech-local", Key="uploads/big.jpg", Body=big)
    response = client.post("/caption", json={"s3_key": "uploads/big.jpg"})
    assert response.status_code == 413
    assert response.json() == {
        "error": "object_too_large",
        "message": response.json()["message"],
        "allowed": {"max_bytes": MAX_UPLOAD_BYTES},
    }


@pytest.mark.parametrize(
    "content", [b"{not json", b"[1, 2]", b'"uploads/a.jpg"', b"null", b"\xff\xfe"]
)
def test_malformed_json_is_422(client: TestClient, content: bytes) -> None:
    response = client.post(
        "/caption", content=content, headers={"content-type": "application/json"}
    )
    assert response.status_code == 422, response.text
    assert response.json()["error"] in {"malformed_json", "invalid_request", "invalid_body"}


def _odd_images() -> list[tuple[str, bytes, str]]:
    import io

    from PIL import Image

    def save(image: Image.Image, fmt: str, **options: object) -> bytes:
        buffer = io.BytesIO()
        image.save(buffer, fmt, **options)
        return buffer.getvalue()

    palette = Image.new("P", (32, 32))
    return [
        ("1x1 png", save(Image.new("RGB", (1, 1)), "PNG"), "image/png"),
        ("grey+alpha png", save(Image.new("LA", (40, 30)), "PNG"), "image/png"),
        ("16-bit png", save(Image.new("I;16", (40, 30)), "PNG"), "image/png"),
        ("cmyk jpeg", save(Image.new("CMYK", (40, 30)), "JPEG"), "image/jpeg"),
        ("palette png", save(palette, "PNG", transparency=0), "image/png"),
        ("1x4000 png", save(Image.new("RGB", (1, 4000)), "PNG"), "image/png"),
        ("rgba webp", save(Image.new("RGBA", (40, 30)), "WEBP"), "image/webp"),
    ]


@pytest.mark.parametrize("label, data, media", _odd_images(), ids=lambda v: str(v)[:16])
def test_unusual_but_valid_images_never_fail_the_server(
    client: TestClient, label: str, data: bytes, media: str
) -> None:
    """GIVEN odd modes and shapes WHEN posted THEN a caption or a typed 4xx, never a 5xx."""
    response = client.post("/caption", content=data, headers={"content-type": media})
    assert response.status_code < 500, (label, response.text)
    assert response.status_code == 200 or "error" in response.json()


def test_openapi_lists_every_generation_control_as_a_query_parameter(client: TestClient) -> None:
    """The query string is parsed by hand (speed): the OpenAPI document still lists it."""
    from image_to_speech.schemas import CaptionParams

    operation = client.get("/openapi.json").json()["paths"]["/caption"]["post"]
    listed = {p["name"]: p for p in operation["parameters"] if p["in"] == "query"}
    assert set(listed) == set(CaptionParams.model_fields)
    assert listed["num_beams"]["schema"]["maximum"] >= 1
