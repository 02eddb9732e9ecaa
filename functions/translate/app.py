"""Translate function: English -> Brazilian Portuguese (HTTP API, or the Translate task)."""

from image_to_speech.coldstart import init_phase

with init_phase():  # no garbage collection while init runs (image_to_speech/coldstart.py)
    from image_to_speech.entrypoints import translate_function
    from image_to_speech.inference.loaders import load_translator
    from image_to_speech.observability import instrument, record_model_load

    # Module scope: loaded once per execution environment (Lambda init), reused by every call.
    # The bundle is MODEL_BUNDLE_DIR (/opt/model in the image), else the default preset's build dir.
    translator = load_translator()
    record_model_load("translate", translator.load_ms, translator.bundle.describe())

    function = translate_function(translator)
    handler = instrument(function.handler)
