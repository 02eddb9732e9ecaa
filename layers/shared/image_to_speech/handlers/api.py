"""HTTP API (payload 2.0) events -> a FastAPI app, through Mangum.

The app is built, and FastAPI and Mangum imported, on the first HTTP event: a model function
that only serves state-machine tasks never loads them, and its cold start is its model's load
(docs/performance.md "Cold start").
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from ..tasks.task import Task, refused
from .events import is_http_api_event, wrong_event

if TYPE_CHECKING:
    from fastapi import FastAPI

LambdaHandler = Callable[[Any, Any], Any]


def _asgi(app: Callable[[], FastAPI]) -> Callable[[], Any]:
    @lru_cache(maxsize=1)
    def build() -> Any:
        from mangum import Mangum

        # lifespan off: models load at module scope (Lambda init), not per ASGI lifespan.
        return Mangum(app(), lifespan="off")

    def asgi() -> Any:
        _ensure_event_loop()
        return build()

    return asgi


def _ensure_event_loop() -> None:
    """Mangum runs each request on the thread's current event loop. Lambda's main thread has
    one; a worker thread (the local stack) or a thread whose loop was closed does not."""
    import asyncio

    try:
        loop = asyncio.get_event_loop()
    except RuntimeError:
        loop = None
    if loop is None or loop.is_closed():
        asyncio.set_event_loop(asyncio.new_event_loop())


def api_handler(app: Callable[[], FastAPI]) -> LambdaHandler:
    """A function behind the HTTP API only (the job API)."""
    asgi = _asgi(app)

    def handler(event: Any, context: Any) -> Any:
        if not is_http_api_event(event):
            raise refused(wrong_event("HTTP API (payload 2.0) events").as_task_error())
        return asgi()(event, context)

    return handler


def api_or_task_handler(app: Callable[[], FastAPI], task: Task[Any, Any]) -> LambdaHandler:
    """A model function: called by the HTTP API (real time) AND by the state machine (a task).

    One function serves both so each model is loaded in one place (a second function per model
    would double cold starts and reserved capacity). HTTP API events carry the documented
    payload-2.0 markers; anything else must validate as the task's input model.
    """
    asgi = _asgi(app)

    def handler(event: Any, context: Any) -> Any:
        if is_http_api_event(event):
            return asgi()(event, context)
        return task(event)

    return handler
