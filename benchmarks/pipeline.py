"""The asynchronous pipeline's overhead: end to end on moto vs the three functions alone.

In one fresh process per round (ROUNDS rounds): start the LocalPipeline (moto S3 + Lambda +
Step Functions running statemachine/pipeline.asl.json, handlers in process), warm it up, then
RUNS times, interleaved:
- pipeline: PUT the photo under uploads/ -> S3 trigger -> execution -> result written;
  measured as the execution's own duration (DescribeExecution stopDate - startDate); the
  upload -> finished time is only as precise as the 250 ms poll;
- functions alone: the caption, translate and speak handlers called directly (same process,
  warm) with the same task inputs the state machine sends; their sum is the baseline.
Overhead = (execution - sum of the three warm function calls) / that sum; target <= 20 %.
The execution also contains RecordSuccess (the jobs function writing results/<id>.json) and
moto's own work per task. The fixed cost (instant model functions) is measured twice: with the
bridge's emulator fixes, and on moto as shipped, whose difference is the emulator's alone.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from .stats import percentile

ROOT = Path(__file__).resolve().parent.parent
ROUNDS = 2
RUNS = 7
WARMUP = 2
PHOTOS = ("chelsea", "coffee", "astronaut", "rocket")


def _photo(name: str) -> bytes:
    import io

    import skimage.data
    from PIL import Image

    buffer = io.BytesIO()
    Image.fromarray(getattr(skimage.data, name)()).convert("RGB").save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


# -- worker (runs in the subprocess) ----------------------------------------------------------
def worker(runs: int, warmup: int) -> dict[str, Any]:
    from pipeline_local.moto_bridge import LambdaContext, moto_as_shipped
    from pipeline_local.runner import LocalPipeline

    samples: list[dict[str, float]] = []
    with LocalPipeline() as pipeline:
        assert pipeline.functions is not None
        handlers = pipeline.functions.handlers  # type: ignore[attr-defined]
        for index in range(warmup + runs):
            photo = PHOTOS[index % len(PHOTOS)]
            data = _photo(photo)
            calls_before = len(pipeline.functions.invocations)
            started = time.perf_counter()
            job_id, key = pipeline.upload(data, f"{index:03d}-{photo}.jpg")
            while pipeline.status(job_id) not in ("SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED"):
                # Seldom: every poll is a moto request in this process, competing for the GIL
                # with the execution it measures (a 5 ms poll inflated executions by ~40 %).
                time.sleep(0.25)
            wall_ms = (time.perf_counter() - started) * 1000
            described = pipeline.sfn.describe_execution(executionArn=pipeline.execution_arn(job_id))
            if described["status"] != "SUCCEEDED":
                raise RuntimeError(f"run {index} {described['status']}: {described.get('cause')}")
            execution_ms = (described["stopDate"] - described["startDate"]).total_seconds() * 1000
            result = pipeline.result(job_id)
            assert result is not None
            in_pipeline = list(pipeline.functions.invocations)[calls_before:]
            # The same task inputs the state machine sent, straight to the warm handlers.
            events = {
                "CaptionFunction": {"job_id": job_id, "bucket": pipeline.bucket, "key": key},
                "TranslateFunction": {
                    "job_id": job_id,
                    "text": result.caption,
                    "source": "en",
                    "target": "pt-BR",
                },
                "SpeakFunction": {
                    "job_id": job_id,
                    "bucket": pipeline.bucket,
                    "text": result.translation,
                    "language": "pt-BR",
                },
            }
            alone = {}
            for name, event in events.items():
                context = LambdaContext(name, pipeline.function_arns[name])
                begun = time.perf_counter()
                handlers[name](event, context)
                alone[name] = (time.perf_counter() - begun) * 1000
            if index < warmup:
                continue
            samples.append(
                {
                    "execution_ms": execution_ms,
                    "upload_to_done_ms": wall_ms,
                    "functions_alone_ms": sum(alone.values()),
                    "caption_ms": alone["CaptionFunction"],
                    "translate_ms": alone["TranslateFunction"],
                    "speak_ms": alone["SpeakFunction"],
                    "handlers_in_pipeline_ms": sum(
                        c.ms
                        for c in in_pipeline
                        if c.event.get("action") is None and "Records" not in c.event
                    ),
                    "record_success_ms": sum(c.ms for c in in_pipeline if c.event.get("action")),
                }
            )
        empty = _empty_pipeline_ms(pipeline, handlers, runs)
        with moto_as_shipped():
            empty_shipped = _empty_pipeline_ms(pipeline, handlers, runs, label="shipped")
    return {"samples": samples, "empty_pipeline_ms": empty, "empty_shipped_ms": empty_shipped}


def _empty_pipeline_ms(
    pipeline: Any, handlers: dict[str, Any], runs: int, label: str = "empty"
) -> list[float]:
    """Executions whose three model functions answer at once (canned outputs of the right
    shape): the orchestration's fixed cost, whatever the models take."""
    canned = {
        "CaptionFunction": {
            "caption": "A cat.",
            "model": {"preset": "none"},
            "ms": 0.0,
            "cached": False,
        },
        "TranslateFunction": {
            "translation": "Um gato.",
            "model": {"preset": "none"},
            "ms": 0.0,
            "cached": False,
        },
        "SpeakFunction": {
            "audio_key": "audio/none.wav",
            "duration_s": 0.0,
            "sample_rate": 22050,
            "model": {"preset": "none"},
            "ms": 0.0,
            "cached": False,
        },
    }
    for name, output in canned.items():
        handlers[name] = lambda event, context, output=output: output
    durations = []
    for index in range(runs + 1):
        # A new name and new bytes every time: each upload is a new job and a new execution.
        data = b"\xff\xd8\xff %s run %d" % (label.encode(), index)
        job_id, _ = pipeline.upload(data, f"{label}-{index}.jpg")
        while pipeline.status(job_id) not in ("SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED"):
            time.sleep(0.25)
        described = pipeline.sfn.describe_execution(executionArn=pipeline.execution_arn(job_id))
        if described["status"] != "SUCCEEDED":  # e.g. a canned output the ASL no longer fits
            raise RuntimeError(f"empty run {index} {described['status']}: {described}")
        if index:  # the first one warms the canned path
            durations.append(
                (described["stopDate"] - described["startDate"]).total_seconds() * 1000
            )
    return durations


# -- driver -----------------------------------------------------------------------------------
def _round() -> dict[str, Any]:
    code = (
        "import json, sys; from benchmarks.pipeline import worker; "
        f"print('RESULT' + json.dumps(worker({RUNS}, {WARMUP})))"
    )
    # Result cache off: the same photos come round again, and this section measures the
    # orchestration around real model work (cache hits: the duplicate_upload section).
    env = {"PYTHONPATH": f"{ROOT / 'layers' / 'shared'}:{ROOT}", "CACHE_ENABLED": "false"}
    completed = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=False,
    )
    lines = [line for line in completed.stdout.splitlines() if line.startswith("RESULT")]
    if completed.returncode != 0 or not lines:
        raise RuntimeError(f"pipeline benchmark worker failed:\n{completed.stderr[-3000:]}")
    measured: dict[str, Any] = json.loads(lines[-1][len("RESULT") :])
    return measured


def run() -> str:
    rounds = [_round() for _ in range(ROUNDS)]
    samples = [sample for measured in rounds for sample in measured["samples"]]
    empty = [ms for measured in rounds for ms in measured["empty_pipeline_ms"]]
    empty_shipped = [ms for measured in rounds for ms in measured["empty_shipped_ms"]]

    def column(name: str) -> list[float]:
        return [s[name] for s in samples]

    overheads = [
        (s["execution_ms"] - s["functions_alone_ms"]) / s["functions_alone_ms"] * 100
        for s in samples
    ]
    rows = [
        ("caption handler alone (warm)", column("caption_ms")),
        ("translate handler alone (warm)", column("translate_ms")),
        ("speak handler alone (warm)", column("speak_ms")),
        ("**sum of the three (baseline)**", column("functions_alone_ms")),
        ("same three handlers inside the pipeline", column("handlers_in_pipeline_ms")),
        ("RecordSuccess (jobs function, results/ write)", column("record_success_ms")),
        ("**execution (start -> stop)**", column("execution_ms")),
        ("upload -> finished seen by a 250 ms poll", column("upload_to_done_ms")),
        ("execution with instant model functions (fixed cost)", empty),
        ("the same, on moto as shipped (no emulator fixes)", empty_shipped),
    ]
    lines = [
        "## Pipeline overhead (Step Functions on moto, functions in process)",
        "",
        f"{ROUNDS} fresh processes x {RUNS} runs (after {WARMUP} warm-up runs each), photos "
        f"{', '.join(PHOTOS)} in turn, default offline bundles. Baseline = the three task "
        "handlers called directly with the same inputs, right after each pipeline run.",
        "",
        "| measure | median ms | p95 ms |",
        "|---|---:|---:|",
    ]
    for label, values in rows:
        lines.append(
            f"| {label} | {statistics.median(values):.1f} | {percentile(values, 0.95):.1f} |"
        )
    median_overhead = statistics.median(overheads)
    verdict = "meets" if median_overhead <= 20 else "misses"
    absolute = statistics.median([s["execution_ms"] - s["functions_alone_ms"] for s in samples])
    fixed, fixed_shipped = statistics.median(empty), statistics.median(empty_shipped)
    lines += [
        "",
        f"Overhead of the pipeline over the three functions: median **{median_overhead:.1f} %** "
        f"(p95 {percentile(overheads, 0.95):.1f} %), target <= 20 %: {verdict} it. In "
        f"absolute terms the pipeline adds a median {absolute:.0f} ms per image; the run with "
        f"instant model functions takes {fixed:.0f} ms, so the overhead is a fixed cost of "
        "orchestration (four task states including RecordSuccess, moto's interpreter and its "
        "Lambda invocations in this same process, one GIL), not a share of the model work: "
        "the relative figure shrinks as the models get slower.",
        "",
        f"The part that exists only in moto: on moto as shipped the same instant run takes "
        f"{fixed_shipped:.0f} ms, {fixed_shipped - fixed:.0f} ms more. moto creates a boto3 "
        "client for every task, parses the ASL and builds its evaluation tree for every "
        "execution, and compiles every JSONPath each time it evaluates one; AWS compiles a "
        "state machine once. The local bridge (pipeline_local/moto_bridge.py) reuses all "
        "three, and the last row puts moto's own code back for comparison. What is left is "
        "moto's interpreter and its Lambda invocations through botocore in this process; on "
        "AWS, Step Functions' own transition and Lambda invoke latencies replace them and are "
        "not measured here.",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    print(run())
