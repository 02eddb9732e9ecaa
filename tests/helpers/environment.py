"""A local, hermetic environment for the package's settings: no real AWS, one bucket."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

from image_to_speech.aws.resources import reset_resources
from image_to_speech.config import reset_settings

# Variables a developer's shell may hold that would point the code elsewhere.
CLEARED = (
    "AWS_ENDPOINT_URL",
    "AWS_PROFILE",
    "PRESIGN_EXPIRES_S",
    "PRESIGN_ENDPOINT_URL",
    "STATE_MACHINE_ARN",
    "MODEL_BUNDLE_DIR",
)


def reset() -> None:
    """Read the environment again: settings, then the store and clients built from them."""
    reset_settings()
    reset_resources()


@contextmanager
def local_environment(bucket: str) -> Iterator[None]:
    """Fake credentials, one region, tracing off, `bucket` as BUCKET_NAME; restored after."""
    saved = dict(os.environ)
    os.environ.update(
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_DEFAULT_REGION="us-east-1",
        AWS_REGION="us-east-1",
        POWERTOOLS_TRACE_DISABLED="true",
        BUCKET_NAME=bucket,
    )
    for name in CLEARED:
        os.environ.pop(name, None)
    reset()
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)
        reset()
