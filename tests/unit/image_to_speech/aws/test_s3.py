"""aws/s3.py: the ObjectStore on S3 (moto): bounded reads, presigned URLs, errors mapped."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
import requests
from botocore.stub import Stubber
from image_to_speech.aws.resources import object_store
from image_to_speech.aws.s3 import S3Store
from image_to_speech.errors import (
    ConfigurationError,
    ObjectNotFoundError,
    ObjectTooLargeError,
    StorageUnavailableError,
)

from tests.unit.image_to_speech.conftest import BUCKET, Environment


def test_get_bytes_limits_and_missing(s3: Any) -> None:
    store = object_store()
    s3.put_object(Bucket=BUCKET, Key="uploads/x.bin", Body=b"12345")
    assert store.get_bytes("uploads/x.bin", max_bytes=5) == b"12345"
    with pytest.raises(ObjectTooLargeError):
        store.get_bytes("uploads/x.bin", max_bytes=4)
    with pytest.raises(ObjectNotFoundError) as caught:
        store.get_bytes("uploads/none.bin", max_bytes=10)
    assert caught.value.http_status == 404


def test_put_and_presigned_get_round_trip(s3: Any) -> None:
    """GIVEN bytes put under audio/ WHEN a presigned URL is fetched THEN the same bytes return."""
    store = object_store()
    store.put_bytes("audio/t.wav", b"RIFFdata", content_type="audio/wav")
    url = store.presigned_get_url("audio/t.wav")
    assert "X-Amz-Expires=900" in url and "X-Amz-Signature=" in url
    fetched = requests.get(url, timeout=10)
    assert fetched.status_code == 200 and fetched.content == b"RIFFdata"
    assert fetched.headers["content-type"] == "audio/wav"


def test_presigned_post_policy_pins_key_type_and_size(s3: Any) -> None:
    """GIVEN a presigned POST WHEN its policy is decoded THEN it pins the key, the content
    type and the size range, and expires (moto does not enforce these: the policy must)."""
    post = object_store().presigned_post("uploads/a.jpg", content_type="image/jpeg", max_bytes=99)
    policy = json.loads(base64.b64decode(post.fields["policy"]))
    conditions = policy["conditions"]
    assert {"key": "uploads/a.jpg"} in conditions
    assert {"Content-Type": "image/jpeg"} in conditions
    assert ["content-length-range", 1, 99] in conditions
    assert {"bucket": BUCKET} in conditions
    assert policy["expiration"].endswith("Z") and post.expires_in == 900


def test_store_and_clients_are_created_once(s3: Any) -> None:
    assert object_store() is object_store()
    assert object_store().client is object_store().client


def test_presign_endpoint_can_differ_from_the_functions_endpoint(
    s3: Any, environment: Environment
) -> None:
    """GIVEN PRESIGN_ENDPOINT_URL WHEN a URL is signed THEN it names that host (signed for it)."""
    environment.setenv("PRESIGN_ENDPOINT_URL", "http://localhost:5055")
    url = S3Store().presigned_get_url("audio/t.wav")
    assert url.startswith(f"http://localhost:5055/{BUCKET}/audio/t.wav?")


def test_missing_bucket_setting_is_a_configuration_error(environment: Environment) -> None:
    environment.delenv("BUCKET_NAME")
    with pytest.raises(ConfigurationError) as caught:
        S3Store()
    assert caught.value.http_status == 503
    assert caught.value.allowed == {"required_environment": ["BUCKET_NAME"]}


@pytest.mark.parametrize(
    "code, status, expected",
    [
        ("SlowDown", 503, StorageUnavailableError),
        ("InternalError", 500, StorageUnavailableError),
        ("AccessDenied", 403, ConfigurationError),
        ("NoSuchBucket", 404, ConfigurationError),
        ("NoSuchKey", 404, ObjectNotFoundError),
    ],
)
def test_s3_errors_are_mapped_onto_the_error_model(
    s3: Any, code: str, status: int, expected: type[Exception]
) -> None:
    """GIVEN S3 failing with a code WHEN read THEN the error kind says whose problem it is."""
    store = object_store()
    with Stubber(store.client) as stub:
        stub.add_client_error("get_object", service_error_code=code, http_status_code=status)
        with pytest.raises(expected):
            store.get_bytes("uploads/x.jpg", max_bytes=10)
