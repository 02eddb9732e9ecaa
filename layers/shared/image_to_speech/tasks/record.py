"""The pipeline's RecordSuccess / RecordFailure tasks: the execution's state -> results/."""

from __future__ import annotations

from ..pipeline.results import RecordRequest
from ..schemas.jobs import RecordOutcome
from ..services.jobs import record_result
from .task import StoreProvider, Task, own_bucket


def record_task(store: StoreProvider) -> Task[RecordRequest, RecordOutcome]:
    def run(payload: RecordRequest) -> RecordOutcome:
        return record_result(own_bucket(store(), payload.job.bucket), payload)

    return Task(RecordRequest, run)
