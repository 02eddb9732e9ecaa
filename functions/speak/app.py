"""Speak function: text -> WAV in S3 (HTTP API, or the pipeline's Speak task)."""

from image_to_speech.coldstart import init_phase

with init_phase():  # no garbage collection while init runs (image_to_speech/coldstart.py)
    from image_to_speech.entrypoints import speak_function
    from image_to_speech.inference.loaders import load_synthesizer
    from image_to_speech.observability import instrument, record_model_load

    # Module scope: loaded once per execution environment (Lambda init), reused by every call.
    # The bundle is MODEL_BUNDLE_DIR (/opt/model in the image), else the default preset's build dir.
    synthesizer = load_synthesizer()
    record_model_load("speak", synthesizer.load_ms, synthesizer.bundle.describe())

    function = speak_function(synthesizer)
    handler = instrument(function.handler)
