"""Jobs function: the job API, the S3 upload trigger and the pipeline's result recorder.

One handler, three kinds of events:
- API Gateway HTTP API v2 (POST /jobs, GET /jobs/{id}) -> FastAPI through Mangum;
- S3 ObjectCreated notifications under uploads/ -> one Step Functions execution per object;
- state machine tasks {"action": "record_success" | "record_failure", ...} -> results/<id>.json.
No model is loaded here.
"""

from typing import Any

from fastapi import FastAPI
from image_to_speech import __version__
from image_to_speech.api.errors import register_error_handlers
from image_to_speech.api.handler import is_http_api_event
from image_to_speech.observability import instrument, logger
from image_to_speech.pipeline.jobs_api import router
from image_to_speech.pipeline.recorder import is_record_task, record
from image_to_speech.pipeline.trigger import handle_s3_event, is_s3_event
from image_to_speech.task_errors import BadInputError
from mangum import Mangum

app = FastAPI(title="Jobs", version=__version__, docs_url="/docs", redoc_url=None)
register_error_handlers(app)
app.include_router(router)
asgi = Mangum(app, lifespan="off")


def route(event: Any, context: Any) -> dict[str, Any]:
    if is_http_api_event(event):
        return asgi(event, context)
    if is_s3_event(event):
        outcomes = handle_s3_event(event)
        logger.info("uploads", extra={"jobs": [o.__dict__ for o in outcomes]})
        return {"jobs": [{"job_id": o.job_id, "started": o.started} for o in outcomes]}
    if is_record_task(event):
        return record(event)
    raise BadInputError(
        {
            "error": "unknown_event",
            "message": "Expected an HTTP API v2 event, an S3 notification or a record task.",
            "allowed": {"action": ["record_success", "record_failure"]},
        }
    )


handler = instrument(route)
