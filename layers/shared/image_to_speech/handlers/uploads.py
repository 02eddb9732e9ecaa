"""S3 ObjectCreated notifications under uploads/ -> one pipeline execution per object."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import unquote_plus

from aws_lambda_powertools.utilities.data_classes.s3_event import S3Event

from ..observability import logger
from ..ports import Executions, ObjectStore
from ..services.jobs import UploadedObject, start_pipelines
from ..tasks.task import refused
from .events import is_s3_event, wrong_event


def uploaded_objects(event: S3Event) -> list[UploadedObject]:
    """The ObjectCreated records; S3 sends keys quote_plus-encoded ("a b.jpg" -> "a+b.jpg")."""
    return [
        UploadedObject(
            bucket=record.s3.bucket.name,
            key=unquote_plus(record.s3.get_object.key),
            version=record.s3.get_object.version_id or record.s3.get_object.etag,
        )
        for record in event.records
        if record.event_name.startswith("ObjectCreated")
    ]


def upload_handler(
    executions: Callable[[], Executions], store: Callable[[], ObjectStore]
) -> Callable[[Any, Any], dict[str, Any]]:
    def handler(event: Any, context: Any) -> dict[str, Any]:
        if not is_s3_event(event):
            raise refused(wrong_event("S3 ObjectCreated notifications").as_task_error())
        outcomes = start_pipelines(executions(), store(), uploaded_objects(S3Event(event)))
        jobs = [{"job_id": o.job_id, "started": o.started} for o in outcomes]
        logger.info("uploads", extra={"jobs": jobs})
        return {"jobs": jobs}

    return handler
