"""Safe image decoding and preprocessing (Pillow + numpy) shared by every captioner."""

from __future__ import annotations

import io
import warnings
from collections.abc import Sequence

import numpy as np
from PIL import Image, UnidentifiedImageError

from .errors import (
    ImageTooLargeError,
    NotAnImageError,
    TruncatedImageError,
    UnsupportedImageFormatError,
)

# Formats we accept, as Pillow names them, with their media types.
ALLOWED_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
MAX_IMAGE_BYTES = 5 * 1024 * 1024  # API Gateway / Lambda payload limits; S3 is the way for more
MAX_IMAGE_PIXELS = 40_000_000  # about 7700 x 5200; anything larger is refused before decoding

# The magic numbers of each allowed format, checked before Pillow sees the bytes.
_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\xff\xd8\xff", "JPEG"),
    (b"\x89PNG\r\n\x1a\n", "PNG"),
)


def sniff_format(data: bytes) -> str | None:
    """The image format from the first bytes (content, never the file name), or None."""
    for signature, name in _SIGNATURES:
        if data.startswith(signature):
            return name
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    return None


def decode_image(
    data: bytes, *, max_bytes: int = MAX_IMAGE_BYTES, max_pixels: int = MAX_IMAGE_PIXELS
) -> Image.Image:
    """Decode bytes into an RGB image, or raise a typed error saying what is wrong."""
    allowed = sorted(ALLOWED_FORMATS.values())
    if not data:
        raise NotAnImageError("The image is empty (0 bytes).", allowed=allowed)
    if len(data) > max_bytes:
        raise ImageTooLargeError(
            f"The image is {len(data)} bytes; at most {max_bytes} bytes are accepted here. "
            "Upload larger images to S3 and pass the key instead.",
            allowed={"max_bytes": max_bytes},
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            image_format = image.format or ""
            if image_format not in ALLOWED_FORMATS:
                raise UnsupportedImageFormatError(
                    f"Image format {image_format or 'unknown'} is not supported.", allowed=allowed
                )
            width, height = image.size
            if width * height > max_pixels:
                raise ImageTooLargeError(
                    f"The image is {width}x{height} = {width * height} pixels; at most "
                    f"{max_pixels} pixels are accepted.",
                    allowed={"max_pixels": max_pixels},
                )
            image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ImageTooLargeError(
            f"The image looks like a decompression bomb: {exc}", allowed={"max_pixels": max_pixels}
        ) from exc
    except UnidentifiedImageError as exc:
        raise NotAnImageError(
            "The data is not an image Pillow can read (checked by content, not name).",
            allowed=allowed,
        ) from exc
    except (OSError, SyntaxError, ValueError) as exc:
        # Pillow raises OSError("image file is truncated ...") and friends for broken files.
        raise TruncatedImageError(
            f"The image could not be decoded completely: {exc}", allowed=allowed
        ) from exc
    return image.convert("RGB")


def to_tensor(
    image: Image.Image,
    *,
    size: tuple[int, int],
    mean: Sequence[float],
    std: Sequence[float],
    resample: int = Image.Resampling.BILINEAR,
    rescale: float = 1 / 255,
) -> np.ndarray:
    """Resize to (height, width), rescale, normalise; returns float32 NCHW with N=1."""
    height, width = size
    resized = image.resize((width, height), resample=resample)
    scaled = np.asarray(resized, dtype=np.float32) * np.float32(rescale)
    normalised = (scaled - np.asarray(mean, dtype=np.float32)) / np.asarray(std, dtype=np.float32)
    return np.ascontiguousarray(normalised.transpose(2, 0, 1)[None, ...], dtype=np.float32)
