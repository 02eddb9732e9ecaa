"""Upload trigger function: S3 ObjectCreated under uploads/ -> one pipeline execution each."""

from image_to_speech.entrypoints import upload_trigger_function
from image_to_speech.observability import instrument

handler = instrument(upload_trigger_function().handler)
