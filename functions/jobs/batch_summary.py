"""Batch summary function: the batch state machine's Summarize task ->
results/batches/<batch-id>/summary.json and .csv."""

from image_to_speech.coldstart import init_phase

with init_phase():  # no garbage collection while init runs (image_to_speech/coldstart.py)
    from image_to_speech.entrypoints import batch_summary_function
    from image_to_speech.observability import instrument

    handler = instrument(batch_summary_function().handler)
