"""Result recorder function: the pipeline's RecordSuccess / RecordFailure tasks ->
results/<job-id>.json."""

from image_to_speech.entrypoints import result_recorder_function
from image_to_speech.observability import instrument

handler = instrument(result_recorder_function().handler)
