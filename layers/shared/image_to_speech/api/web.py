"""GET / and GET /web/<file>: the web page, from the job API function (same origin as the API,
so the page needs no API CORS and no configuration: docs/web.md "On AWS")."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

from fastapi import APIRouter, Request
from fastapi.responses import Response

from ..errors import ServiceError
from ..ports import ObjectStore
from ..web import page_file, web_dir


def build_router(store: Callable[[], ObjectStore]) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    def serve(request: Request) -> Response:
        root = web_dir()
        if root is None:
            return Response(b'{"message":"Not Found"}', 404, media_type="application/json")
        answer = page_file(
            root,
            request.method,
            request.url.path,
            request.headers.get("if-none-match"),
            _s3_origins(store),
        )
        return Response(answer.body, answer.status, headers=dict(answer.headers))

    router.add_api_route("/", serve, methods=["GET", "HEAD"])
    router.add_api_route("/web/{path:path}", serve, methods=["GET", "HEAD"])
    return router


def _s3_origins(store: Callable[[], ObjectStore]) -> list[str]:
    """The S3 origin the page uploads to and plays from, as this deployment signs it."""
    try:
        parts = urlsplit(store().presigned_get_url("audio/origin-probe.wav"))
    except ServiceError:
        return []
    return [f"{parts.scheme}://{parts.netloc}"]
