"""Batch summary function: the batch state machine's Summarize task ->
results/batches/<batch-id>/summary.json and .csv."""

from image_to_speech.entrypoints import batch_summary_function
from image_to_speech.observability import instrument

handler = instrument(batch_summary_function().handler)
