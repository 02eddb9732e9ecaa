"""Caption an image, given as bytes or as the key of an upload in our bucket."""

from __future__ import annotations

import hashlib

from ..errors import NotAnImageError, UnsupportedImageFormatError
from ..inference.captioning import Captioner
from ..keys import validate_upload_key
from ..media import IMAGE_MEDIA_TYPES, MAX_UPLOAD_BYTES, MEDIA_TYPES, parse_media_type, sniff_format
from ..observability import record_inference, traced
from ..ports import ObjectStore
from ..schemas import CaptionOptions, CaptionResponse
from .cache import ResultCache, through_cache


def check_image(data: bytes, declared: str | None = None) -> str:
    """The image's format by its bytes; refuse empty bodies (422), content that is no image we
    accept, or content that is not what its declared media type says (415)."""
    if not data:
        raise NotAnImageError("The image is empty (0 bytes).", allowed=IMAGE_MEDIA_TYPES)
    found = sniff_format(data)
    if found is None:
        raise UnsupportedImageFormatError(
            "The content is not a JPEG, PNG or WebP image (checked by its bytes, never its name).",
            allowed=IMAGE_MEDIA_TYPES,
        )
    media = parse_media_type(declared)
    if media and media != "application/octet-stream" and media != MEDIA_TYPES[found]:
        raise UnsupportedImageFormatError(
            f"Content-Type says {media} but the content is {MEDIA_TYPES[found]}.",
            allowed=IMAGE_MEDIA_TYPES,
        )
    return found


@traced
def caption_image(
    captioner: Captioner,
    image: bytes,
    options: CaptionOptions,
    *,
    declared: str | None = None,
    cache: ResultCache | None = None,
) -> CaptionResponse:
    check_image(image, declared)

    def compute() -> CaptionResponse:
        result = captioner.caption(
            image,
            max_new_tokens=options.max_new_tokens,
            num_beams=options.num_beams,
            sampling=options.sampling(),
        )
        record_inference("caption", result.ms)
        return CaptionResponse(
            caption=result.caption, model=captioner.bundle.describe(), ms=round(result.ms, 3)
        )

    def material() -> dict[str, object]:
        return {
            "image": hashlib.sha256(image).hexdigest(),
            "model": captioner.bundle.fingerprint,
            "options": options.cache_material(),
        }

    enabled = options.cache and options.deterministic
    return through_cache(cache, enabled, "caption", material, CaptionResponse, compute)


@traced
def caption_upload(
    captioner: Captioner,
    store: ObjectStore,
    key: str,
    options: CaptionOptions,
    *,
    field: str = "key",
    cache: ResultCache | None = None,
    if_match: str | None = None,
) -> CaptionResponse:
    """Caption uploads/<...> from the bucket (up to the upload limit, checked before reading).
    The image is always read: the cache is keyed by its content, not its name. With if_match
    (an ETag), only that content of the key is read."""
    key = validate_upload_key(key, field=field)
    image = store.get_bytes(key, max_bytes=MAX_UPLOAD_BYTES, if_match=if_match)
    return caption_image(captioner, image, options, cache=cache)
