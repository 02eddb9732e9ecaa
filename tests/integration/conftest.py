"""Session fixtures for the container tests: built images, a moto server, SAM env vars."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from .containers import MotoServer, ensure_images, env_vars_file, have_container_tools, moto_server

METRICS_PATH = Path(__file__).resolve().parents[2] / "build" / "integration" / "metrics.json"


@pytest.fixture(scope="session")
def built_images() -> None:
    """The four function images (reused if `make images` built them, else built now)."""
    if not have_container_tools():
        pytest.fail("podman and .tools/sam/bin/sam are required: run `make setup`")
    ensure_images()


@pytest.fixture(scope="session")
def moto(built_images: None) -> Iterator[MotoServer]:
    with moto_server() as server:
        server.client("s3").create_bucket(Bucket="image-to-speech-local")
        yield server


@pytest.fixture(scope="session")
def sam_env(moto: MotoServer, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return env_vars_file(tmp_path_factory.mktemp("sam") / "env.json", moto)


@pytest.fixture(scope="session")
def metrics() -> Iterator[dict[str, dict[str, float]]]:
    """Per-function numbers the tests observe (written to build/integration/metrics.json)."""
    collected: dict[str, dict[str, float]] = {}
    yield collected
    METRICS_PATH.parent.mkdir(parents=True, exist_ok=True)
    METRICS_PATH.write_text(json.dumps(collected, indent=2, sort_keys=True))
