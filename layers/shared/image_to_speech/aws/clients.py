"""boto3 clients, created once per process (lazily) and reused.

Creating a client costs tens of milliseconds, far too much for the hot path. The endpoint is
settings.aws_endpoint_url (a moto server locally; unset on AWS).
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

from ..config import get_settings

if TYPE_CHECKING:
    from botocore.config import Config
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_stepfunctions import SFNClient


def _config(read_timeout: int) -> Config:
    from botocore.config import Config

    return Config(
        signature_version="s3v4",
        retries={"mode": "standard", "max_attempts": 3},
        connect_timeout=3,
        read_timeout=read_timeout,
    )


@lru_cache(maxsize=2)
def s3_client(endpoint_url: str | None = None) -> S3Client:
    import boto3

    endpoint = endpoint_url or get_settings().aws_endpoint_url
    return boto3.client("s3", endpoint_url=endpoint, config=_config(20))


@lru_cache(maxsize=1)
def sfn_client() -> SFNClient:
    import boto3

    endpoint = get_settings().aws_endpoint_url
    return boto3.client("stepfunctions", endpoint_url=endpoint, config=_config(10))


def reset_clients() -> None:
    """Forget cached clients (tests start and stop moto between cases)."""
    s3_client.cache_clear()
    sfn_client.cache_clear()
