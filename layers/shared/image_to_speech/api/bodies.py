"""Request body helpers: the media type, and reading a body with a size limit."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import Request

from ..errors import ImageTooLargeError, TextTooLongError
from ..media import MAX_UPLOAD_BYTES, parse_media_type

UPLOAD_HINT = (
    f"Larger images (up to {MAX_UPLOAD_BYTES} bytes) go through S3: POST /jobs returns a "
    'presigned upload, then POST /caption with {"s3_key": "uploads/..."} or let the job run.'
)


def image_too_large(size: int | str, limit: int) -> ImageTooLargeError:
    return ImageTooLargeError(
        f"The request body is {size} bytes; at most {limit} bytes are accepted in a request. "
        f"{UPLOAD_HINT}",
        allowed={"max_bytes": limit, "max_upload_bytes": MAX_UPLOAD_BYTES},
    )


def media_type(request: Request) -> str:
    """The request's media type, normalised (media.parse_media_type)."""
    return parse_media_type(request.headers.get("content-type"))


async def read_body(
    request: Request, limit: int, *, too_large: Callable[[int | str, int], Exception]
) -> bytes:
    """The whole body, refusing more than `limit` bytes (by Content-Length first, then by size).

    Under Lambda the body is already in memory; locally (uvicorn) the stream is read in chunks
    and abandoned as soon as it exceeds the limit.
    """
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise too_large(int(declared), limit)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise too_large(f"more than {limit}", limit)
        chunks.append(chunk)
    body = b"".join(chunks)
    # Starlette reuses a cached body for request.form() / request.json().
    request._body = body
    return body


def limit_json_body(limit: int) -> Callable[[Request], Awaitable[None]]:
    """A route dependency refusing bodies whose Content-Length exceeds `limit` (413)."""

    # async: a sync dependency would run in a worker thread, and Mangum's per-invocation event
    # loop starts a new thread for it (milliseconds of overhead per request).
    async def check(request: Request) -> None:
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            raise TextTooLongError(
                f"The request body is {declared} bytes; at most {limit} bytes are accepted.",
                allowed={"max_body_bytes": limit},
            )

    return check
