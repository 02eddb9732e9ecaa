"""Job ids, object keys and Step Functions execution names.

A job id is 32 lowercase hex characters. POST /jobs mints a random one and asks the client to
upload to `uploads/<job-id>.<ext>`; any other upload gets a job id derived from bucket, key and
version id (or ETag), so the same S3 event delivered twice maps to the same job. The execution
name IS the job id: `GET /jobs/{id}` finds the execution without any lookup table, and starting
the same name twice is refused by Step Functions (which is how duplicates are dropped).
"""

from __future__ import annotations

import hashlib
import os
import re
import uuid

JOB_ID_PATTERN = re.compile(r"^[0-9a-f]{32}$")
# Step Functions execution names: 1-80 characters, no whitespace, brackets, wildcards,
# punctuation other than - and _, or control characters. We only ever produce [0-9a-f-_].
EXECUTION_NAME_MAX = 80
_EXECUTION_NAME_BAD = re.compile(r"[^0-9A-Za-z_-]")


def uploads_prefix() -> str:
    return os.environ.get("UPLOADS_PREFIX", "uploads/")


def results_prefix() -> str:
    return os.environ.get("RESULTS_PREFIX", "results/")


def audio_prefix() -> str:
    return os.environ.get("AUDIO_PREFIX", "audio/")


def new_job_id() -> str:
    return uuid.uuid4().hex


def is_job_id(value: str) -> bool:
    return bool(JOB_ID_PATTERN.match(value))


def upload_key(job_id: str, extension: str) -> str:
    return f"{uploads_prefix()}{job_id}.{extension.lstrip('.')}"


def results_key(job_id: str) -> str:
    return f"{results_prefix()}{job_id}.json"


def audio_key(job_id: str) -> str:
    return f"{audio_prefix()}{job_id}.wav"


def job_id_for_upload(bucket: str, key: str, version: str | None) -> str:
    """The job of an uploaded object: the minted id in its name, else a content-address.

    `version` is the object's version id, or its ETag when the bucket is not versioned: a new
    upload under the same key is a new job, a duplicate notification of the same one is not.
    """
    prefix = uploads_prefix()
    if key.startswith(prefix):
        stem = key[len(prefix) :].split(".", 1)[0]
        if is_job_id(stem) and "/" not in stem:
            return stem
    identity = f"{bucket}\n{key}\n{(version or '').strip(chr(34))}"
    return hashlib.sha256(identity.encode("utf-8")).hexdigest()[:32]


def sanitize_execution_name(raw: str) -> str:
    """Map any string onto Step Functions' name rules (allowed characters, at most 80)."""
    cleaned = _EXECUTION_NAME_BAD.sub("_", raw)[:EXECUTION_NAME_MAX]
    return cleaned or "_"


def execution_name(job_id: str) -> str:
    return sanitize_execution_name(job_id)


def execution_arn(state_machine_arn: str, name: str) -> str:
    """arn:...:stateMachine:<sm> -> arn:...:execution:<sm>:<name> (the documented layout)."""
    head, sep, machine = state_machine_arn.rpartition(":stateMachine:")
    if not sep:
        raise ValueError(f"not a state machine ARN: {state_machine_arn!r}")
    return f"{head}:execution:{machine}:{name}"
