"""S3 helpers shared by every function: bounded reads, writes, presigned URLs, key checks.

The boto3 client is created once per process (lazily, on first use) and reused: creating a
client costs tens of milliseconds, far too much for the hot path. AWS_ENDPOINT_URL (read by
botocore itself) points it at a moto server locally.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError, ConnectionError, HTTPClientError

from .inference.errors import BadInputError, InferenceError

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

MAX_KEY_BYTES = 1024  # S3's own limit
DEFAULT_PRESIGN_EXPIRES_S = 900
MAX_PRESIGN_EXPIRES_S = 7 * 24 * 3600  # SigV4 maximum

# S3 error codes that mean "try again later" rather than "this request is wrong".
_TRANSIENT_CODES = {
    "SlowDown",
    "Throttling",
    "ThrottlingException",
    "RequestTimeout",
    "RequestTimeTooSkewed",
    "InternalError",
    "ServiceUnavailable",
    "503",
    "500",
}
_NOT_FOUND_CODES = {"NoSuchKey", "404", "NotFound"}
_CONTROL_CHARS = re.compile(r"[\x00-\x1f\x7f]")


class InvalidKeyError(BadInputError):
    code = "invalid_s3_key"


class WrongBucketError(BadInputError):
    code = "invalid_bucket"


class ObjectNotFoundError(BadInputError):
    http_status = 404
    code = "object_not_found"


class ObjectTooLargeError(BadInputError):
    http_status = 413
    code = "object_too_large"


class StorageUnavailableError(InferenceError):
    """S3 throttled, timed out or failed on its side: not the client's fault, worth a retry."""

    http_status = 503
    code = "storage_unavailable"


@dataclass(frozen=True)
class StorageSettings:
    bucket: str | None
    uploads_prefix: str
    audio_prefix: str
    results_prefix: str
    presign_expires_s: int

    @classmethod
    def from_env(cls) -> StorageSettings:
        expires = int(os.environ.get("PRESIGN_EXPIRES_S", DEFAULT_PRESIGN_EXPIRES_S))
        if not 1 <= expires <= MAX_PRESIGN_EXPIRES_S:
            raise ValueError(f"PRESIGN_EXPIRES_S must be 1..{MAX_PRESIGN_EXPIRES_S}, got {expires}")
        return cls(
            bucket=os.environ.get("BUCKET_NAME") or None,
            uploads_prefix=os.environ.get("UPLOADS_PREFIX", "uploads/"),
            audio_prefix=os.environ.get("AUDIO_PREFIX", "audio/"),
            results_prefix=os.environ.get("RESULTS_PREFIX", "results/"),
            presign_expires_s=expires,
        )

    def require_bucket(self) -> str:
        if not self.bucket:
            # A deployment problem (missing env var), so a 500, never a client error.
            raise RuntimeError("BUCKET_NAME is not set")
        return self.bucket


@lru_cache(maxsize=1)
def settings() -> StorageSettings:
    return StorageSettings.from_env()


def _client(endpoint_url: str | None) -> S3Client:
    config = Config(
        signature_version="s3v4",
        retries={"mode": "standard", "max_attempts": 3},
        connect_timeout=3,
        read_timeout=20,
    )
    return boto3.client("s3", endpoint_url=endpoint_url or None, config=config)


@lru_cache(maxsize=1)
def s3_client() -> S3Client:
    return _client(os.environ.get("AWS_ENDPOINT_URL"))


@lru_cache(maxsize=1)
def presign_client() -> S3Client:
    """Signs URLs for clients. PRESIGN_ENDPOINT_URL names the endpoint *they* reach when it is
    not the one this function uses (e.g. moto on the host while the function runs in a
    container under `sam local`); the host is part of the signature, so it must match."""
    public = os.environ.get("PRESIGN_ENDPOINT_URL")
    return _client(public) if public else s3_client()


def reset() -> None:
    """Forget the cached settings and clients (tests change the environment between cases)."""
    settings.cache_clear()
    s3_client.cache_clear()
    presign_client.cache_clear()


def validate_key(key: Any, prefixes: tuple[str, ...] | list[str], *, field: str = "key") -> str:
    """A key under one of our prefixes, without tricks (.., //, control characters)."""
    allowed = {"prefixes": list(prefixes), "max_bytes": MAX_KEY_BYTES}
    if not isinstance(key, str) or not key:
        raise InvalidKeyError(f"'{field}' must be a non-empty string.", allowed=allowed)
    problem = None
    if len(key.encode("utf-8")) > MAX_KEY_BYTES:
        problem = f"is longer than {MAX_KEY_BYTES} bytes"
    elif ".." in key or "//" in key or "\\" in key or key.startswith("/"):
        problem = "must not contain '..', '//', '\\' or start with '/'"
    elif _CONTROL_CHARS.search(key):
        problem = "must not contain control characters"
    elif not any(key.startswith(prefix) and len(key) > len(prefix) for prefix in prefixes):
        problem = f"must name an object under {', '.join(repr(p) for p in prefixes)}"
    if problem:
        raise InvalidKeyError(f"'{field}' {problem}.", allowed=allowed)
    return key


def validate_bucket(bucket: Any) -> str:
    """Tasks name a bucket; only ours is accepted (no reading other people's buckets)."""
    ours = settings().require_bucket()
    if bucket != ours:
        raise WrongBucketError(f"Bucket '{bucket}' is not this service's bucket.", allowed=[ours])
    return ours


def _translate_client_error(exc: ClientError, key: str) -> Exception:
    error = exc.response.get("Error", {})
    code = str(error.get("Code", ""))
    status = int(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0) or 0)
    if code in _NOT_FOUND_CODES:
        return ObjectNotFoundError(
            f"No object '{key}' in the bucket. Upload it first (POST /jobs gives an upload URL).",
            allowed={"prefixes": [settings().uploads_prefix]},
        )
    if code in _TRANSIENT_CODES or status >= 500:
        return StorageUnavailableError(f"S3 is unavailable right now ({code}); retry later.")
    return exc  # access denied, missing bucket...: deployment problems, so they stay 500s


def get_bytes(key: str, *, max_bytes: int, bucket: str | None = None) -> bytes:
    """The object's bytes, refusing objects over max_bytes before downloading them."""
    bucket = bucket or settings().require_bucket()
    try:
        response = s3_client().get_object(Bucket=bucket, Key=key)
        size = int(response.get("ContentLength", 0))
        if size > max_bytes:
            response["Body"].close()
            raise ObjectTooLargeError(
                f"Object '{key}' is {size} bytes; at most {max_bytes} bytes are accepted.",
                allowed={"max_bytes": max_bytes},
            )
        data: bytes = response["Body"].read(max_bytes + 1)
    except ClientError as exc:
        raise _translate_client_error(exc, key) from exc
    except (ConnectionError, HTTPClientError) as exc:
        raise StorageUnavailableError(f"S3 could not be reached: {type(exc).__name__}.") from exc
    if len(data) > max_bytes:  # ContentLength lied or was missing
        raise ObjectTooLargeError(
            f"Object '{key}' exceeds {max_bytes} bytes.", allowed={"max_bytes": max_bytes}
        )
    return data


def put_bytes(key: str, data: bytes, *, content_type: str, bucket: str | None = None) -> None:
    bucket = bucket or settings().require_bucket()
    try:
        s3_client().put_object(Bucket=bucket, Key=key, Body=data, ContentType=content_type)
    except ClientError as exc:
        raise _translate_client_error(exc, key) from exc
    except (ConnectionError, HTTPClientError) as exc:
        raise StorageUnavailableError(f"S3 could not be reached: {type(exc).__name__}.") from exc


def presigned_get_url(key: str, *, expires_s: int | None = None, bucket: str | None = None) -> str:
    """A time-limited GET URL (signed locally: no request to S3)."""
    bucket = bucket or settings().require_bucket()
    expires = expires_s or settings().presign_expires_s
    try:
        return presign_client().generate_presigned_url(
            "get_object", Params={"Bucket": bucket, "Key": key}, ExpiresIn=expires
        )
    except BotoCoreError as exc:  # e.g. no credentials: a deployment problem
        raise RuntimeError(f"Cannot presign '{key}': {exc}") from exc
