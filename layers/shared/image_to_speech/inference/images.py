"""Safe image decoding and preprocessing (Pillow + numpy) shared by every captioner."""

from __future__ import annotations

import io
import warnings
from collections.abc import Sequence

import numpy as np
from PIL import Image, UnidentifiedImageError

from ..errors import (
    ImageTooLargeError,
    NotAnImageError,
    TruncatedImageError,
    UnsupportedImageFormatError,
)
from ..media import IMAGE_MEDIA_TYPES, MAX_IMAGE_PIXELS, MAX_UPLOAD_BYTES, MEDIA_TYPES

# Large JPEGs are decoded at a reduced scale (1/2 .. 1/8, Pillow's draft mode) as long as the
# result keeps at least this many pixels on its short side: far more than any model's input,
# so quality is unchanged, and a 40-megapixel photo costs no more than a 2-megapixel one.
DRAFT_MIN_SIDE = 1024


def decode_image(
    data: bytes, *, max_bytes: int = MAX_UPLOAD_BYTES, max_pixels: int = MAX_IMAGE_PIXELS
) -> Image.Image:
    """Decode bytes into an RGB image, or raise a typed error saying what is wrong."""
    allowed = IMAGE_MEDIA_TYPES
    if not data:
        raise NotAnImageError("The image is empty (0 bytes).", allowed=allowed)
    if len(data) > max_bytes:
        raise ImageTooLargeError(
            f"The image is {len(data)} bytes; at most {max_bytes} bytes are accepted.",
            allowed={"max_bytes": max_bytes},
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            image_format = image.format or ""
            if image_format not in MEDIA_TYPES:
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
            _reduce_while_decoding(image)
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


def _reduce_while_decoding(image: Image.Image) -> None:
    """JPEG only: let the decoder scale down by a power of two, keeping DRAFT_MIN_SIDE."""
    width, height = image.size
    if image.format == "JPEG" and min(width, height) >= 2 * DRAFT_MIN_SIDE:
        scale = min(width, height) / DRAFT_MIN_SIDE
        image.draft("RGB", (int(width / scale), int(height / scale)))


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
