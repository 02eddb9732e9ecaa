"""The pipeline's RecordSuccess / RecordFailure tasks: the execution's state -> results/."""

from __future__ import annotations

from collections.abc import Callable

from ..pipeline.results import RecordRequest
from ..ports import ObjectStore
from ..schemas.jobs import RecordOutcome
from ..services.jobs import record_result
from .task import Task, own_bucket

StoreProvider = Callable[[], ObjectStore]


def record_task(store: StoreProvider) -> Task[RecordRequest, RecordOutcome]:
    def run(payload: RecordRequest) -> RecordOutcome:
        return record_result(own_bucket(store(), payload.job.bucket), payload)

    return Task(RecordRequest, run)
