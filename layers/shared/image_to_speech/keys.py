"""The S3 key layout and job ids, in ONE place.

    uploads/<job-id>.<ext>    an image to caption (POST /jobs, or any upload under uploads/)
    audio/<job-id>.wav        the pipeline's speech for a job
    audio/<random>.wav        speech made by POST /speak
    results/<job-id>.json     the result document of a finished job
    requests/<job-id>.json    a job's options (POST /jobs), read when its upload arrives
    cache/<task>/<sha256>.json  a cached result (services/cache.py)
    batches/<...>             image libraries for batches (POST /batches {"prefix"}); no trigger
    results/batches/<batch-id>/summary.json|.csv   a batch's summary (outcome.json: its
                              counts; map-run/: Step Functions' own ResultWriter files)

A job id is 32 lowercase hex characters. POST /jobs mints a random one and asks the client to
upload to `uploads/<job-id>.<ext>`; any other upload gets a job id derived from bucket, key and
version id (or ETag), so the same S3 event delivered twice maps to the same job. The execution
name IS the job id: `GET /jobs/{id}` finds the execution without any lookup table, and starting
the same name twice is refused by Step Functions (which is how duplicates are dropped).
"""

from __future__ import annotations

import hashlib
import posixpath
import re
import uuid
from typing import Any

from .config import get_settings
from .errors import InvalidKeyError
from .media import EXTENSIONS

MAX_KEY_BYTES = 1024  # S3's own limit
JOB_ID_PATTERN = re.compile(r"^[0-9a-f]{32}$")
_CONTROL_CHARS = re.compile(r"[\x00-\x1f\x7f]")


def new_job_id() -> str:
    return uuid.uuid4().hex


def is_job_id(value: str) -> bool:
    return bool(JOB_ID_PATTERN.match(value))


def upload_key(job_id: str, image_format: str) -> str:
    return f"{get_settings().uploads_prefix}{job_id}.{EXTENSIONS[image_format]}"


def job_audio_key(job_id: str) -> str:
    return f"{get_settings().audio_prefix}{job_id}.wav"


def speech_key() -> str:
    """A fresh key for speech made outside a job (POST /speak)."""
    return f"{get_settings().audio_prefix}{uuid.uuid4().hex}.wav"


def result_key(job_id: str) -> str:
    return f"{get_settings().results_prefix}{job_id}.json"


def job_request_key(job_id: str) -> str:
    return f"{get_settings().requests_prefix}{job_id}.json"


def cache_key(task: str, digest: str) -> str:
    return f"{get_settings().cache_prefix}{task}/{digest}.json"


def is_upload(key: str) -> bool:
    """An object under uploads/ (not the prefix itself): only these start a pipeline."""
    prefix = get_settings().uploads_prefix
    return key.startswith(prefix) and len(key) > len(prefix) and not key.endswith("/")


def job_id_for_upload(bucket: str, key: str, version: str | None) -> str:
    """The job of an uploaded object: the minted id in its name, else a content-address.

    `version` is the object's version id, or its ETag when the bucket is not versioned: a new
    upload under the same key is a new job, a duplicate notification of the same one is not.
    """
    prefix = get_settings().uploads_prefix
    if key.startswith(prefix):
        stem = key[len(prefix) :].split(".", 1)[0]
        if is_job_id(stem) and "/" not in stem:
            return stem
    identity = f"{bucket}\n{key}\n{(version or '').strip(chr(34))}"
    return hashlib.sha256(identity.encode("utf-8")).hexdigest()[:32]


def execution_arn(state_machine_arn: str, job_id: str) -> str:
    """arn:...:stateMachine:<sm> -> arn:...:execution:<sm>:<job-id> (the documented layout)."""
    head, sep, machine = state_machine_arn.rpartition(":stateMachine:")
    if not sep:
        raise ValueError(f"not a state machine ARN: {state_machine_arn!r}")
    return f"{head}:execution:{machine}:{job_id}"


def validate_upload_key(key: Any, *, field: str = "key") -> str:
    """An image key under uploads/ (or batches/: a batch's images), without tricks (.., //,
    control characters)."""
    settings = get_settings()
    prefixes = [settings.uploads_prefix, settings.batches_prefix]
    allowed = {"prefixes": prefixes, "max_bytes": MAX_KEY_BYTES}
    if not isinstance(key, str) or not key:
        raise InvalidKeyError(f"'{field}' must be a non-empty string.", allowed=allowed)
    problem = _key_problem(key, prefixes)
    if problem:
        raise InvalidKeyError(f"'{field}' {problem}.", allowed=allowed)
    return key


def _key_problem(key: str, prefixes: list[str]) -> str | None:
    if len(key.encode("utf-8")) > MAX_KEY_BYTES:
        return f"is longer than {MAX_KEY_BYTES} bytes"
    if ".." in key or "//" in key or "\\" in key or key.startswith("/"):
        return "must not contain '..', '//', '\\' or start with '/'"
    if _CONTROL_CHARS.search(key):
        return "must not contain control characters"
    if not any(key.startswith(prefix) and len(key) > len(prefix) for prefix in prefixes):
        return f"must name an object under {' or '.join(repr(p) for p in prefixes)}"
    return None


# ---- batches -------------------------------------------------------------------------------


def new_batch_id() -> str:
    """The batch's execution name (32 hex characters, like a job id)."""
    return uuid.uuid4().hex


def batch_job_id(batch_id: str, key: str) -> str:
    """The job of one image of a batch: md5("<batch id>|<key>") in hex.

    statemachine/batch.asl.json computes the same id for each item with
    States.Hash(States.Format('{}|{}', $$.Execution.Name, key), 'MD5'), so the summary finds
    each image's results/<job-id>.json without any list passed between them. MD5 names, it
    does not protect: the key space is ours and the batch id random.
    """
    return hashlib.md5(f"{batch_id}|{key}".encode(), usedforsecurity=False).hexdigest()


def batch_results_prefix(batch_id: str) -> str:
    """results/batches/<batch-id>/ (the ASL's ResultWriter writes map-run/ under it)."""
    return f"{get_settings().results_prefix}batches/{batch_id}/"


def batch_summary_key(batch_id: str, extension: str) -> str:
    return f"{batch_results_prefix(batch_id)}summary.{extension}"


def batch_outcome_key(batch_id: str) -> str:
    """The summary's counts and reason alone (small, for GET /batches/{id})."""
    return f"{batch_results_prefix(batch_id)}outcome.json"


def validate_batch_prefix(prefix: Any) -> str:
    """A prefix under batches/ naming a folder of images: 'batches/museum/' (a trailing '/' is
    added: 'batches/museum' must not also take 'batches/museum-2/')."""
    root = get_settings().batches_prefix
    allowed = {"prefixes": [root], "example": f"{root}my-library/", "max_bytes": MAX_KEY_BYTES}
    if not isinstance(prefix, str) or not prefix:
        raise InvalidKeyError("'prefix' must be a non-empty string.", allowed=allowed)
    folder = prefix if prefix.endswith("/") else prefix + "/"
    problem = _key_problem(folder.rstrip("/"), [root])
    if problem and problem.startswith("must name an object"):
        problem = f"must be a folder under {root!r}, where the batch's images are uploaded"
    if problem is None and posixpath.normpath(folder) + "/" != folder:
        problem = "must be a plain folder path"
    if problem:
        raise InvalidKeyError(f"'prefix' {problem}.", allowed=allowed)
    return folder
