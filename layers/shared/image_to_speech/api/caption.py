"""POST /caption (raw image, multipart upload or an S3 key) and the caption task."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import ValidationError
from starlette.datastructures import UploadFile

from ..inference.errors import (
    ImageTooLargeError,
    InvalidParameterError,
    NotAnImageError,
    UnsupportedImageFormatError,
)
from ..inference.images import ALLOWED_FORMATS, MAX_IMAGE_BYTES, sniff_format
from ..observability import record_inference
from ..schemas import (
    CaptionParams,
    CaptionResponse,
    CaptionS3Request,
    CaptionTaskInput,
    CaptionTaskOutput,
)
from .app_factory import Service
from .bodies import media_type, read_body
from .errors import RequestModelError
from .handler import Task

if TYPE_CHECKING:
    from ..inference.captioner import Captioner

from .. import storage

IMAGE_MEDIA_TYPES = sorted(ALLOWED_FORMATS.values())
ACCEPTED_MEDIA_TYPES = [*IMAGE_MEDIA_TYPES, "multipart/form-data", "application/json"]
# Non-standard names clients send for the same formats.
_MEDIA_ALIASES = {
    "image/jpg": "image/jpeg",
    "image/pjpeg": "image/jpeg",
    "image/x-png": "image/png",
}
MULTIPART_OVERHEAD_BYTES = 64 * 1024  # boundaries and part headers around a 5 MB image
MAX_JSON_BODY_BYTES = 16 * 1024
# Images fetched from S3 skip the API payload limits (6 MB Lambda events, base64), but the
# runtime decoder refuses more than MAX_IMAGE_BYTES: refuse bigger objects before downloading.
MAX_S3_IMAGE_BYTES = MAX_IMAGE_BYTES
UPLOAD_HINT = (
    "Upload larger images to S3 instead: POST /jobs returns a presigned upload URL, "
    'or POST /caption with {"s3_key": "uploads/..."}.'
)

_OPENAPI_BODY: dict[str, Any] = {
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
    }
}


def check_image(data: bytes, declared: str | None) -> bytes:
    """Refuse empty bodies (422) and content that is not the format it claims (415)."""
    if not data:
        raise NotAnImageError("The image is empty (0 bytes).", allowed=IMAGE_MEDIA_TYPES)
    sniffed = sniff_format(data)
    if sniffed is None:
        raise UnsupportedImageFormatError(
            "The content is not a JPEG, PNG or WebP image (checked by its bytes).",
            allowed=IMAGE_MEDIA_TYPES,
        )
    declared = _MEDIA_ALIASES.get(declared or "", declared)
    actual = ALLOWED_FORMATS[sniffed]
    if declared and declared != "application/octet-stream" and declared != actual:
        raise UnsupportedImageFormatError(
            f"Content-Type says {declared} but the content is {actual}.", allowed=IMAGE_MEDIA_TYPES
        )
    return data


def _too_large(size: int | str, limit: int) -> ImageTooLargeError:
    return ImageTooLargeError(
        f"The request body is {size} bytes; at most {limit} bytes are accepted. {UPLOAD_HINT}",
        allowed={"max_bytes": limit},
    )


def build_router(captioner: Captioner) -> APIRouter:
    router = APIRouter(tags=["caption"])
    model = captioner.bundle.describe()  # computed once: the hot path only reads it

    def run(image: bytes, params: CaptionParams) -> CaptionResponse:
        result = captioner.caption(
            image, max_new_tokens=params.max_new_tokens, num_beams=params.num_beams
        )
        record_inference("caption", result.ms)
        return CaptionResponse(caption=result.caption, model=model, ms=round(result.ms, 3))

    @router.post(
        "/caption",
        response_model=CaptionResponse,
        summary="Caption an image (raw body, multipart field 'image', or an S3 key)",
        openapi_extra=_OPENAPI_BODY,
    )
    async def caption(
        request: Request, params: Annotated[CaptionParams, Query()]
    ) -> CaptionResponse:
        # async + direct model call: one request per Lambda environment, so nothing to yield to
        content_type = media_type(request)
        content_type = _MEDIA_ALIASES.get(content_type, content_type)
        if content_type in IMAGE_MEDIA_TYPES:
            body = await read_body(request, MAX_IMAGE_BYTES, too_large=_too_large)
            return run(check_image(body, content_type), params)
        if content_type == "multipart/form-data":
            return run(await _multipart_image(request), params)
        if content_type == "application/json":
            body = await read_body(request, MAX_JSON_BODY_BYTES, too_large=_too_large)
            try:
                parsed = CaptionS3Request.model_validate_json(body)
            except ValidationError as exc:
                raise RequestModelError(CaptionS3Request, exc) from exc
            settings = storage.settings()
            key = storage.validate_key(parsed.s3_key, (settings.uploads_prefix,), field="s3_key")
            image = storage.get_bytes(key, max_bytes=MAX_S3_IMAGE_BYTES)
            return run(check_image(image, None), parsed)
        raise UnsupportedImageFormatError(
            f"Content-Type '{content_type or 'missing'}' is not accepted here.",
            allowed=ACCEPTED_MEDIA_TYPES,
        )

    return router


async def _multipart_image(request: Request) -> bytes:
    limit = MAX_IMAGE_BYTES + MULTIPART_OVERHEAD_BYTES
    await read_body(request, limit, too_large=_too_large)  # cached by Starlette for form()
    try:
        form = await request.form(max_files=1, max_fields=8)
    except Exception as exc:  # malformed multipart: python-multipart raises various errors
        raise InvalidParameterError(
            f"The multipart body could not be parsed: {type(exc).__name__}.",
            allowed={"multipart/form-data": {"image": "one file, JPEG/PNG/WebP"}},
        ) from exc
    upload = form.get("image")
    if not isinstance(upload, UploadFile):
        raise InvalidParameterError(
            "The multipart body has no file field 'image'.",
            allowed={"multipart/form-data": {"image": "one file, JPEG/PNG/WebP"}},
        )
    data = await upload.read()
    if len(data) > MAX_IMAGE_BYTES:
        raise _too_large(len(data), MAX_IMAGE_BYTES)
    declared = (upload.content_type or "").split(";")[0].strip().lower() or None
    return check_image(data, declared)


def caption_task(captioner: Captioner) -> Task[CaptionTaskInput, CaptionTaskOutput]:
    model = captioner.bundle.describe()

    def run(payload: CaptionTaskInput) -> CaptionTaskOutput:
        bucket = storage.validate_bucket(payload.bucket)
        key = storage.validate_key(payload.key, (storage.settings().uploads_prefix,))
        image = storage.get_bytes(key, max_bytes=MAX_S3_IMAGE_BYTES, bucket=bucket)
        result = captioner.caption(image)
        record_inference("caption", result.ms)
        return CaptionTaskOutput(caption=result.caption, model=model, ms=round(result.ms, 3))

    return Task(CaptionTaskInput, run)


def caption_service(captioner: Captioner) -> Service:
    return Service("caption", captioner, build_router(captioner))
