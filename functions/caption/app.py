"""Caption function: image -> one English sentence (HTTP API, or the pipeline's Caption task)."""

from image_to_speech.coldstart import init_phase

with init_phase():  # no garbage collection while init runs (image_to_speech/coldstart.py)
    from image_to_speech.entrypoints import caption_function
    from image_to_speech.inference.loaders import load_captioner
    from image_to_speech.observability import instrument, record_model_load

    # Module scope: loaded once per execution environment (Lambda init), reused by every call.
    # The bundle is MODEL_BUNDLE_DIR (/opt/model in the image), else the default preset's build dir.
    captioner = load_captioner()
    record_model_load("caption", captioner.load_ms, captioner.bundle.describe())

    function = caption_function(captioner)
    handler = instrument(function.handler)
