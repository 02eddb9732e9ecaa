"""Content check of uploads: magic bytes decide what an object is, never its name."""

from __future__ import annotations

from ..inference.errors import NotAnImageError
from ..inference.images import ALLOWED_FORMATS, MAX_IMAGE_BYTES, sniff_format

# The file extension each accepted format is stored under (uploads/<job-id>.<ext>).
EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
CONTENT_TYPES = dict(ALLOWED_FORMATS)
# Enough bytes for every signature sniff_format knows (WEBP needs 12).
SNIFF_BYTES = 16
# Direct uploads in a POST /jobs body must fit API Gateway; bigger images go through S3.
MAX_DIRECT_UPLOAD_BYTES = MAX_IMAGE_BYTES
# Presigned uploads: S3 refuses anything larger (content-length-range of the POST policy).
MAX_PRESIGNED_UPLOAD_BYTES = 20 * 1024 * 1024


def image_format(head: bytes) -> str:
    """'JPEG' / 'PNG' / 'WEBP' from the first bytes, or NotAnImageError saying what is allowed."""
    found = sniff_format(head)
    if found is None:
        shown = head[:8].hex(" ") if head else "nothing"
        raise NotAnImageError(
            f"The upload is not a JPEG, PNG or WEBP image (checked by content; it starts with "
            f"{shown}).",
            allowed=sorted(CONTENT_TYPES.values()),
        )
    return found


def extension_for(fmt: str) -> str:
    return EXTENSIONS[fmt]
