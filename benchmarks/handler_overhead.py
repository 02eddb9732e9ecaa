"""Handler overhead: the real Lambda handler (Mangum + FastAPI + pydantic + Powertools) vs the
bare model call it wraps, per function, side by side in the same fresh process.

For each function a fresh subprocess imports `functions/<name>/app.py` (module-scope model
load, as Lambda init does), then interleaves: the model call alone (captioner.caption /
translator.translate / synthesizer.synthesize: decode + preprocess + onnxruntime) and the
handler with an HTTP API v2 event (and a Step Functions task input where no S3 is involved).
A second pass replaces the model call by its recorded result, which isolates what the handler
itself costs ("framework only"); the first pass also shows the real, noisier difference
(onnxruntime's spinning worker threads compete with the handler's Python work on 2 cores).
Paths that touch S3 are left out: moto's in-process S3 is not a network round trip.

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


def _cases(name: str, module: Any) -> dict[str, Callable[[], Any]]:
    """Callables to time: the bare model call and the handler paths doing the same work."""
    sys.path.insert(0, str(ROOT))
    from scripts.make_events import EVENT_JOB_ID, http_api_event, json_event

    context = _context()
    handler = module.handler
    if name == "caption":
        jpeg = _sample_jpeg()
        event = http_api_event(
            "POST", "/caption", body=jpeg, headers={"content-type": "image/jpeg"}
        )
        return {
            "model call": lambda: module.captioner.caption(jpeg),
            "handler: HTTP API (raw JPEG)": lambda: handler(event, context),
        }
    if name == "translate":
        text = _SAMPLE_INPUT["translate"]()
        event = json_event("/translate", {"text": text})
        task = {"job_id": EVENT_JOB_ID, "text": text, "source": "en", "target": "pt-BR"}
        return {
            "model call": lambda: module.translator.translate(text),
            "handler: HTTP API": lambda: handler(event, context),
            "handler: task": lambda: handler(dict(task), context),
        }
    text = _SAMPLE_INPUT["speak"]()
    inline = json_event("/speak", {"text": text}, headers={"accept": "audio/wav"})
    return {
        "model call": lambda: module.synthesizer.synthesize(text),
        "handler: HTTP API (Accept: audio/wav)": lambda: handler(inline, context),
    }


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


def _time_cases(cases: dict[str, Callable[[], Any]], runs: int) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {case: [] for case in cases}
    # EMF metrics go to stdout in Lambda too: keep the cost, drop the text.
    with contextlib.redirect_stdout(io.StringIO()) as sink:
        for iteration in range(WARMUP + runs):
            for case, call in cases.items():
                started = time.perf_counter()
                result = call()
                elapsed = (time.perf_counter() - started) * 1000
                if isinstance(result, dict) and result.get("statusCode", 200) >= 300:
                    raise RuntimeError(f"{case}: HTTP {result['statusCode']}: {result}")
                if iteration >= WARMUP:
                    times[case].append(elapsed)
            sink.seek(0)
            sink.truncate()
    return times


def measure(name: str, runs: int) -> dict[str, list[float]]:
    """In this process: load the function, time every case interleaved, then framework only."""
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
    times = _time_cases(_cases(name, module), runs)
    _stub_model(name, module)
    stubbed = _cases(name, module)
    stubbed.pop("model call")
    for case, values in _time_cases(stubbed, max(runs, 100)).items():
        times[f"{case} [framework only]"] = values
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
            extra = median if case.endswith("[framework only]") else median - base
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
            "processes per function, cases interleaved in each; milliseconds. '[framework only]' "
            "rows replay the model's recorded result, so their median IS the handler's own cost; "
            "the other rows show handler minus model call with real inference. Result cache "
            "off (a hit or a miss costs S3 calls: see the cache section).",
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
