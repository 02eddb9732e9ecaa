"""Result recorder function: the pipeline's RecordSuccess / RecordFailure tasks ->
results/<job-id>.json."""

from image_to_speech.coldstart import init_phase

with init_phase():  # no garbage collection while init runs (image_to_speech/coldstart.py)
    from image_to_speech.entrypoints import result_recorder_function
    from image_to_speech.observability import instrument

    handler = instrument(result_recorder_function().handler)
