"""Fixtures shared by every test: bundle locations and real photos."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from image_to_speech.inference.bundle import MANIFEST_NAME, models_dir


def bundle_path(task: str, name: str) -> Path:
    """A built bundle; fails (not skips) when missing: `make test` builds them first."""
    path = models_dir() / task / name
    if not (path / MANIFEST_NAME).is_file():
        pytest.fail(f"bundle {path} is missing: run `make models` first")
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
