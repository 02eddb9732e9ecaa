"""POST /caption: a raw image, a multipart field 'image', or {"s3_key": "uploads/..."}."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from pydantic import ValidationError
from starlette.datastructures import UploadFile

from ..errors import InvalidParameterError, UnsupportedImageFormatError
from ..inference.captioning import Captioner
from ..media import IMAGE_MEDIA_TYPES, MAX_INLINE_IMAGE_BYTES, parse_media_type
from ..ports import ObjectStore
from ..schemas import CaptionParams, CaptionResponse, CaptionS3Request
from ..services.cache import ResultCache
from ..services.caption import caption_image, caption_upload
from .bodies import image_too_large, media_type, read_body
from .concurrency import run_blocking
from .errors import RequestModelError

ACCEPTED_MEDIA_TYPES = [*IMAGE_MEDIA_TYPES, "multipart/form-data", "application/json"]
MULTIPART_OVERHEAD_BYTES = 64 * 1024  # boundaries and part headers around the image
MAX_JSON_BODY_BYTES = 16 * 1024
MULTIPART_ALLOWED = {"multipart/form-data": {"image": "one file, JPEG/PNG/WebP"}}


def _query_params(request: Request) -> CaptionParams:
    """The generation controls from the query string. Parsed here rather than declared as a
    FastAPI query model, which cost ~0.15 ms of every call (a fifth of the handler's own time
    around a ~15 ms model, measured back to back); the rules and the 422 are the same, and the
    OpenAPI document lists the parameters from the same model (below)."""
    try:
        return CaptionParams.model_validate(dict(request.query_params))
    except ValidationError as exc:
        raise RequestModelError(CaptionParams, exc, location="query") from exc


def _query_parameters() -> list[dict[str, Any]]:
    schema = CaptionParams.model_json_schema()
    return [
        {
            "name": name,
            "in": "query",
            "required": False,
            "schema": rules,
            **({"description": rules["description"]} if "description" in rules else {}),
        }
        for name, rules in schema["properties"].items()
    ]


_OPENAPI: dict[str, Any] = {
    "parameters": _query_parameters(),
    "requestBody": {
        "required": True,
        "content": {
            **{
                media: {"schema": {"type": "string", "format": "binary"}}
                for media in IMAGE_MEDIA_TYPES
            },
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["image"],
                    "properties": {"image": {"type": "string", "format": "binary"}},
                }
            },
            "application/json": {"schema": CaptionS3Request.model_json_schema()},
        },
    },
}


def build_router(
    captioner: Captioner,
    store: Callable[[], ObjectStore],
    cache: Callable[[], ResultCache | None],
) -> APIRouter:
    router = APIRouter(tags=["caption"])

    @router.post(
        "/caption",
        response_model=CaptionResponse,
        summary="Caption an image (raw body, multipart field 'image', or an S3 key)",
        openapi_extra=_OPENAPI,
    )
    async def caption(request: Request) -> CaptionResponse:
        params = _query_params(request)
        content_type = media_type(request)
        if content_type in IMAGE_MEDIA_TYPES:
            body = await read_body(request, MAX_INLINE_IMAGE_BYTES, too_large=image_too_large)
            return await run_blocking(
                caption_image, captioner, body, params, declared=content_type, cache=cache()
            )
        if content_type == "multipart/form-data":
            image, declared = await _multipart_image(request)
            return await run_blocking(
                caption_image, captioner, image, params, declared=declared, cache=cache()
            )
        if content_type == "application/json":
            body = await read_body(request, MAX_JSON_BODY_BYTES, too_large=image_too_large)
            try:
                parsed = CaptionS3Request.model_validate_json(body)
            except ValidationError as exc:
                raise RequestModelError(CaptionS3Request, exc) from exc
            bucket = store()  # configuration is checked before any work
            return await run_blocking(
                caption_upload,
                captioner,
                bucket,
                parsed.s3_key,
                parsed,  # a CaptionOptions, validated with the body
                field="s3_key",
                cache=cache(),
            )
        raise UnsupportedImageFormatError(
            f"Content-Type '{content_type or 'missing'}' is not accepted here.",
            allowed=ACCEPTED_MEDIA_TYPES,
        )

    return router


async def _multipart_image(request: Request) -> tuple[bytes, str | None]:
    limit = MAX_INLINE_IMAGE_BYTES + MULTIPART_OVERHEAD_BYTES
    await read_body(request, limit, too_large=image_too_large)  # cached by Starlette for form()
    try:
        form = await request.form(max_files=1, max_fields=8)
    except Exception as exc:  # malformed multipart: python-multipart raises various errors
        raise InvalidParameterError(
            f"The multipart body could not be parsed: {type(exc).__name__}.",
            allowed=MULTIPART_ALLOWED,
        ) from exc
    upload = form.get("image")
    if not isinstance(upload, UploadFile):
        raise InvalidParameterError(
            "The multipart body has no file field 'image'.", allowed=MULTIPART_ALLOWED
        )
    data = await upload.read()
    if len(data) > MAX_INLINE_IMAGE_BYTES:
        raise image_too_large(len(data), MAX_INLINE_IMAGE_BYTES)
    return data, parse_media_type(upload.content_type) or None
