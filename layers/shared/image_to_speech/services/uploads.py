"""The upload trigger's use case: start the job of each upload, once, and refuse a second
upload to a job's key.

A presigned POST can be used again until it expires. A second upload to `uploads/<job-id>.*`
maps to the same job (the id is in the name), whose execution already exists and names the
first upload's ETag. That job ran, or is running, on the first image, so the second one is
refused: its version is deleted (the bucket is versioned), and the key holds the image the
job's result describes again. Any other key: each content is its own job (keys.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..observability import logger, traced
from ..ports import Executions, StartOutcome, UploadStore, UploadVersions
from .jobs import UploadedObject, start_pipelines


@dataclass(frozen=True)
class UploadOutcome:
    job_id: str
    started: bool  # False: a repeated event, or a refused second upload
    refused_versions: int = 0  # versions of the key deleted because the job has another image


@traced
def accept_upload(
    executions: Executions, store: UploadStore, upload: UploadedObject
) -> UploadOutcome | None:
    """Start the upload's job (None: not an upload); refuse a second content for a job."""
    outcomes = start_pipelines(executions, store, [upload])
    if not outcomes:
        return None
    outcome: StartOutcome = outcomes[0]
    if outcome.started:
        return UploadOutcome(outcome.job_id, started=True)
    job_etag = _job_etag(executions, outcome.job_id)
    if job_etag is None or upload.etag is None or job_etag == upload.etag.strip('"'):
        return UploadOutcome(outcome.job_id, started=False)  # the same event, delivered again
    refused = refuse_other_versions(store, upload.key, keep_etag=job_etag)
    return UploadOutcome(outcome.job_id, started=False, refused_versions=refused)


def _job_etag(executions: Executions, job_id: str) -> str | None:
    execution = executions.describe(job_id)
    etag = (execution.input or {}).get("etag") if execution is not None else None
    return etag.strip('"') if isinstance(etag, str) else None


def refuse_other_versions(versions: UploadVersions, key: str, *, keep_etag: str) -> int:
    """Delete every version of `key` whose content is not the job's; returns how many."""
    found = versions.versions(key)
    if not any(v.etag == keep_etag for v in found):
        # Not versioned (or the job's version expired): nothing to restore the key to.
        logger.warning(
            "second upload to a job's key cannot be refused: the job's version is gone",
            extra={"key": key, "job_etag": keep_etag},
        )
        return 0
    others = [v for v in found if v.etag != keep_etag]
    for version in others:
        versions.delete_version(key, version.version_id)
    logger.warning(
        "second upload to a job's key refused (deleted)",
        extra={"key": key, "job_etag": keep_etag, "deleted_versions": len(others)},
    )
    return len(others)
