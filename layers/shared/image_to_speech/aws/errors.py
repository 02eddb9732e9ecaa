"""botocore exceptions -> the error model, shared by the S3 and Step Functions adapters."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from ..errors import ConfigurationError, ServiceError, StorageUnavailableError, TransientError

# Error codes that mean "try again later" rather than "this request is wrong".
TRANSIENT_CODES = frozenset(
    {
        "SlowDown",
        "Throttling",
        "ThrottlingException",
        "TooManyRequestsException",
        "RequestTimeout",
        "RequestTimeTooSkewed",
        "InternalError",
        "InternalFailure",
        "ServiceUnavailable",
        "503",
        "500",
    }
)

# A service's own mapping of specific codes (e.g. S3's NoSuchKey -> 404); None: the defaults.
Specific = Callable[[str, Any], ServiceError | None]


def error_code(exc: Any) -> tuple[str, int]:
    response = getattr(exc, "response", {}) or {}
    code = str(response.get("Error", {}).get("Code", ""))
    status = int(response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0) or 0)
    return code, status


@contextmanager
def aws_errors(
    service: str, *, specific: Specific | None = None, expected: tuple[str, ...] = ()
) -> Iterator[None]:
    """Translate botocore exceptions raised inside the block into the error model:
    throttling and 5xx are transient, everything else is the deployment's problem (503).
    Codes in `expected` reach the caller unchanged (e.g. ExecutionAlreadyExists)."""
    from botocore.exceptions import BotoCoreError, ClientError, HTTPClientError
    from botocore.exceptions import ConnectionError as BotoConnectionError

    unavailable = StorageUnavailableError if service == "S3" else TransientError
    try:
        yield
    except ClientError as exc:
        code, status = error_code(exc)
        if code in expected:
            raise
        mapped = specific(code, exc) if specific else None
        if mapped is not None:
            raise mapped from exc
        if code in TRANSIENT_CODES or status >= 500:
            raise unavailable(f"{service} is unavailable right now ({code}); retry later.") from exc
        raise ConfigurationError(
            f"{service} refused the request ({code or status}): check the resource names and "
            "the function's permissions.",
            allowed={"check": ["BUCKET_NAME / STATE_MACHINE_ARN", "IAM policy of the function"]},
        ) from exc
    except (BotoConnectionError, HTTPClientError) as exc:
        raise unavailable(f"{service} could not be reached: {type(exc).__name__}.") from exc
    except BotoCoreError as exc:  # no credentials, bad endpoint...: the deployment is wrong
        raise ConfigurationError(
            f"{service} cannot be used: {exc}",
            allowed={"check": ["AWS credentials", "AWS_ENDPOINT_URL", "AWS_REGION"]},
        ) from exc
