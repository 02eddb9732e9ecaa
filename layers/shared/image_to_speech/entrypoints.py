"""Each Lambda function of template.yaml, assembled from its model and its resources.

functions/<name>/*.py load the model at module scope (Lambda init) and call one of these; tests
call them with fakes (tests/fakes.py); the local stack mounts every router in one app.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, FastAPI

from .api import caption as caption_api
from .api import jobs as jobs_api
from .api import speak as speak_api
from .api import translate as translate_api
from .api.app_factory import Service, create_app
from .aws.resources import executions, object_store
from .config import get_settings
from .handlers.api import api_handler, api_or_task_handler
from .handlers.task import task_handler
from .handlers.uploads import upload_handler
from .inference.captioning import Captioner
from .inference.speech import Synthesizer
from .inference.translation import Translator
from .inference.voices import Voices
from .ports import Executions, ObjectStore
from .services.cache import ResultCache
from .tasks.pipeline import caption_task, record_task, speak_task, translate_task

LambdaHandler = Callable[[Any, Any], Any]
StoreProvider = Callable[[], ObjectStore]
ExecutionsProvider = Callable[[], Executions]
CacheProvider = Callable[[], ResultCache | None]


def result_cache() -> ResultCache | None:
    """The bucket's result cache; None when CACHE_ENABLED=false or there is no bucket (then
    every request computes: the cache only ever saves work)."""
    settings = get_settings()
    if not settings.cache_enabled or not settings.bucket_name:
        return None
    return ResultCache(object_store())


@dataclass(frozen=True)
class Function:
    app: FastAPI | None
    handler: LambdaHandler


def caption_service(
    captioner: Captioner,
    store: StoreProvider = object_store,
    cache: CacheProvider = result_cache,
) -> Service:
    return Service("caption", captioner, caption_api.build_router(captioner, store, cache))


def translate_service(translator: Translator, cache: CacheProvider = result_cache) -> Service:
    return Service("translate", translator, translate_api.build_router(translator, cache))


def speak_service(
    voices: Voices | Synthesizer,
    store: StoreProvider = object_store,
    cache: CacheProvider = result_cache,
) -> Service:
    voices = voices if isinstance(voices, Voices) else Voices(voices)
    return Service("speak", voices.default, speak_api.build_router(voices, store, cache))


def caption_function(
    captioner: Captioner, store: StoreProvider = object_store, cache: CacheProvider = result_cache
) -> Function:
    app = create_app([caption_service(captioner, store, cache)], title="Caption")
    return Function(app, api_or_task_handler(app, caption_task(captioner, store, cache)))


def translate_function(translator: Translator, cache: CacheProvider = result_cache) -> Function:
    app = create_app([translate_service(translator, cache)], title="Translate")
    return Function(app, api_or_task_handler(app, translate_task(translator, cache)))


def speak_function(
    voices: Voices | Synthesizer,
    store: StoreProvider = object_store,
    cache: CacheProvider = result_cache,
) -> Function:
    voices = voices if isinstance(voices, Voices) else Voices(voices)
    app = create_app([speak_service(voices, store, cache)], title="Speak")
    return Function(app, api_or_task_handler(app, speak_task(voices, store, cache)))


def jobs_router(
    store: StoreProvider = object_store, runs: ExecutionsProvider = executions
) -> APIRouter:
    return jobs_api.build_router(store, runs)


def jobs_api_function(
    store: StoreProvider = object_store, runs: ExecutionsProvider = executions
) -> Function:
    app = create_app([], title="Jobs", extra_routers=[jobs_router(store, runs)])
    return Function(app, api_handler(app))


def upload_trigger_function(
    runs: ExecutionsProvider = executions, store: StoreProvider = object_store
) -> Function:
    return Function(None, upload_handler(runs, store))


def result_recorder_function(store: StoreProvider = object_store) -> Function:
    return Function(None, task_handler(record_task(store)))


def all_routes_app(
    services: Sequence[Service],
    *,
    store: StoreProvider = object_store,
    runs: ExecutionsProvider = executions,
    title: str = "Image to speech (local)",
) -> FastAPI:
    """Every route of the HTTP API in one app: the local stack's server."""
    return create_app(services, title=title, extra_routers=[jobs_router(store, runs)])
