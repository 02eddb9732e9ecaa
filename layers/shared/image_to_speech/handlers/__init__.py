"""Lambda entry points, one per event source: HTTP API, Step Functions task, S3 upload.

functions/<name>/*.py build their handler from these and wrap it with
observability.instrument. A handler that receives another kind of event refuses it with a
BadInputError that says what it accepts.
"""
