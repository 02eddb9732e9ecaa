"""Each Lambda function of template.yaml, assembled from its model and its resources.

functions/<name>/*.py load the model at module scope (Lambda init) and call one of these; tests
call them with fakes (tests/fakes.py); the local stack mounts every router in one app.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property
from typing import TYPE_CHECKING, Any

from .aws.resources import batch_runs, executions, object_store
from .config import get_settings
from .handlers.api import api_handler, api_or_task_handler
from .handlers.task import task_handler
from .inference.captioning import Captioner
from .inference.speech import Synthesizer
from .inference.translation import Translator
from .inference.voices import Voices
from .services.cache import ResultCache

if TYPE_CHECKING:  # FastAPI is imported when an app is first built (the first HTTP event)
    from fastapi import APIRouter, FastAPI

    from .api.app_factory import Service
    from .ports import BatchRuns, Executions, UploadStore
    from .tasks.task import CacheProvider, StoreProvider

    ExecutionsProvider = Callable[[], Executions]
    UploadStoreProvider = Callable[[], UploadStore]
    BatchRunsProvider = Callable[[], BatchRuns]

LambdaHandler = Callable[[Any, Any], Any]


class Function:
    """A template.yaml function: its Lambda handler and, built on first use, its HTTP app."""

    def __init__(
        self, handler: LambdaHandler, app_factory: Callable[[], FastAPI] | None = None
    ) -> None:
        self.handler = handler
        self._app_factory = app_factory

    @cached_property
    def app(self) -> FastAPI | None:
        return self._app_factory() if self._app_factory is not None else None


def _once(factory: Callable[[], FastAPI]) -> Callable[[], FastAPI]:
    built: list[FastAPI] = []

    def app() -> FastAPI:
        if not built:
            built.append(factory())
        return built[0]

    return app


def result_cache() -> ResultCache | None:
    """The bucket's result cache; None when CACHE_ENABLED=false or there is no bucket (then
    every request computes: the cache only ever saves work)."""
    settings = get_settings()
    if not settings.cache_enabled or not settings.bucket_name:
        return None
    return ResultCache(object_store())


def caption_service(
    captioner: Captioner,
    store: StoreProvider = object_store,
    cache: CacheProvider = result_cache,
) -> Service:
    from .api import caption as caption_api
    from .api.app_factory import Service

    return Service("caption", captioner, caption_api.build_router(captioner, store, cache))


def translate_service(translator: Translator, cache: CacheProvider = result_cache) -> Service:
    from .api import translate as translate_api
    from .api.app_factory import Service

    return Service("translate", translator, translate_api.build_router(translator, cache))


def speak_service(
    voices: Voices | Synthesizer,
    store: StoreProvider = object_store,
    cache: CacheProvider = result_cache,
) -> Service:
    from .api import speak as speak_api
    from .api.app_factory import Service

    voices = voices if isinstance(voices, Voices) else Voices(voices)
    return Service("speak", voices.default, speak_api.build_router(voices, store, cache))


def _app(title: str, services: Callable[[], list[Service]]) -> Callable[[], FastAPI]:
    def build() -> FastAPI:
        from .api.app_factory import create_app

        return create_app(services(), title=title)

    return _once(build)


def caption_function(
    captioner: Captioner, store: StoreProvider = object_store, cache: CacheProvider = result_cache
) -> Function:
    # Each builder imports its own task (and so its own schemas): a function builds no others.
    from .tasks.caption import caption_task

    app = _app("Caption", lambda: [caption_service(captioner, store, cache)])
    return Function(api_or_task_handler(app, caption_task(captioner, store, cache)), app)


def translate_function(translator: Translator, cache: CacheProvider = result_cache) -> Function:
    from .tasks.translate import translate_task

    app = _app("Translate", lambda: [translate_service(translator, cache)])
    return Function(api_or_task_handler(app, translate_task(translator, cache)), app)


def speak_function(
    voices: Voices | Synthesizer,
    store: StoreProvider = object_store,
    cache: CacheProvider = result_cache,
) -> Function:
    from .tasks.speak import speak_task

    library = voices if isinstance(voices, Voices) else Voices(voices)
    app = _app("Speak", lambda: [speak_service(library, store, cache)])
    return Function(api_or_task_handler(app, speak_task(library, store, cache)), app)


def jobs_router(
    store: StoreProvider = object_store, runs: ExecutionsProvider = executions
) -> APIRouter:
    from .api import jobs as jobs_api

    return jobs_api.build_router(store, runs)


def batches_router(
    store: StoreProvider = object_store, batches: BatchRunsProvider = batch_runs
) -> APIRouter:
    from .api import batches as batches_api

    return batches_api.build_router(store, batches)


def jobs_api_function(
    store: StoreProvider = object_store,
    runs: ExecutionsProvider = executions,
    batches: BatchRunsProvider = batch_runs,
) -> Function:
    def build() -> FastAPI:
        from .api import web
        from .api.app_factory import create_app

        routers = [
            jobs_router(store, runs),
            batches_router(store, batches),
            web.build_router(store),
        ]
        return create_app([], title="Jobs", extra_routers=routers)

    app = _once(build)
    return Function(api_handler(app), app)


def upload_trigger_function(
    runs: ExecutionsProvider = executions, store: UploadStoreProvider = object_store
) -> Function:
    # Imported here: the model functions never load Powertools' batch utilities.
    from .handlers.uploads import upload_handler

    return Function(upload_handler(runs, store))


def result_recorder_function(store: StoreProvider = object_store) -> Function:
    from .tasks.record import record_task

    return Function(task_handler(record_task(store)))


def batch_summary_function(store: StoreProvider = object_store) -> Function:
    from .tasks.batches import summarize_batch_task

    return Function(task_handler(summarize_batch_task(store)))
