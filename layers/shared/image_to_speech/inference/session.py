"""onnxruntime session creation, one place for the options every model uses.

Defaults were chosen by measurement (`python -m benchmarks session_options`, numbers in
docs/performance.md). A bundle may override a few options for its own graphs through its
manifest (`config["session"]`, see BUNDLE_OVERRIDES), so what a model runs with is recorded
next to the model, and a rebuilt bundle carries the measurement that justified it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import onnxruntime as ort

from .errors import BundleIntegrityError

GRAPH_OPTIMIZATION_LEVELS = {
    "disable": ort.GraphOptimizationLevel.ORT_DISABLE_ALL,
    "basic": ort.GraphOptimizationLevel.ORT_ENABLE_BASIC,
    "extended": ort.GraphOptimizationLevel.ORT_ENABLE_EXTENDED,
    "all": ort.GraphOptimizationLevel.ORT_ENABLE_ALL,
}
# Keys a manifest's config["session"] may set, and the type each takes.
BUNDLE_OVERRIDES: dict[str, type] = {
    # False skips the allocation planner's buffer-reuse pass. For the Piper VITS graph (~3000
    # nodes, dynamic shapes) that pass alone took 1.2-1.5 of its 1.6 s session creation; the
    # arena still recycles freed buffers, so peak RSS and latency were unchanged.
    "enable_mem_reuse": bool,
    "enable_cpu_mem_arena": bool,
    "graph_optimization_level": str,  # a key of GRAPH_OPTIMIZATION_LEVELS
    "allow_spinning": bool,
}


def available_cpus() -> int:
    """vCPUs this process may use (Lambda gives 2 at 3 GB; cgroup/affinity aware)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def session_options(
    threads: int | None = None, overrides: Mapping[str, Any] | None = None
) -> ort.SessionOptions:
    options = ort.SessionOptions()
    # One request at a time per Lambda container: all cores go to intra-op parallelism.
    # Quiet 2-vCPU host, median per request, 2 vs 1 thread: caption 8.4 vs 9.2 ms, speak 98 vs
    # 148 ms (`python -m benchmarks session_options`, docs/performance.md).
    options.intra_op_num_threads = (
        threads or int(os.environ.get("ORT_THREADS", 0)) or (available_cpus())
    )
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    # ENABLE_ALL: EXTENDED/BASIC loaded no faster and ran 1.4-3.5x slower (caption; BASIC also
    # changed its int8 outputs, QDQ then runs as float).
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    # Idle pool threads sleep instead of spinning. Lambda shows 2 vCPUs but gives CPU time in
    # proportion to memory (2048 MB ~ 1.16 cores, 3008 MB ~ 1.7): under such a cgroup quota,
    # spinning cost caption p95 51 vs 9.5 ms and speak median 112 vs 98 ms; on a busy host it
    # was ~2x slower; only on an idle, unlimited host did it win (caption 7.7 vs 8.4 ms).
    # ORT_ALLOW_SPINNING=1 turns it back on for hosts with truly dedicated cores.
    spinning = "1" if os.environ.get("ORT_ALLOW_SPINNING") == "1" else "0"
    options.add_session_config_entry("session.intra_op.allow_spinning", spinning)
    options.log_severity_level = 3  # errors only: warnings about unused initializers are noise
    apply_overrides(options, overrides or {})
    return options


def apply_overrides(options: ort.SessionOptions, overrides: Mapping[str, Any]) -> None:
    """Apply a bundle's config["session"]; unknown keys or bad values refuse the bundle."""
    for key, value in overrides.items():
        expected = BUNDLE_OVERRIDES.get(key)
        if expected is None or not isinstance(value, expected):
            raise BundleIntegrityError(
                f"session option {key}={value!r} is not supported; allowed: "
                + ", ".join(f"{k} ({t.__name__})" for k, t in BUNDLE_OVERRIDES.items())
            )
        if key == "graph_optimization_level":
            if value not in GRAPH_OPTIMIZATION_LEVELS:
                raise BundleIntegrityError(
                    f"graph_optimization_level {value!r}; "
                    f"allowed: {list(GRAPH_OPTIMIZATION_LEVELS)}"
                )
            options.graph_optimization_level = GRAPH_OPTIMIZATION_LEVELS[value]
        elif key == "allow_spinning":
            options.add_session_config_entry(
                "session.intra_op.allow_spinning", "1" if value else "0"
            )
        else:
            setattr(options, key, value)


def create_session(
    model_path: Path, threads: int | None = None, overrides: Mapping[str, Any] | None = None
) -> ort.InferenceSession:
    return ort.InferenceSession(
        str(model_path),
        sess_options=session_options(threads, overrides),
        providers=["CPUExecutionProvider"],
    )
