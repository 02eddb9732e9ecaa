"""Images we accept, in ONE place: formats, media types, file extensions, size limits.

The size rule, end to end (docs/api.md "Image size"):
- An image sent IN an HTTP request body (POST /caption, POST /jobs) may have at most
  MAX_INLINE_IMAGE_BYTES: Lambda's 6 MB invocation payload must hold it base64-encoded
  (4/3 larger) plus the event around it.
- Every other image, uploaded to S3 with the presigned POST of POST /jobs and captioned from
  there (pipeline or POST /caption {"s3_key"}), may have MAX_UPLOAD_BYTES: S3 enforces it
  (the POST policy's content-length-range) and the caption step reads up to the same limit.
- Any accepted image may have at most MAX_IMAGE_PIXELS pixels (decompression bombs); large
  photos are reduced while decoding (JPEG draft mode), so the limits cost no extra memory.

Nothing here imports numpy or Pillow: the jobs function checks uploads with it, no model.
"""

from __future__ import annotations

from typing import Literal

ImageFormat = Literal["JPEG", "PNG", "WEBP"]

# Pillow's format name -> the media type we store and answer with.
MEDIA_TYPES: dict[str, str] = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
IMAGE_MEDIA_TYPES: list[str] = sorted(MEDIA_TYPES.values())
FORMAT_BY_MEDIA_TYPE: dict[str, str] = {media: fmt for fmt, media in MEDIA_TYPES.items()}
# Non-standard names some clients send for the same formats.
MEDIA_TYPE_ALIASES: dict[str, str] = {
    "image/jpg": "image/jpeg",
    "image/pjpeg": "image/jpeg",
    "image/x-png": "image/png",
}
# The extension each format is stored under (uploads/<job-id>.<ext>).
EXTENSIONS: dict[str, str] = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
# File names people give images, for the batch CLI and the page.
FILE_SUFFIXES: tuple[str, ...] = (".jpg", ".jpeg", ".png", ".webp")

MAX_INLINE_IMAGE_BYTES = 4 * 1024 * 1024
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
MAX_IMAGE_PIXELS = 64_000_000  # 9248 x 6920, the largest phone photos; refused before decoding

# Magic numbers, checked before Pillow ever sees the bytes.
_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\xff\xd8\xff", "JPEG"),
    (b"\x89PNG\r\n\x1a\n", "PNG"),
)


def parse_media_type(header: str | None) -> str:
    """'Image/JPG; charset=x' -> 'image/jpeg': lower case, parameters dropped, aliases mapped
    ('' when missing)."""
    media = (header or "").split(";", 1)[0].strip().lower()
    return MEDIA_TYPE_ALIASES.get(media, media)


def sniff_format(data: bytes) -> str | None:
    """The image format from its first bytes (content, never a name), or None."""
    for signature, name in _SIGNATURES:
        if data.startswith(signature):
            return name
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    return None


def describe_head(data: bytes) -> str:
    """The first bytes in hex, to show people what they sent instead of an image."""
    return data[:8].hex(" ") if data else "nothing"
