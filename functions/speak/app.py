"""Speak function: text -> WAV in S3 (HTTP API via Mangum, or a pipeline task)."""

from image_to_speech.api.app_factory import create_app
from image_to_speech.api.handler import make_handler
from image_to_speech.api.speak import speak_service, speak_task
from image_to_speech.inference.synthesizer import load_synthesizer
from image_to_speech.observability import instrument, record_model_load

# Module scope: loaded once per execution environment (during Lambda init), reused by every call.
# The bundle is MODEL_BUNDLE_DIR (/opt/model in the image), else the default preset's build dir.
synthesizer = load_synthesizer()
record_model_load("speak", synthesizer.load_ms, synthesizer.bundle.describe())

app = create_app([speak_service(synthesizer)], title="Speak")
handler = instrument(make_handler(app, speak_task(synthesizer)))
