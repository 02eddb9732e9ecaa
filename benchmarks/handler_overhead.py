"""Handler overhead: the real Lambda handler (Mangum + FastAPI + pydantic + Powertools) vs the
bare model call it wraps, per function, side by side in the same fresh process.

For each function a fresh subprocess imports `functions/<name>/app.py` (module-scope model
load, as Lambda init does), then runs rounds in which every handler path, and the floor, runs
right after a bare model call (captioner.caption / translator.translate /
synthesizer.synthesize: decode + preprocess + onnxruntime), as a request's Python does: the
model leaves the CPU caches cold, and the code around it pays for that
(docs/performance.md "Handler overhead"). Per handler call it records the wall time and the
model call inside it, so "own" = wall - model is paired per call and the model's noise cancels.
The floor is the same event through Mangum and FastAPI to a route that only reads the body:
what any route costs in this stack; "floor + Powertools" wraps that route as every function's
handler is wrapped (benchmarks/floor_app.py). A last pass replays the model's recorded
result back to back ("warm caches"), to show how much of the cost is the caches. Paths that
touch S3 are left out: moto's in-process S3 is not a network round trip.

`python -m benchmarks handler_overhead`; one function alone:
`python -m benchmarks.handler_overhead --function caption --runs 40`.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .stats import percentile

ROOT = Path(__file__).resolve().parent.parent
FUNCTIONS = {"caption": 40, "translate": 30, "speak": 8}  # timed runs per process
ROUNDS = 2  # fresh processes per function
WARMUP = 3
TARGET_PCT = 5.0
FLOOR_CASE = "floor: Mangum + FastAPI, empty route"
FLOOR_POWERTOOLS_CASE = "floor + Powertools (logs, one EMF metric)"


def _context() -> Any:
    from types import SimpleNamespace

    return SimpleNamespace(
        function_name="bench",
        function_version="$LATEST",
        memory_limit_in_mb=2048,
        invoked_function_arn="arn:aws:lambda:us-east-1:123456789012:function:bench",
        aws_request_id="bench",
        get_remaining_time_in_millis=lambda: 30_000,
    )


def _load_function(name: str) -> Any:
    from image_to_speech.inference.bundle import resolve_bundle_dir

    from pipeline_local.moto_bridge import load_function_module

    os.environ.setdefault("MODEL_BUNDLE_DIR", str(resolve_bundle_dir(name)))
    return load_function_module(ROOT / "functions" / name, module_name=f"bench_{name}")


def _http_event(name: str) -> dict[str, Any]:
    """The HTTP API event each function's handler is timed with."""
    sys.path.insert(0, str(ROOT))
    from scripts.make_events import http_api_event, json_event

    if name == "caption":
        return http_api_event(
            "POST", "/caption", body=_sample_jpeg(), headers={"content-type": "image/jpeg"}
        )
    if name == "translate":
        return json_event("/translate", {"text": _SAMPLE_INPUT["translate"]()})
    return json_event("/speak", {"text": _SAMPLE_INPUT["speak"]()}, headers={"accept": "audio/wav"})


def _handler_cases(name: str, module: Any, event: dict[str, Any]) -> dict[str, Callable[[], Any]]:
    """The handler paths to time: the HTTP API event, and the task input where no S3 is used."""
    sys.path.insert(0, str(ROOT))
    from scripts.make_events import EVENT_JOB_ID

    context = _context()
    handler = module.handler
    if name == "caption":
        return {"handler: HTTP API (raw JPEG)": lambda: handler(event, context)}
    if name == "translate":
        text = _SAMPLE_INPUT["translate"]()
        task = {"job_id": EVENT_JOB_ID, "text": text, "source": "en", "target": "pt-BR"}
        return {
            "handler: HTTP API": lambda: handler(event, context),
            "handler: task": lambda: handler(dict(task), context),
        }
    return {"handler: HTTP API (Accept: audio/wav)": lambda: handler(event, context)}


MODEL_METHODS = {
    "caption": ("captioner", "caption"),
    "translate": ("translator", "translate"),
    "speak": ("synthesizer", "synthesize"),
}


def _stub_model(name: str, module: Any) -> None:
    """Make the model call return its last real result instantly (same shapes, no inference)."""
    attribute, method = MODEL_METHODS[name]
    model = getattr(module, attribute)
    recorded = getattr(model, method)(_SAMPLE_INPUT[name]())
    setattr(model, method, lambda *args, **kwargs: recorded)


def _sample_jpeg() -> bytes:
    from scripts.make_events import sample_jpeg

    return sample_jpeg()


_SAMPLE_INPUT: dict[str, Callable[[], Any]] = {
    "caption": _sample_jpeg,
    "translate": lambda: "A small tabby cat is sitting on a wooden floor next to a red ball.",
    "speak": lambda: "Um gato dorme no sofá.",
}


def _check(case: str, result: Any) -> None:
    if isinstance(result, dict) and result.get("statusCode", 200) >= 300:
        raise RuntimeError(f"{case}: HTTP {result['statusCode']}: {result}")


def _time_cases(
    cases: dict[str, Callable[[], Any]],
    runs: int,
    *,
    model_call: Callable[[], Any] | None = None,
    inside: list[float] | None = None,
) -> dict[str, list[float]]:
    """Time each case; with `model_call`, each case right after a bare model call (timed as
    "model call"). A case during which the handler's own model calls were recorded into
    `inside` also gets "<case> own" = its wall time minus them."""
    times: dict[str, list[float]] = {}
    recorded = inside if inside is not None else []
    # EMF metrics go to stdout in Lambda too: keep the cost, drop the text.
    with contextlib.redirect_stdout(io.StringIO()) as sink:
        for iteration in range(WARMUP + runs):
            for case, call in cases.items():
                model_ms = None
                if model_call is not None:
                    started = time.perf_counter()
                    model_call()
                    model_ms = (time.perf_counter() - started) * 1000
                recorded.clear()
                started = time.perf_counter()
                result = call()
                elapsed = (time.perf_counter() - started) * 1000
                _check(case, result)
                if iteration < WARMUP:
                    continue
                if model_ms is not None:
                    times.setdefault("model call", []).append(model_ms)
                times.setdefault(case, []).append(elapsed)
                if recorded:
                    times.setdefault(f"{case} own", []).append(elapsed - sum(recorded))
            sink.seek(0)
            sink.truncate()
    return times


def _record_inside(name: str, module: Any, inside: list[float]) -> Callable[[], Any]:
    """Time the model call wherever the handler makes it; return the bare call."""
    attribute, method = MODEL_METHODS[name]
    model = getattr(module, attribute)
    bare = getattr(model, method)
    sample = _SAMPLE_INPUT[name]()

    def timed(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return bare(*args, **kwargs)
        finally:
            inside.append((time.perf_counter() - started) * 1000)

    setattr(model, method, timed)
    return lambda: bare(sample)


def measure(name: str, runs: int) -> dict[str, list[float]]:
    """In this process: load the function; time each handler path and the floor right after a
    model call; then the handler alone, back to back, on the model's recorded result."""
    os.environ.update(
        AWS_ACCESS_KEY_ID="bench",
        AWS_SECRET_ACCESS_KEY="bench",
        AWS_DEFAULT_REGION="us-east-1",
        BUCKET_NAME="image-to-speech-bench",
        POWERTOOLS_TRACE_DISABLED="true",
        # No S3 here: the cache would time out on every call. Its costs: the cache section.
        CACHE_ENABLED="false",
    )
    sys.path.insert(0, str(ROOT))
    module = _load_function(name)
    event = _http_event(name)
    cases = _handler_cases(name, module, event)
    http_case = next(case for case in cases if case.startswith("handler: HTTP"))
    from .floor_app import floor_handler

    floor = floor_handler(event["rawPath"])
    floor_powertools = floor_handler(event["rawPath"], powertools=True)
    cases[FLOOR_CASE] = lambda: floor(event, _context())
    cases[FLOOR_POWERTOOLS_CASE] = lambda: floor_powertools(event, _context())
    inside: list[float] = []
    model_call = _record_inside(name, module, inside)
    times = _time_cases(cases, runs, model_call=model_call, inside=inside)
    _stub_model(name, module)
    warm = _time_cases({http_case: cases[http_case]}, max(runs, 100))
    times[f"{http_case} [back to back, warm caches]"] = warm[http_case]
    return times


def run() -> str:
    rows = []
    for name, runs in FUNCTIONS.items():
        merged: dict[str, list[float]] = {}
        for _ in range(ROUNDS):
            completed = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "benchmarks.handler_overhead",
                    "--function",
                    name,
                    "--runs",
                    str(runs),
                ],
                cwd=ROOT,
                capture_output=True,
                text=True,
                check=True,
            )
            result = json.loads(completed.stdout.strip().splitlines()[-1])
            for case, values in result.items():
                merged.setdefault(case, []).extend(values)
        base = statistics.median(merged["model call"])
        for case, values in merged.items():
            median = statistics.median(values)
            # Wall-time rows hold the model call: compare medians. The others ARE a cost.
            is_cost = case.endswith(" own") or case.startswith("floor") or "[back to back" in case
            extra = median if is_cost else median - base
            overhead = (
                "-" if case == "model call" else f"{extra:+.2f} ms ({100 * extra / base:+.1f}%)"
            )
            rows.append(
                f"| {name} | {case} | {len(values)} | {median:.2f} | "
                f"{percentile(values, 0.95):.2f} | {overhead} |"
            )
    return "\n".join(
        [
            "## Handler overhead (Mangum + FastAPI + pydantic + Powertools vs the model call)",
            "",
            f"Target: handler overhead at most {TARGET_PCT:.0f}% of the model call. {ROUNDS} fresh "
            "processes per function; milliseconds. Every handler call and every floor call "
            "runs right after a bare model call, as a request's Python does. 'handler' rows: "
            "wall time, overhead = median minus the model call's median. '... own' rows: each "
            "handler call's wall time minus the model call inside it (paired per call): the "
            "handler's own cost. 'floor': the same event through Mangum and FastAPI to a route "
            "that only reads the body, the least any route costs in this stack; 'floor + "
            "Powertools': that route wrapped like every function (observability.instrument) "
            "and recording one metric, as each model route does. '[back to back, "
            "warm caches]': the handler on the model's recorded result, called in a tight loop, "
            "which is what the code costs when the CPU caches still hold it. Result cache off "
            "(a hit or a miss costs S3 calls: see the cache section).",
            "",
            "| function | case | n | median | p95 | overhead vs model call |",
            "|---|---|---|---|---|---|",
            *rows,
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--function", choices=sorted(FUNCTIONS))
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    if args.function is None:
        print(run())
        return
    times = measure(args.function, args.runs)
    print(json.dumps(times))


if __name__ == "__main__":
    main()
