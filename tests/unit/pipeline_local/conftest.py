"""Fixtures for the pipeline tests: a LocalPipeline (moto + the REAL ASL + the real job
functions), with fake models (`pipeline`) or the real ones (`real_pipeline`, marked models)."""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from types import SimpleNamespace

import moto.stepfunctions.parser.asl.component.common.retry.retrier_decl as retrier_decl
import pytest
from image_to_speech.inference.bundle import DEFAULT_PRESETS

from pipeline_local.runner import LocalPipeline
from tests.conftest import bundle_path
from tests.fakes import FakeModels, fake_model_handlers


def chosen_presets() -> dict[str, str]:
    """The offline defaults, unless CAPTION_PRESET / TRANSLATE_PRESET / SPEAK_PRESET say else."""
    return {
        task: os.environ.get(f"{task.upper()}_PRESET") or preset
        for task, preset in DEFAULT_PRESETS.items()
    }


@pytest.fixture(scope="session")
def default_bundles() -> dict[str, str]:
    """The bundles must be built (`make models`); the test skips saying so otherwise."""
    return {task: str(bundle_path(task, preset)) for task, preset in chosen_presets().items()}


@pytest.fixture
def retry_waits(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The waits Retry asks for, recorded instead of slept.

    moto's interpreter really sleeps IntervalSeconds (x BackoffRate, with jitter) between
    attempts; the tests check the requested waits and skip the sleeping.
    """
    waits: list[float] = []
    monkeypatch.setattr(retrier_decl, "time", SimpleNamespace(sleep=waits.append))
    return waits


@pytest.fixture
def models() -> FakeModels:
    return FakeModels()


@pytest.fixture
def pipeline(retry_waits: list[float], models: FakeModels) -> Iterator[LocalPipeline]:
    with LocalPipeline(handler_overrides=fake_model_handlers(models)) as local:
        yield local


@pytest.fixture
def real_pipeline(
    default_bundles: dict[str, str], retry_waits: list[float]
) -> Iterator[LocalPipeline]:
    with LocalPipeline() as local:
        yield local


def small_jpeg(name: str = "chelsea", size: int = 96) -> bytes:
    """A real photo from scikit-image, shrunk (the models resize anyway; keeps tests fast)."""
    import skimage.data
    from PIL import Image

    image = Image.fromarray(getattr(skimage.data, name)()).convert("RGB")
    image.thumbnail((size, size))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=90)
    return buffer.getvalue()
