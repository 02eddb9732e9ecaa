"""Fixtures shared by every test: bundle locations and real photos.

Tests that need model bundles (built by `make models`; `make test` builds them first) are
marked `models` and skip with the command to run when a bundle is missing, so the fast lane
(`make test-fast`: everything not marked `models` or `slow`) runs on a fresh clone.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from image_to_speech.inference.bundle import MANIFEST_NAME, models_dir


def bundle_path(task: str, name: str) -> Path:
    """A built bundle, or a skip that says how to build it."""
    path = models_dir() / task / name
    if not (path / MANIFEST_NAME).is_file():
        pytest.skip(f"model bundle {task}/{name} is not built: run `make models`")
    return path


def photo_bytes(name: str, fmt: str = "JPEG") -> bytes:
    """A real photo from scikit-image (chelsea = cat, coffee, astronaut, rocket) as bytes."""
    import skimage.data
    from PIL import Image

    buffer = io.BytesIO()
    Image.fromarray(getattr(skimage.data, name)()).convert("RGB").save(buffer, fmt)
    return buffer.getvalue()


@pytest.fixture(scope="session")
def chelsea_jpeg() -> bytes:
    return photo_bytes("chelsea")
