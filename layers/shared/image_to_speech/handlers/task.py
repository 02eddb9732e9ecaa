"""Step Functions task inputs -> a Task (the result recorder)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..tasks.task import Task, refused
from .events import is_http_api_event, is_s3_event, wrong_event


def task_handler(task: Task[Any, Any]) -> Callable[[Any, Any], dict[str, Any]]:
    def handler(event: Any, context: Any) -> dict[str, Any]:
        if is_http_api_event(event) or is_s3_event(event):
            raise refused(wrong_event("state machine task inputs").as_task_error())
        return task(event)

    return handler
