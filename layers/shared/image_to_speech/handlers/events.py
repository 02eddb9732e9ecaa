"""What kind of event a Lambda received, by the markers AWS documents for each source."""

from __future__ import annotations

from typing import Any

from ..errors import BadInputError


def is_http_api_event(event: Any) -> bool:
    """API Gateway HTTP API, payload format 2.0: `version` "2.0" and `requestContext.http`."""
    return (
        isinstance(event, dict)
        and event.get("version") == "2.0"
        and isinstance(event.get("requestContext"), dict)
        and "http" in event["requestContext"]
    )


def is_s3_event(event: Any) -> bool:
    records = event.get("Records") if isinstance(event, dict) else None
    return (
        isinstance(records, list)
        and bool(records)
        and all(isinstance(r, dict) and r.get("eventSource") == "aws:s3" for r in records)
    )


def is_sqs_event(event: Any) -> bool:
    records = event.get("Records") if isinstance(event, dict) else None
    return (
        isinstance(records, list)
        and bool(records)
        and all(isinstance(r, dict) and r.get("eventSource") == "aws:sqs" for r in records)
    )


def wrong_event(expected: str) -> BadInputError:
    return BadInputError(
        f"This function accepts {expected} only.", allowed=[expected], code="unexpected_event"
    )
