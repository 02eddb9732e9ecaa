"""The one error model: every failure this package raises on purpose is a `ServiceError`.

Three kinds, and what each one means to a caller:
- `BadInputError` (4xx): the request can never succeed as sent. Never retried.
- `TransientError` (503 + Retry-After): a dependency failed for now (S3 throttled, a timeout).
  The state machine retries it.
- `ConfigurationError` (503): the deployment is missing something (a bucket, a state machine,
  a model bundle, the espeak-ng program). The message says what to set; raised before any work.

Each error carries a stable `code`, a sentence for people and what would have been `allowed`.
HTTP adapters answer `to_dict()` with `http_status`. Step Functions sees a task failure's class
name as its error name: `as_task_error()` turns every client error into exactly `BadInputError`
and every transient one into exactly `TransientError`, the two names the state machine's Retry
and Catch rules match (statemachine/pipeline.asl.json), with the JSON body as the message.
"""

from __future__ import annotations

import json
from typing import Any


class ServiceError(Exception):
    """Base class. `code` is stable (clients switch on it), `message` is for people."""

    http_status = 500
    code = "error"

    def __init__(self, message: str, *, allowed: Any = None, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.allowed = allowed
        if code is not None:
            self.code = code

    def to_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"error": self.code, "message": self.message}
        if self.allowed is not None:
            body["allowed"] = self.allowed
        return body

    def as_task_error(self) -> ServiceError:
        """The error a Step Functions task raises: its class name is the state machine's
        contract, its message the JSON body (the Catch records it as the readable reason)."""
        kind: type[ServiceError] = type(self)
        if isinstance(self, BadInputError):
            kind = BadInputError
        elif isinstance(self, TransientError):
            kind = TransientError
        error = kind(self.message, allowed=self.allowed, code=self.code)
        error.args = (json.dumps(self.to_dict(), ensure_ascii=False, default=str),)
        return error


# ---- the three kinds -----------------------------------------------------------------------


class BadInputError(ServiceError):
    """The client sent something that cannot work; retrying the same input will not help."""

    http_status = 422
    code = "invalid_input"


class TransientError(ServiceError):
    """A temporary failure of a dependency: the same request may succeed later."""

    http_status = 503
    code = "temporarily_unavailable"


class ConfigurationError(ServiceError):
    """The deployment lacks a setting or a resource; `allowed` names what to set."""

    http_status = 503
    code = "not_configured"


# ---- client errors -------------------------------------------------------------------------


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
    """A field or generation parameter out of range (beams, max_new_tokens, ...)."""

    code = "invalid_parameter"


class InvalidKeyError(BadInputError):
    code = "invalid_s3_key"


class WrongBucketError(BadInputError):
    code = "invalid_bucket"


class ObjectNotFoundError(BadInputError):
    http_status = 404
    code = "object_not_found"


class ObjectTooLargeError(BadInputError):
    http_status = 413
    code = "object_too_large"


class JobNotFoundError(BadInputError):
    http_status = 404
    code = "job_not_found"


# ---- transient errors ----------------------------------------------------------------------


class StorageUnavailableError(TransientError):
    """S3 throttled, timed out or failed on its side: not the client's fault, worth a retry."""

    code = "storage_unavailable"


class PhonemizerTimeoutError(TransientError):
    code = "phonemizer_timeout"


class UploadReplacedError(TransientError):
    """The upload's content is not the one its job started with: a second upload through the
    same presigned POST, which the upload trigger is about to refuse (delete). Retried."""

    code = "upload_replaced"


# ---- configuration errors ------------------------------------------------------------------


class BundleError(ConfigurationError):
    """A model bundle that cannot be used: missing, tampered with, or of the wrong kind."""

    code = "model_bundle_unusable"


class BundleNotFoundError(BundleError):
    code = "model_bundle_missing"


class BundleIntegrityError(BundleError):
    """A file is missing or its size / sha256 differs from the manifest."""


class PhonemizerError(ConfigurationError):
    """The espeak-ng program is missing or failed: the image lacks it or its voice data."""

    code = "phonemizer_unavailable"
