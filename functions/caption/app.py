"""Caption function: image -> one English sentence (HTTP API via Mangum, or a pipeline task)."""

from image_to_speech.api.app_factory import create_app
from image_to_speech.api.caption import caption_service, caption_task
from image_to_speech.api.handler import make_handler
from image_to_speech.inference.captioner import load_captioner
from image_to_speech.observability import instrument, record_model_load

# Module scope: loaded once per execution environment (during Lambda init), reused by every call.
# The bundle is MODEL_BUNDLE_DIR (/opt/model in the image), else the default preset's build dir.
captioner = load_captioner()
record_model_load("caption", captioner.load_ms, captioner.bundle.describe())

app = create_app([caption_service(captioner)], title="Caption")
handler = instrument(make_handler(app, caption_task(captioner)))
