"""Fixtures for the API tests: real bundles, the real function apps, moto S3, Lambda context.

Bundles: <TASK>_BUNDLE_DIR (e.g. TRANSLATE_BUNDLE_DIR=build/models/translate/bergamot-tiny-en-pt)
wins; otherwise TEST_BUNDLES below (the small real ones `make models` builds).
"""

from __future__ import annotations

import importlib.util
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from image_to_speech import storage

from tests.conftest import bundle_path

REPO = Path(__file__).resolve().parents[3]
# TEST_TRANSLATE_PRESET=tiny-random (or TRANSLATE_BUNDLE_DIR=...) switches the translate model.
TEST_BUNDLES = {
    "caption": "efficientnet-lite0",
    "translate": os.environ.get("TEST_TRANSLATE_PRESET", "bergamot-tiny-en-pt"),
    "speak": os.environ.get("TEST_SPEAK_PRESET", "piper-en_US-joe-medium"),
}
BUCKET = "image-to-speech-local"  # = scripts/make_events.py EVENT_BUCKET


def bundle_dir(task: str) -> Path:
    explicit = os.environ.get(f"{task.upper()}_BUNDLE_DIR")
    return Path(explicit) if explicit else bundle_path(task, TEST_BUNDLES[task])


@dataclass
class FakeLambdaContext:
    function_name: str = "test-function"
    function_version: str = "$LATEST"
    memory_limit_in_mb: int = 2048
    invoked_function_arn: str = "arn:aws:lambda:us-east-1:123456789012:function:test-function"
    aws_request_id: str = "00000000-0000-0000-0000-000000000000"
    log_group_name: str = "/aws/lambda/test-function"
    log_stream_name: str = "stream"

    def get_remaining_time_in_millis(self) -> int:
        return 30_000


@pytest.fixture(scope="package", autouse=True)
def _local_environment() -> Iterator[None]:
    """No real AWS: fake credentials, one region, tracing off, our bucket name."""
    saved = dict(os.environ)
    os.environ.update(
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_DEFAULT_REGION="us-east-1",
        AWS_REGION="us-east-1",
        POWERTOOLS_TRACE_DISABLED="true",
        BUCKET_NAME=BUCKET,
    )
    for name in ("AWS_ENDPOINT_URL", "AWS_PROFILE", "PRESIGN_EXPIRES_S", "PRESIGN_ENDPOINT_URL"):
        os.environ.pop(name, None)
    storage.reset()
    yield
    os.environ.clear()
    os.environ.update(saved)
    storage.reset()


def load_function(name: str) -> ModuleType:
    """Import functions/<name>/app.py as Lambda would, with MODEL_BUNDLE_DIR set at import."""
    module_name = f"function_{name}_app"
    if module_name in sys.modules:
        return sys.modules[module_name]
    path = REPO / "functions" / name / "app.py"
    spec = importlib.util.spec_from_file_location(module_name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    previous = os.environ.get("MODEL_BUNDLE_DIR")
    os.environ["MODEL_BUNDLE_DIR"] = str(bundle_dir(name))
    try:
        spec.loader.exec_module(module)
    finally:
        if previous is None:
            os.environ.pop("MODEL_BUNDLE_DIR", None)
        else:
            os.environ["MODEL_BUNDLE_DIR"] = previous
    sys.modules[module_name] = module
    return module


@pytest.fixture(scope="package")
def caption_function(_local_environment: None) -> ModuleType:
    return load_function("caption")


@pytest.fixture(scope="package")
def translate_function(_local_environment: None) -> ModuleType:
    return load_function("translate")


@pytest.fixture(scope="package")
def speak_function(_local_environment: None) -> ModuleType:
    return load_function("speak")


@pytest.fixture(scope="package")
def _moto_session(_local_environment: None) -> Iterator[None]:
    """moto, started once for this package (a start costs ~1 s); each test empties the bucket."""
    from moto import mock_aws

    with mock_aws():
        yield


@pytest.fixture
def s3(_moto_session: None) -> Iterator[Any]:
    """Our bucket in moto, empty; the storage module's cached client is rebuilt inside the mock."""
    storage.reset()
    client = storage.s3_client()
    client.create_bucket(Bucket=BUCKET)
    yield client
    listed = client.list_objects_v2(Bucket=BUCKET).get("Contents", [])
    for item in listed:
        client.delete_object(Bucket=BUCKET, Key=item["Key"])
    storage.reset()


@pytest.fixture
def lambda_context() -> FakeLambdaContext:
    return FakeLambdaContext()
