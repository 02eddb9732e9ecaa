"""What the services need from the outside world, as typed Protocols.

The services (services/) take these as parameters: production passes the AWS implementations
(aws/), tests pass in-memory fakes (tests/fakes.py). Model protocols live next to their results
in inference/captioning.py, inference/translation.py and inference/speech.py.

One module per outside system (storage, executions, batches), each loaded on first use of one
of its names: a model function, which only reads and writes S3, never builds the others.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..lazy import lazy_names

if TYPE_CHECKING:
    from .batches import BatchRunInfo as BatchRunInfo
    from .batches import BatchRuns as BatchRuns
    from .batches import MapRunCounts as MapRunCounts
    from .executions import ExecutionInfo as ExecutionInfo
    from .executions import Executions as Executions
    from .executions import JobProgress as JobProgress
    from .executions import StageProgress as StageProgress
    from .executions import StartOutcome as StartOutcome
    from .storage import ObjectInfo as ObjectInfo
    from .storage import ObjectStore as ObjectStore
    from .storage import ObjectVersion as ObjectVersion
    from .storage import PresignedPost as PresignedPost
    from .storage import UploadStore as UploadStore
    from .storage import UploadVersions as UploadVersions

_MODULE_OF = {
    "BatchRunInfo": "batches",
    "BatchRuns": "batches",
    "MapRunCounts": "batches",
    "ExecutionInfo": "executions",
    "Executions": "executions",
    "JobProgress": "executions",
    "StageProgress": "executions",
    "StartOutcome": "executions",
    "ObjectInfo": "storage",
    "ObjectStore": "storage",
    "ObjectVersion": "storage",
    "PresignedPost": "storage",
    "UploadStore": "storage",
    "UploadVersions": "storage",
}
__all__ = sorted(_MODULE_OF)

__getattr__ = lazy_names(__name__, _MODULE_OF)
