"""Upload events -> one pipeline execution per uploaded object.

On AWS the events arrive through SQS (S3 -> UploadsQueue -> this function, template.yaml): a
batch of messages, each holding one S3 notification. Each message is processed on its own and
only the failed ones are reported back (powertools batch processing, ReportBatchItemFailures),
so Lambda retries just those; after maxReceiveCount receives a message goes to the dead-letter
queue. Direct S3 notifications (`sam local invoke` with events/, older wiring) still work.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote_plus

from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.data_classes.s3_event import S3Event
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from ..errors import BadInputError
from ..observability import logger
from ..ports import Executions, UploadStore
from ..services.jobs import UploadedObject
from ..services.uploads import UploadOutcome, accept_upload
from ..tasks.task import refused
from .events import is_s3_event, is_sqs_event, wrong_event

S3_TEST_EVENT = "s3:TestEvent"  # S3 sends one to the queue when the notification is set up


def uploaded_objects(event: S3Event) -> list[UploadedObject]:
    """The ObjectCreated records; S3 sends keys quote_plus-encoded ("a b.jpg" -> "a+b.jpg")."""
    return [
        UploadedObject(
            bucket=record.s3.bucket.name,
            key=unquote_plus(record.s3.get_object.key),
            version=record.s3.get_object.etag or record.s3.get_object.version_id,
            etag=record.s3.get_object.etag or None,
        )
        for record in event.records
        if record.event_name.startswith("ObjectCreated")
    ]


def upload_handler(
    executions: Callable[[], Executions], store: Callable[[], UploadStore]
) -> Callable[[Any, Any], dict[str, Any]]:
    def start(event: dict[str, Any]) -> list[UploadOutcome]:
        objects = uploaded_objects(S3Event(event))
        outcomes = [accept_upload(executions(), store(), upload) for upload in objects]
        done = [outcome for outcome in outcomes if outcome is not None]
        logger.info("uploads", extra={"jobs": [vars(outcome) for outcome in done]})
        return done

    def record_handler(record: SQSRecord) -> None:
        body = _message_body(record.body)
        if body.get("Event") == S3_TEST_EVENT:
            logger.info("S3 test event: the bucket notification reaches the queue")
            return
        if not is_s3_event(body):
            raise _not_an_upload_event(record.message_id)
        start(body)

    def handler(event: Any, context: Any) -> dict[str, Any]:
        if is_sqs_event(event):
            processor = BatchProcessor(event_type=EventType.SQS)
            failures = process_partial_response(
                event=event, record_handler=record_handler, processor=processor, context=context
            )
            return dict(failures)
        if is_s3_event(event):
            return {"jobs": [vars(outcome) for outcome in start(event)]}
        raise refused(
            wrong_event("S3 upload events (from SQS, or S3 notifications)").as_task_error()
        )

    return handler


def _message_body(text: str) -> dict[str, Any]:
    try:
        body = json.loads(text)
    except ValueError:
        body = None
    return body if isinstance(body, dict) else {}


def _not_an_upload_event(message_id: str) -> BadInputError:
    # Retrying will not help; the message ends in the dead-letter queue, where it is visible.
    return BadInputError(
        f"Message {message_id} holds no S3 notification.",
        allowed=["S3 event notification JSON"],
        code="unexpected_event",
    )
