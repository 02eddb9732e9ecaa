"""Each Lambda function of template.yaml, assembled from its model and its resources.

functions/<name>/*.py load the model at module scope (Lambda init) and call one of these; tests
call them with fakes (tests/fakes.py); the local stack mounts every router in one app.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, FastAPI

from .api import batches as batches_api
from .api import caption as caption_api
from .api import jobs as jobs_api
from .api import speak as speak_api
from .api import translate as translate_api
from .api.app_factory import Service, create_app
from .aws.resources import batch_runs, executions, object_store
from .handlers.api import api_handler, api_or_task_handler
from .handlers.task import task_handler
from .handlers.uploads import upload_handler
from .inference.captioning import Captioner
from .inference.speech import Synthesizer
from .inference.translation import Translator
from .ports import BatchRuns, Executions, ObjectStore
from .tasks.batches import summarize_batch_task
from .tasks.pipeline import caption_task, record_task, speak_task, translate_task

LambdaHandler = Callable[[Any, Any], Any]
StoreProvider = Callable[[], ObjectStore]
ExecutionsProvider = Callable[[], Executions]
BatchRunsProvider = Callable[[], BatchRuns]


@dataclass(frozen=True)
class Function:
    app: FastAPI | None
    handler: LambdaHandler


def caption_service(captioner: Captioner, store: StoreProvider = object_store) -> Service:
    return Service("caption", captioner, caption_api.build_router(captioner, store))


def translate_service(translator: Translator) -> Service:
    return Service("translate", translator, translate_api.build_router(translator))


def speak_service(synthesizer: Synthesizer, store: StoreProvider = object_store) -> Service:
    return Service("speak", synthesizer, speak_api.build_router(synthesizer, store))


def caption_function(captioner: Captioner, store: StoreProvider = object_store) -> Function:
    app = create_app([caption_service(captioner, store)], title="Caption")
    return Function(app, api_or_task_handler(app, caption_task(captioner, store)))


def translate_function(translator: Translator) -> Function:
    app = create_app([translate_service(translator)], title="Translate")
    return Function(app, api_or_task_handler(app, translate_task(translator)))


def speak_function(synthesizer: Synthesizer, store: StoreProvider = object_store) -> Function:
    app = create_app([speak_service(synthesizer, store)], title="Speak")
    return Function(app, api_or_task_handler(app, speak_task(synthesizer, store)))


def jobs_router(
    store: StoreProvider = object_store, runs: ExecutionsProvider = executions
) -> APIRouter:
    return jobs_api.build_router(store, runs)


def batches_router(
    store: StoreProvider = object_store, batches: BatchRunsProvider = batch_runs
) -> APIRouter:
    return batches_api.build_router(store, batches)


def jobs_api_function(
    store: StoreProvider = object_store,
    runs: ExecutionsProvider = executions,
    batches: BatchRunsProvider = batch_runs,
) -> Function:
    routers = [jobs_router(store, runs), batches_router(store, batches)]
    app = create_app([], title="Jobs", extra_routers=routers)
    return Function(app, api_handler(app))


def upload_trigger_function(runs: ExecutionsProvider = executions) -> Function:
    return Function(None, upload_handler(runs))


def result_recorder_function(store: StoreProvider = object_store) -> Function:
    return Function(None, task_handler(record_task(store)))


def batch_summary_function(store: StoreProvider = object_store) -> Function:
    return Function(None, task_handler(summarize_batch_task(store)))


def all_routes_app(
    services: Sequence[Service],
    *,
    store: StoreProvider = object_store,
    runs: ExecutionsProvider = executions,
    batches: BatchRunsProvider = batch_runs,
    title: str = "Image to speech (local)",
) -> FastAPI:
    """Every route of the HTTP API in one app: the local stack's server."""
    routers = [jobs_router(store, runs), batches_router(store, batches)]
    return create_app(services, title=title, extra_routers=routers)
