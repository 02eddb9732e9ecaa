"""The use cases, one plain function each, shared by the HTTP routes and the pipeline tasks.

A service function takes its model and its storage as parameters (typed Protocols: ports/,
inference/captioning.py, translation.py, speech.py), returns a typed model from schemas/ and
raises only errors.py's errors. It imports no FastAPI, Mangum or Lambda code: the adapters in
api/ (HTTP) and tasks/ (Step Functions, S3 events) parse their input, call it and map errors.
"""
