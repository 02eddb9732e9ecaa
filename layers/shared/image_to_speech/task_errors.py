"""The two error classes Step Functions sees from a task (their class names are the contract).

Lambda reports an unhandled exception's class name as `errorType`; the state machine catches
`BadInputError` (never retried: the input is wrong) and retries `TransientError`. The message is
the JSON error body ({"error", "message", "allowed"?}) so a Catch can record why.
"""

from __future__ import annotations

import json
from typing import Any


class TaskError(Exception):
    def __init__(self, body: dict[str, Any]) -> None:
        super().__init__(json.dumps(body, ensure_ascii=False, default=str))
        self.body = body


class BadInputError(TaskError):
    """The task input cannot succeed, whatever the retries."""


class TransientError(TaskError):
    """A temporary failure (S3 throttling, timeouts): retrying may succeed."""
