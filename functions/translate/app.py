"""Translate function: English -> Brazilian Portuguese (HTTP API via Mangum, or a pipeline task)."""

from image_to_speech.api.app_factory import create_app
from image_to_speech.api.handler import make_handler
from image_to_speech.api.translate import translate_service, translate_task
from image_to_speech.inference.translator import load_translator
from image_to_speech.observability import instrument, record_model_load

# Module scope: loaded once per execution environment (during Lambda init), reused by every call.
# The bundle is MODEL_BUNDLE_DIR (/opt/model in the image), else the default preset's build dir.
translator = load_translator()
record_model_load("translate", translator.load_ms, translator.bundle.describe())

app = create_app([translate_service(translator)], title="Translate")
handler = instrument(make_handler(app, translate_task(translator)))
