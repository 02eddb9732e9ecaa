"""Job API function: POST /jobs and GET /jobs/{id} (HTTP API only). No model."""

from image_to_speech.coldstart import init_phase

with init_phase():  # no garbage collection while init runs (image_to_speech/coldstart.py)
    from image_to_speech.entrypoints import jobs_api_function
    from image_to_speech.observability import instrument

    function = jobs_api_function()
    handler = instrument(function.handler)
