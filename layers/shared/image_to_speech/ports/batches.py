"""Batch runs (the batch state machine and its map run)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol


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
