"""Upload trigger function: S3 ObjectCreated under uploads/ -> one pipeline execution each."""

from image_to_speech.coldstart import init_phase

with init_phase():  # no garbage collection while init runs (image_to_speech/coldstart.py)
    from image_to_speech.entrypoints import upload_trigger_function
    from image_to_speech.observability import instrument

    handler = instrument(upload_trigger_function().handler)
