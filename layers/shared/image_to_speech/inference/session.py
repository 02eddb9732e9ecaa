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

from ..config import get_settings
from ..errors import BundleIntegrityError
from .bundle import Bundle

GRAPH_OPTIMIZATION_LEVELS = {
    "disable": ort.GraphOptimizationLevel.ORT_DISABLE_ALL,
    "basic": ort.GraphOptimizationLevel.ORT_ENABLE_BASIC,
    "extended": ort.GraphOptimizationLevel.ORT_ENABLE_EXTENDED,
    "all": ort.GraphOptimizationLevel.ORT_ENABLE_ALL,
}
# Keys a manifest's config["session"] may set, and the type each takes.
BUNDLE_OVERRIDES: dict[str, type] = {
    # False skips the allocation planner's buffer-reuse pass, which dominates session creation
    # of large dynamic graphs such as Piper VITS (docs/performance.md "Piper load time").
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
    settings = get_settings()
    options = ort.SessionOptions()
    # One request at a time per Lambda container: all cores go to intra-op parallelism
    # (measured: docs/performance.md "threads").
    options.intra_op_num_threads = threads or settings.ort_threads or available_cpus()
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    # ENABLE_ALL: the lower levels loaded no faster and ran slower, and BASIC runs QDQ int8 as
    # float (docs/performance.md "graph optimization").
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    # Idle pool threads sleep instead of spinning: Lambda gives CPU time in proportion to memory,
    # and under such a quota spinning threads burn it (docs/performance.md "spinning").
    # ORT_ALLOW_SPINNING=1 turns it back on for hosts with truly dedicated cores.
    spinning = "1" if settings.ort_allow_spinning else "0"
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


def open_encoder_decoder(
    bundle: Bundle, threads: int | None = None
) -> tuple[ort.InferenceSession, ort.InferenceSession]:
    """The encoder and decoder sessions an encoder-decoder bundle names in config["files"]."""
    files = bundle.config["files"]
    return (
        create_session(bundle.file(files["encoder"]), threads),
        create_session(bundle.file(files["decoder"]), threads),
    )
