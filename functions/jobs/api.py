"""Job API function: POST /jobs and GET /jobs/{id} (HTTP API only). No model."""

from image_to_speech.entrypoints import jobs_api_function
from image_to_speech.observability import instrument

function = jobs_api_function()
handler = instrument(function.handler)
