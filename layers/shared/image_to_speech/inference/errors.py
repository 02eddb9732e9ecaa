"""Typed errors raised by the runtime.

Each error knows the HTTP status the API layer answers with and says what is allowed, so the
HTTP layer maps them without knowing every case, and Step Functions sees a stable error name.
"""

from __future__ import annotations

from typing import Any


class InferenceError(Exception):
    """Base class: a request the runtime refuses. `code` is stable, `message` is for people."""

    http_status = 422
    code = "invalid_input"

    def __init__(self, message: str, *, allowed: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.allowed = allowed

    def to_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"error": self.code, "message": self.message}
        if self.allowed is not None:
            body["allowed"] = self.allowed
        return body


class BadInputError(InferenceError):
    """The client sent something the model cannot use (retrying will not help)."""


class NotAnImageError(BadInputError):
    code = "not_an_image"


class UnsupportedImageFormatError(BadInputError):
    http_status = 415
    code = "unsupported_image_format"


class TruncatedImageError(BadInputError):
    code = "truncated_image"


class ImageTooLargeError(BadInputError):
    """Too many bytes, or too many pixels (decompression bombs)."""

    http_status = 413
    code = "image_too_large"


class EmptyTextError(BadInputError):
    code = "empty_text"


class TextTooLongError(BadInputError):
    http_status = 413
    code = "text_too_long"


class UnsupportedLanguageError(BadInputError):
    code = "unsupported_language"


class InvalidParameterError(BadInputError):
    """A generation parameter out of range (beams, max_new_tokens, ...)."""

    code = "invalid_parameter"


class BundleError(Exception):
    """A model bundle that cannot be used: a deployment problem, not a client one."""


class BundleNotFoundError(BundleError):
    pass


class BundleIntegrityError(BundleError):
    """A file is missing or its size / sha256 differs from the manifest."""
