"""Fixtures for the shared package's tests: the real function entry points with FAKE models
(tests/fakes.py: no `make models` needed), moto S3, a Lambda context, a clean environment."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi import FastAPI
from image_to_speech import entrypoints
from image_to_speech.aws.resources import object_store
from image_to_speech.observability import instrument

from tests.fakes import FakeCaptioner, FakeSynthesizer, FakeTranslator
from tests.helpers.environment import local_environment, reset

BUCKET = "image-to-speech-local"  # = scripts/make_events.py EVENT_BUCKET


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


@dataclass
class FunctionUnderTest:
    """A function as functions/<name>/app.py assembles it (instrumented), around a fake model."""

    app: FastAPI
    handler: Any
    model: Any


def no_cache() -> None:
    """The function fixtures run without the result cache (tests/unit/.../test_cache*.py turn
    it on): a cache hit would hide what the route itself does."""
    return None


@pytest.fixture(scope="package", autouse=True)
def _local_environment() -> Iterator[None]:
    """No real AWS: fake credentials, one region, tracing off, our bucket name."""
    with local_environment(BUCKET):
        yield


class Environment:
    """monkeypatch's setenv/delenv that also make settings and clients be read again."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self._patch = monkeypatch

    def setenv(self, name: str, value: str) -> None:
        self._patch.setenv(name, value)
        reset()

    def delenv(self, name: str, raising: bool = True) -> None:
        self._patch.delenv(name, raising=raising)
        reset()


@pytest.fixture
def environment(monkeypatch: pytest.MonkeyPatch) -> Iterator[Environment]:
    """Change variables for one test; everything is restored and re-read afterwards."""
    yield Environment(monkeypatch)
    monkeypatch.undo()
    reset()


@pytest.fixture(scope="package")
def caption_function() -> FunctionUnderTest:
    captioner = FakeCaptioner()
    function = entrypoints.caption_function(captioner, cache=no_cache)
    assert function.app is not None
    return FunctionUnderTest(function.app, instrument(function.handler), captioner)


@pytest.fixture(scope="package")
def translate_function() -> FunctionUnderTest:
    translator = FakeTranslator()
    function = entrypoints.translate_function(translator, cache=no_cache)
    assert function.app is not None
    return FunctionUnderTest(function.app, instrument(function.handler), translator)


@pytest.fixture(scope="package")
def speak_function() -> FunctionUnderTest:
    synthesizer = FakeSynthesizer()
    function = entrypoints.speak_function(synthesizer, cache=no_cache)
    assert function.app is not None
    return FunctionUnderTest(function.app, instrument(function.handler), synthesizer)


@pytest.fixture(scope="package")
def _moto_session(_local_environment: None) -> Iterator[None]:
    """moto, started once for this package (a start costs ~1 s); each test empties the bucket."""
    from moto import mock_aws

    with mock_aws():
        yield


@pytest.fixture
def s3(_moto_session: None) -> Iterator[Any]:
    """Our bucket in moto, empty; cached clients are rebuilt inside the mock."""
    reset()
    client = object_store().client
    client.create_bucket(Bucket=BUCKET)
    yield client
    listed = client.list_objects_v2(Bucket=BUCKET).get("Contents", [])
    for item in listed:
        client.delete_object(Bucket=BUCKET, Key=item["Key"])
    reset()


@pytest.fixture
def lambda_context() -> FakeLambdaContext:
    return FakeLambdaContext()
