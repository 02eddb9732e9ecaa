"""The batch state machine's Summarize task."""

from __future__ import annotations

from ..schemas import BatchSummaryOutcome, SummarizeBatchTaskInput
from ..services.batches import summarize_batch
from .task import StoreProvider, Task, own_bucket


def summarize_batch_task(
    store: StoreProvider,
) -> Task[SummarizeBatchTaskInput, BatchSummaryOutcome]:
    def run(payload: SummarizeBatchTaskInput) -> BatchSummaryOutcome:
        return summarize_batch(own_bucket(store(), payload.bucket), payload)

    return Task(SummarizeBatchTaskInput, run)
