"""Request body helpers: the media type, and reading a body with a size limit."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import Request


def media_type(request: Request) -> str:
    """'image/jpeg; charset=x' -> 'image/jpeg' (lower case, '' when missing)."""
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


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
    from ..inference.errors import TextTooLongError

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
