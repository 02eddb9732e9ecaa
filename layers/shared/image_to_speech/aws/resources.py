"""The process's S3 store and Step Functions executions, created on first use and reused.

Each raises a ConfigurationError naming the missing variable when its setting is unset, so a
caller that asks for one before doing any work fails fast with a 503 that says what to set.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

from .clients import reset_clients
from .s3 import S3Store

if TYPE_CHECKING:
    from .batches import StepFunctionsBatches
    from .stepfunctions import StepFunctionsExecutions


@lru_cache(maxsize=1)
def object_store() -> S3Store:
    return S3Store()


@lru_cache(maxsize=1)
def executions() -> StepFunctionsExecutions:
    from .stepfunctions import StepFunctionsExecutions  # the model functions never start jobs

    return StepFunctionsExecutions()


@lru_cache(maxsize=1)
def batch_runs() -> StepFunctionsBatches:
    from .batches import StepFunctionsBatches  # only the job API reads batches

    return StepFunctionsBatches()


def reset_resources() -> None:
    """Forget the cached store, executions, batches and clients (tests and local runners)."""
    object_store.cache_clear()
    executions.cache_clear()
    batch_runs.cache_clear()
    reset_clients()
