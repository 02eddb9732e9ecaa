"""onnxruntime session creation, one place for the options every model uses."""

from __future__ import annotations

import os
from pathlib import Path

import onnxruntime as ort


def available_cpus() -> int:
    """vCPUs this process may use (Lambda gives 2 at 3 GB; cgroup/affinity aware)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def session_options(threads: int | None = None) -> ort.SessionOptions:
    options = ort.SessionOptions()
    # One request at a time per Lambda container: all cores go to intra-op parallelism.
    options.intra_op_num_threads = threads or int(os.environ.get("ORT_THREADS", 0)) or (
        available_cpus()
    )
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.log_severity_level = 3  # errors only: warnings about unused initializers are noise
    return options


def create_session(model_path: Path, threads: int | None = None) -> ort.InferenceSession:
    return ort.InferenceSession(
        str(model_path), sess_options=session_options(threads), providers=["CPUExecutionProvider"]
    )
