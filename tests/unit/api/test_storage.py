"""storage.py: key validation, bounded reads, presigned URLs, client reuse."""

from __future__ import annotations

from typing import Any

import pytest
import requests
from image_to_speech import storage

from .conftest import BUCKET


@pytest.mark.parametrize(
    "key",
    ["uploads/a.jpg", "uploads/sub/dir/photo.png", "uploads/ção.webp"],
)
def test_valid_keys(key: str) -> None:
    assert storage.validate_key(key, ("uploads/",)) == key


@pytest.mark.parametrize(
    "key",
    [
        "",
        "uploads/",
        "upload/a.jpg",
        "audio/a.wav",
        "uploads/../results/x.json",
        "uploads//a.jpg",
        "/uploads/a.jpg",
        "uploads\\a.jpg",
        "uploads/a\x00.jpg",
        "uploads/a\n.jpg",
        "uploads/" + "a" * 1024,
        None,
        42,
    ],
)
def test_invalid_keys_are_refused(key: Any) -> None:
    """GIVEN a key outside our prefixes or with tricks WHEN validated THEN InvalidKeyError."""
    with pytest.raises(storage.InvalidKeyError) as caught:
        storage.validate_key(key, ("uploads/",))
    assert caught.value.http_status == 422
    assert caught.value.to_dict()["allowed"]["prefixes"] == ["uploads/"]


def test_only_our_bucket(s3: Any) -> None:
    assert storage.validate_bucket(BUCKET) == BUCKET
    with pytest.raises(storage.WrongBucketError) as caught:
        storage.validate_bucket("another-bucket")
    assert caught.value.allowed == [BUCKET]


def test_get_bytes_limits_and_missing(s3: Any) -> None:
    s3.put_object(Bucket=BUCKET, Key="uploads/x.bin", Body=b"12345")
    assert storage.get_bytes("uploads/x.bin", max_bytes=5) == b"12345"
    with pytest.raises(storage.ObjectTooLargeError):
        storage.get_bytes("uploads/x.bin", max_bytes=4)
    with pytest.raises(storage.ObjectNotFoundError) as caught:
        storage.get_bytes("uploads/none.bin", max_bytes=10)
    assert caught.value.http_status == 404


def test_put_and_presigned_get_round_trip(s3: Any) -> None:
    """GIVEN bytes put under audio/ WHEN a presigned URL is fetched THEN the same bytes return."""
    storage.put_bytes("audio/t.wav", b"RIFFdata", content_type="audio/wav")
    url = storage.presigned_get_url("audio/t.wav", expires_s=120)
    assert "X-Amz-Expires=120" in url and "X-Amz-Signature=" in url
    fetched = requests.get(url, timeout=10)
    assert fetched.status_code == 200 and fetched.content == b"RIFFdata"


def test_client_is_created_once(s3: Any) -> None:
    assert storage.s3_client() is storage.s3_client()


def test_settings_from_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PRESIGN_EXPIRES_S", "0")
    with pytest.raises(ValueError):
        storage.StorageSettings.from_env()
    monkeypatch.setenv("PRESIGN_EXPIRES_S", "300")
    monkeypatch.setenv("AUDIO_PREFIX", "speech/")
    settings = storage.StorageSettings.from_env()
    assert settings.presign_expires_s == 300 and settings.audio_prefix == "speech/"


def test_presign_endpoint_can_differ_from_the_functions_endpoint(
    s3: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """GIVEN PRESIGN_ENDPOINT_URL WHEN a URL is signed THEN it names that host (signed for it)."""
    monkeypatch.setenv("PRESIGN_ENDPOINT_URL", "http://localhost:5055")
    storage.presign_client.cache_clear()
    try:
        url = storage.presigned_get_url("audio/t.wav", expires_s=60)
    finally:
        monkeypatch.delenv("PRESIGN_ENDPOINT_URL")
        storage.presign_client.cache_clear()
    assert url.startswith(f"http://localhost:5055/{BUCKET}/audio/t.wav?")
    assert storage.presigned_get_url("audio/t.wav").startswith(f"https://{BUCKET}.s3.")
