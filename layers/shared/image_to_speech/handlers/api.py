"""HTTP API (payload 2.0) events -> a FastAPI app, through Mangum."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI
from mangum import Mangum

from ..tasks.task import Task, refused
from .events import is_http_api_event, wrong_event

LambdaHandler = Callable[[Any, Any], Any]


def api_handler(app: FastAPI) -> LambdaHandler:
    """A function behind the HTTP API only (the job API)."""
    # lifespan off: models load at module scope (Lambda init), not per ASGI lifespan.
    asgi = Mangum(app, lifespan="off")

    def handler(event: Any, context: Any) -> Any:
        if not is_http_api_event(event):
            raise refused(wrong_event("HTTP API (payload 2.0) events").as_task_error())
        return asgi(event, context)

    return handler


def api_or_task_handler(app: FastAPI, task: Task[Any, Any]) -> LambdaHandler:
    """A model function: called by the HTTP API (real time) AND by the state machine (a task).

    One function serves both so each model is loaded in one place (a second function per model
    would double cold starts and reserved capacity). HTTP API events carry the documented
    payload-2.0 markers; anything else must validate as the task's input model.
    """
    asgi = Mangum(app, lifespan="off")

    def handler(event: Any, context: Any) -> Any:
        if is_http_api_event(event):
            return asgi(event, context)
        return task(event)

    return handler
