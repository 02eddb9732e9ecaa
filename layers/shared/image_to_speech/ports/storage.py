"""Object storage (S3): what the services read and write, and the upload versions."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class PresignedPost:
    """A browser-usable S3 upload: POST `fields` then the file to `url`."""

    url: str
    fields: dict[str, str]
    expires_in: int


@dataclass(frozen=True)
class ObjectInfo:
    """One entry of a listing."""

    key: str
    size: int
    last_modified: str | None = None  # ISO 8601


class ObjectStore(Protocol):
    """The one bucket this service owns (uploads/, audio/, results/)."""

    @property
    def bucket(self) -> str: ...

    @property
    def presign_expires_s(self) -> int: ...

    def get_bytes(self, key: str, *, max_bytes: int, if_match: str | None = None) -> bytes:
        """The object's bytes; ObjectNotFoundError / ObjectTooLargeError / TransientError.
        With if_match (an ETag): only that content, else UploadReplacedError (retried)."""
        ...

    def put_bytes(self, key: str, data: bytes, *, content_type: str) -> None: ...

    def presigned_get_url(self, key: str) -> str: ...

    def presigned_post(self, key: str, *, content_type: str, max_bytes: int) -> PresignedPost: ...

    def list_objects(self, prefix: str) -> Iterator[ObjectInfo]:
        """Every object under the prefix, in key order (all pages)."""
        ...


@dataclass(frozen=True)
class ObjectVersion:
    version_id: str
    etag: str  # without quotes


class UploadVersions(Protocol):
    """The versions of an upload (the bucket is versioned), so the upload trigger can refuse a
    second upload to a job's key by deleting it (services/uploads.py)."""

    def versions(self, key: str) -> list[ObjectVersion]: ...

    def delete_version(self, key: str, version_id: str) -> None: ...


class UploadStore(ObjectStore, UploadVersions, Protocol):
    """What the upload trigger needs: the bucket (job requests) and the upload's versions."""
