"""Every route on one port, without containers: `make api` (uvicorn local_api:app).

Loads the three models in this process. Bundles: <TASK>_BUNDLE_DIR (e.g. TRANSLATE_BUNDLE_DIR),
else build/models/<task>/<TASK>_PRESET or the default preset. S3 is whatever boto3 is
pointed at: set BUCKET_NAME, and AWS_ENDPOINT_URL for a moto server.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
from pathlib import Path

from fastapi import APIRouter, FastAPI
from image_to_speech.api.app_factory import create_app
from image_to_speech.api.caption import caption_service
from image_to_speech.api.speak import speak_service
from image_to_speech.api.translate import translate_service
from image_to_speech.inference.bundle import DEFAULT_PRESETS, models_dir
from image_to_speech.inference.captioner import load_captioner
from image_to_speech.inference.synthesizer import load_synthesizer
from image_to_speech.inference.translator import load_translator
from image_to_speech.observability import record_model_load

# Hook for the pipeline: a module exposing `router` (POST /jobs, GET /jobs/{id}) is mounted too.
JOBS_ROUTER_MODULE = "image_to_speech.pipeline.jobs_api"


def bundle_dir(task: str) -> Path:
    explicit = os.environ.get(f"{task.upper()}_BUNDLE_DIR")
    if explicit:
        return Path(explicit)
    preset = os.environ.get(f"{task.upper()}_PRESET") or DEFAULT_PRESETS[task]
    return models_dir() / task / preset


def optional_routers() -> list[APIRouter]:
    if importlib.util.find_spec(JOBS_ROUTER_MODULE) is None:
        return []
    module = importlib.import_module(JOBS_ROUTER_MODULE)  # present: import errors must surface
    return [module.router]


def build_app() -> FastAPI:
    captioner = load_captioner(bundle_dir("caption"))
    translator = load_translator(bundle_dir("translate"))
    synthesizer = load_synthesizer(bundle_dir("speak"))
    for task, model in (("caption", captioner), ("translate", translator), ("speak", synthesizer)):
        record_model_load(task, model.load_ms, model.bundle.describe())
    services = [
        caption_service(captioner),
        translate_service(translator),
        speak_service(synthesizer),
    ]
    return create_app(services, title="Image to speech (local)", extra_routers=optional_routers())


app = build_app()
