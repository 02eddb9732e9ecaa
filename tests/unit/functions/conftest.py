"""The real functions/<name>/*.py modules, importing their REAL model bundles (marked models)."""

from __future__ import annotations

import importlib.util
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

from tests.conftest import bundle_path
from tests.helpers.environment import local_environment, reset

REPO = Path(__file__).resolve().parents[3]
BUCKET = "image-to-speech-local"
# TEST_TRANSLATE_PRESET=tiny-random switches the translate model (see model_build list).
TEST_BUNDLES = {
    "caption": "efficientnet-lite0",
    "translate": os.environ.get("TEST_TRANSLATE_PRESET", "bergamot-tiny-en-pt"),
    "speak": os.environ.get("TEST_SPEAK_PRESET", "piper-en_US-joe-medium"),
}


@pytest.fixture(scope="package", autouse=True)
def _local_environment() -> Iterator[None]:
    with local_environment(BUCKET):
        yield


def load_function(name: str, module: str = "app") -> ModuleType:
    """Import functions/<name>/<module>.py as Lambda would, with MODEL_BUNDLE_DIR set."""
    module_name = f"function_{name}_{module}"
    if module_name in sys.modules:
        return sys.modules[module_name]
    path = REPO / "functions" / name / f"{module}.py"
    spec = importlib.util.spec_from_file_location(module_name, path)
    assert spec is not None and spec.loader is not None
    loaded = importlib.util.module_from_spec(spec)
    if name in TEST_BUNDLES:
        os.environ["MODEL_BUNDLE_DIR"] = str(bundle_path(name, TEST_BUNDLES[name]))
    reset()
    try:
        spec.loader.exec_module(loaded)
    finally:
        os.environ.pop("MODEL_BUNDLE_DIR", None)
        reset()
    sys.modules[module_name] = loaded
    return loaded


@pytest.fixture(scope="package")
def s3() -> Iterator[object]:
    from moto import mock_aws

    with mock_aws():
        reset()
        import boto3

        client = boto3.client("s3", region_name="us-east-1")
        client.create_bucket(Bucket=BUCKET)
        yield client
    reset()
