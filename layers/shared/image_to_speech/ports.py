"""What the services need from the outside world, as typed Protocols.

The services (services/) take these as parameters: production passes the AWS implementations
(aws/), tests pass in-memory fakes (tests/fakes.py). Model protocols live next to their results
in inference/captioning.py, inference/translation.py and inference/speech.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol


@dataclass(frozen=True)
class PresignedPost:
    """A browser-usable S3 upload: POST `fields` then the file to `url`."""

    url: str
    fields: dict[str, str]
    expires_in: int


@dataclass(frozen=True)
class ObjectInfo:
    """One entry of a listing."""

    key: str
    size: int
    last_modified: str | None = None  # ISO 8601


class ObjectStore(Protocol):
    """The one bucket this service owns (uploads/, audio/, results/)."""

    @property
    def bucket(self) -> str: ...

    @property
    def presign_expires_s(self) -> int: ...

    def get_bytes(self, key: str, *, max_bytes: int, if_match: str | None = None) -> bytes:
        """The object's bytes; ObjectNotFoundError / ObjectTooLargeError / TransientError.
        With if_match (an ETag): only that content, else UploadReplacedError (retried)."""
        ...

    def put_bytes(self, key: str, data: bytes, *, content_type: str) -> None: ...

    def presigned_get_url(self, key: str) -> str: ...

    def presigned_post(self, key: str, *, content_type: str, max_bytes: int) -> PresignedPost: ...

    def list_objects(self, prefix: str) -> Iterator[ObjectInfo]:
        """Every object under the prefix, in key order (all pages)."""
        ...


@dataclass(frozen=True)
class ObjectVersion:
    version_id: str
    etag: str  # without quotes


class UploadVersions(Protocol):
    """The versions of an upload (the bucket is versioned), so the upload trigger can refuse a
    second upload to a job's key by deleting it (services/uploads.py)."""

    def versions(self, key: str) -> list[ObjectVersion]: ...

    def delete_version(self, key: str, version_id: str) -> None: ...


class UploadStore(ObjectStore, UploadVersions, Protocol):
    """What the upload trigger needs: the bucket (job requests) and the upload's versions."""


@dataclass(frozen=True)
class StartOutcome:
    job_id: str
    execution_arn: str
    # False: the job had already finished (ExecutionAlreadyExists). A duplicate arriving while
    # the first run is still RUNNING gets that same execution back from Step Functions (True).
    started: bool


@dataclass(frozen=True)
class ExecutionInfo:
    status: str  # RUNNING, SUCCEEDED, FAILED, TIMED_OUT, ABORTED
    started_at: str | None = None
    stopped_at: str | None = None
    error: str | None = None
    cause: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    input: dict[str, Any] | None = None  # what the execution was started with
    output: dict[str, Any] | None = None  # a SUCCEEDED execution's final state


@dataclass(frozen=True)
class StageProgress:
    status: str  # RUNNING, SUCCEEDED or FAILED
    ms: float | None = None  # state entered -> exited
    function_ms: float | None = None  # what the function measured


@dataclass(frozen=True)
class JobProgress:
    stages: dict[str, StageProgress] = field(default_factory=dict)
    texts: dict[str, str] = field(default_factory=dict)  # caption / translation so far


class Executions(Protocol):
    """The pipeline's state machine: one execution per job, named by the job id."""

    def start(self, job_id: str, payload: dict[str, Any]) -> StartOutcome: ...

    def describe(self, job_id: str) -> ExecutionInfo | None:
        """The job's execution, or None when it was never started."""
        ...

    def progress(self, job_id: str) -> JobProgress:
        """Which stages of a running job are done, running or failed (its history)."""
        ...


@dataclass(frozen=True)
class MapRunCounts:
    """A Distributed Map run's item counts (DescribeMapRun's itemCounts)."""

    total: int = 0
    succeeded: int = 0
    failed: int = 0
    running: int = 0
    pending: int = 0
    aborted: int = 0
    timed_out: int = 0


@dataclass(frozen=True)
class BatchRunInfo:
    status: str  # RUNNING, SUCCEEDED, FAILED, TIMED_OUT, ABORTED
    started_at: str | None = None
    stopped_at: str | None = None
    error: str | None = None
    cause: str | None = None
    prefix: str | None = None  # from the execution's input
    map_run: MapRunCounts | None = None  # None until the map run has started


class BatchRuns(Protocol):
    """The batch state machine: one execution per batch, named by the batch id."""

    def start(self, batch_id: str, payload: dict[str, Any]) -> str:
        """Start the batch; returns its execution ARN."""
        ...

    def describe(self, batch_id: str) -> BatchRunInfo | None:
        """The batch's execution and its map run's counts, or None when it does not exist."""
        ...
