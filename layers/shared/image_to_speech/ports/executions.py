"""Pipeline executions (Step Functions): starting jobs and reading their progress."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol


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
