"""Every route on one port, without containers: `make api` (uvicorn local_api:app).

Loads the three models in this process (bundles: MODELS_DIR/<task>/<TASK>_PRESET or the
default preset). S3 and Step Functions are whatever boto3 is pointed at: set BUCKET_NAME,
STATE_MACHINE_ARN and AWS_ENDPOINT_URL for a moto server; without them the routes that need
them answer 503 saying what to set.
"""

from __future__ import annotations

from fastapi import FastAPI
from image_to_speech.entrypoints import (
    all_routes_app,
    caption_service,
    speak_service,
    translate_service,
)
from image_to_speech.inference.loaders import load_captioner, load_synthesizer, load_translator
from image_to_speech.observability import record_model_load


def build_app() -> FastAPI:
    captioner = load_captioner()
    translator = load_translator()
    synthesizer = load_synthesizer()
    for task, model in (("caption", captioner), ("translate", translator), ("speak", synthesizer)):
        record_model_load(task, model.load_ms, model.bundle.describe())
    services = [
        caption_service(captioner),
        translate_service(translator),
        speak_service(synthesizer),
    ]
    return all_routes_app(services)


app = build_app()
