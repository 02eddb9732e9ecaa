"""ports.ObjectStore on S3: bounded reads, writes, presigned URLs, and errors that say why.

S3's own errors are mapped onto the error model: a missing object is the client's problem
(404), throttling and 5xx are transient (retried), and access denied / no such bucket are
configuration problems (503 naming what to check), never a bare 500.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from ..config import Settings, get_settings
from ..errors import ObjectNotFoundError, ObjectTooLargeError, ServiceError, UploadReplacedError
from ..ports import ObjectInfo, ObjectVersion, PresignedPost
from .clients import s3_client
from .errors import Specific, aws_errors

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

_NOT_FOUND_CODES = {"NoSuchKey", "404", "NotFound"}
_REPLACED_CODES = {"PreconditionFailed", "412"}


class S3Store:
    """The service's bucket, from settings (BUCKET_NAME): ConfigurationError when unset."""

    def __init__(self, settings: Settings | None = None, client: Any | None = None) -> None:
        settings = settings or get_settings()
        self._bucket = settings.require_bucket()
        self._expires = settings.presign_expires_s
        self._uploads_prefix = settings.uploads_prefix
        self._client = client or s3_client()  # operator commands bring their own client
        # Clients sign URLs for the endpoint THEY reach (see Settings.presign_endpoint_url).
        public = settings.presign_endpoint_url
        self._presigner = s3_client(public) if public else self._client

    @property
    def bucket(self) -> str:
        return self._bucket

    @property
    def presign_expires_s(self) -> int:
        return self._expires

    @property
    def client(self) -> S3Client:
        return self._client

    def get_bytes(self, key: str, *, max_bytes: int, if_match: str | None = None) -> bytes:
        """The object's bytes, refusing objects over max_bytes before downloading them; with
        if_match, only the content with that ETag (else UploadReplacedError)."""
        with aws_errors("S3", specific=_not_found(self._uploads_prefix, key)):
            if if_match:
                response = self._client.get_object(
                    Bucket=self._bucket, Key=key, IfMatch=quoted(if_match)
                )
            else:
                response = self._client.get_object(Bucket=self._bucket, Key=key)
            size = int(response.get("ContentLength", 0))
            if size > max_bytes:
                response["Body"].close()
                raise _too_large(key, size, max_bytes)
            data: bytes = response["Body"].read(max_bytes + 1)
        if len(data) > max_bytes:  # ContentLength lied or was missing
            raise _too_large(key, len(data), max_bytes)
        return data

    def put_bytes(self, key: str, data: bytes, *, content_type: str) -> None:
        with aws_errors("S3", specific=_not_found(self._uploads_prefix, key)):
            self._client.put_object(
                Bucket=self._bucket, Key=key, Body=data, ContentType=content_type
            )

    def presigned_get_url(self, key: str) -> str:
        """A time-limited GET URL (signed locally: no request to S3)."""
        with aws_errors("S3", specific=_not_found(self._uploads_prefix, key)):
            return self._presigner.generate_presigned_url(
                "get_object", Params={"Bucket": self._bucket, "Key": key}, ExpiresIn=self._expires
            )

    def presigned_post(self, key: str, *, content_type: str, max_bytes: int) -> PresignedPost:
        """A POST (not PUT) upload, so S3 itself enforces the key, type and size."""
        with aws_errors("S3", specific=_not_found(self._uploads_prefix, key)):
            post = self._presigner.generate_presigned_post(
                Bucket=self._bucket,
                Key=key,
                Fields={"Content-Type": content_type},
                Conditions=[
                    {"Content-Type": content_type},
                    ["content-length-range", 1, max_bytes],
                ],
                ExpiresIn=self._expires,
            )
        fields = {name: str(value) for name, value in post["fields"].items()}
        return PresignedPost(url=post["url"], fields=fields, expires_in=self._expires)

    def list_objects(self, prefix: str) -> Iterator[ObjectInfo]:
        """Every object under the prefix, page after page (1,000 keys a request)."""
        paginator = self._client.get_paginator("list_objects_v2")
        with aws_errors("S3"):
            for page in paginator.paginate(Bucket=self._bucket, Prefix=prefix):
                for entry in page.get("Contents", []):
                    modified = entry.get("LastModified")
                    yield ObjectInfo(
                        key=entry["Key"],
                        size=int(entry.get("Size", 0)),
                        last_modified=modified.isoformat() if modified is not None else None,
                    )

    def versions(self, key: str) -> list[ObjectVersion]:
        """Every version of exactly this key (ports.UploadVersions), newest first."""
        found: list[ObjectVersion] = []
        with aws_errors("S3", specific=_not_found(self._uploads_prefix, key)):
            pages = self._client.get_paginator("list_object_versions")
            for page in pages.paginate(Bucket=self._bucket, Prefix=key):
                found.extend(
                    ObjectVersion(str(v["VersionId"]), str(v["ETag"]).strip('"'))
                    for v in page.get("Versions", [])
                    if v["Key"] == key
                )
        return found

    def delete_version(self, key: str, version_id: str) -> None:
        with aws_errors("S3", specific=_not_found(self._uploads_prefix, key)):
            self._client.delete_object(Bucket=self._bucket, Key=key, VersionId=version_id)


def quoted(etag: str) -> str:
    """S3 sends ETags in events without quotes and compares them with quotes."""
    return etag if etag.startswith('"') else f'"{etag}"'


def _too_large(key: str, size: int, limit: int) -> ObjectTooLargeError:
    return ObjectTooLargeError(
        f"Object '{key}' is {size} bytes; at most {limit} bytes are accepted.",
        allowed={"max_bytes": limit},
    )


def _not_found(uploads_prefix: str, key: str) -> Specific:
    def specific(code: str, exc: Any) -> ServiceError | None:
        if code in _REPLACED_CODES:
            return UploadReplacedError(
                f"'{key}' no longer holds the image its job started with (uploaded again with "
                "the same presigned POST); the upload trigger refuses the second upload.",
                allowed={"uploads_per_job": 1},
            )
        if code not in _NOT_FOUND_CODES:
            return None
        return ObjectNotFoundError(
            f"No object '{key}' in the bucket. Upload it first (POST /jobs gives an upload URL).",
            allowed={"prefixes": [uploads_prefix]},
        )

    return specific
