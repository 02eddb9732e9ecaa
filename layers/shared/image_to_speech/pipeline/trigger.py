"""S3 ObjectCreated notifications -> one pipeline execution per uploaded object."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote_plus

from .executions import StartOutcome, start_pipeline
from .ids import job_id_for_upload, uploads_prefix


@dataclass(frozen=True)
class UploadedObject:
    bucket: str
    key: str
    version: str | None  # version id, else ETag: tells a new upload from a repeated event


def is_s3_event(event: Any) -> bool:
    records = event.get("Records") if isinstance(event, dict) else None
    return (
        isinstance(records, list)
        and bool(records)
        and all(
            isinstance(record, dict) and record.get("eventSource") == "aws:s3" for record in records
        )
    )


def uploaded_objects(event: dict[str, Any]) -> list[UploadedObject]:
    """The ObjectCreated records under uploads/ (keys arrive quote_plus-encoded)."""
    objects = []
    for record in event.get("Records", []):
        if not str(record.get("eventName", "")).startswith("ObjectCreated"):
            continue
        s3 = record.get("s3", {})
        key = unquote_plus(s3.get("object", {}).get("key", ""))
        if not key.startswith(uploads_prefix()) or key.endswith("/"):
            continue  # results/ and audio/ writes must never start a pipeline
        obj = s3.get("object", {})
        objects.append(
            UploadedObject(
                bucket=s3.get("bucket", {}).get("name", ""),
                key=key,
                version=obj.get("versionId") or obj.get("eTag"),
            )
        )
    return objects


def handle_s3_event(event: dict[str, Any]) -> list[StartOutcome]:
    """Start (at most) one execution per object; repeated deliveries change nothing."""
    outcomes = []
    for obj in uploaded_objects(event):
        job_id = job_id_for_upload(obj.bucket, obj.key, obj.version)
        outcomes.append(start_pipeline(job_id, obj.bucket, obj.key))
    return outcomes
