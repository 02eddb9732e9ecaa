"""Batches at scale on moto: the Distributed Map (statemachine/batch.asl.json) vs one pipeline
execution per upload, with fake models (the orchestration alone) and with the real ones.

Each variant runs in a fresh process: a LocalPipeline (moto S3 + Lambda + Step Functions, the
handlers in process) and N images:
- batch: `make batch`'s path (pipeline_local.batch.run_batch): upload the folder under
  batches/, POST /batches' service starts the batch state machine, poll the map run, download
  the summary. Wall time = batch started -> summary written (+ its download).
- uploads: the path every single upload takes (and the old `make batch`): PUT under uploads/,
  the S3 trigger starts one pipeline execution per image, all at once. Wall time = first PUT ->
  the last execution finished.
Baseline, in the same process first: the caption, translate and speak handlers called one
after the other on BASELINE_IMAGES of the same images (what the work costs without any
orchestration). The process runs every execution, map worker and handler under one GIL (and
onnxruntime uses both cores), so wall / N is what one image costs this machine end to end, and
wall / N minus the baseline per image is the orchestration's cost per image (moto's interpreter,
S3, the job functions). The functions' own `ms` cannot be used for that: 20 images in flight
inflate each other's timers. Latency = one image's states, Caption entered -> RecordSuccess
entered (the steps' state_ms); the result documents' total_ms cannot be used on moto, whose
map-run children see the parent's $$.Execution.StartTime.
"""

from __future__ import annotations

import io
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from .stats import percentile

ROOT = Path(__file__).resolve().parent.parent
PHOTOS = ("chelsea", "coffee", "astronaut", "rocket")
# (variant, models, images): side by side at 200 images, the batch alone at 1,000.
VARIANTS = (
    ("uploads", "fake", 200),
    ("batch", "fake", 200),
    ("batch", "fake", 1000),
    ("uploads", "real", 24),
    ("batch", "real", 24),
)
TIMEOUT_S = 1800.0
BASELINE_IMAGES = 50


def _images(models: str, count: int) -> list[bytes]:
    """Distinct small images: tiny PNGs for the fake models, resized photos for the real ones."""
    from PIL import Image

    images = []
    for index in range(count):
        buffer = io.BytesIO()
        if models == "fake":
            Image.new("RGB", (8 + index % 97, 8 + index // 97), (index % 256, 0, 0)).save(
                buffer, "PNG"
            )
        else:
            import skimage.data

            photo = Image.fromarray(getattr(skimage.data, PHOTOS[index % 4])()).convert("RGB")
            photo.thumbnail((160 + 8 * index, 160 + 8 * index))
            photo.save(buffer, "JPEG", quality=90)
        images.append(buffer.getvalue())
    return images


def _latency_ms(result: Any) -> float:
    return float(sum((step.state_ms or 0.0) for step in result.durations_ms.values()))


def _baseline_ms(pipeline: Any, images: list[bytes]) -> float:
    """Mean ms per image of the three handlers called directly, one image after the other."""
    from pipeline_local.moto_bridge import LambdaContext

    handlers = pipeline.functions.handlers
    context = {name: LambdaContext(name, pipeline.function_arns[name]) for name in handlers}
    sample = images[:BASELINE_IMAGES]
    started = time.perf_counter()
    for index, data in enumerate(sample):
        key = f"batches/baseline/image{index:04d}.png"
        pipeline.s3.put_object(Bucket=pipeline.bucket, Key=key, Body=data)
        job = f"{index:032x}"
        caption = handlers["CaptionFunction"](
            {"job_id": job, "bucket": pipeline.bucket, "key": key}, context["CaptionFunction"]
        )
        translated = handlers["TranslateFunction"](
            {"job_id": job, "text": caption["caption"]}, context["TranslateFunction"]
        )
        handlers["SpeakFunction"](
            {"job_id": job, "bucket": pipeline.bucket, "text": translated["translation"]},
            context["SpeakFunction"],
        )
    return (time.perf_counter() - started) * 1000 / len(sample)


# -- worker (runs in the subprocess) ----------------------------------------------------------
def worker(variant: str, models: str, count: int) -> dict[str, Any]:
    from pipeline_local.runner import LocalPipeline

    overrides = None
    if models == "fake":
        from tests.fakes import fake_model_handlers

        overrides = fake_model_handlers()
    images = _images(models, count)
    with LocalPipeline(handler_overrides=overrides) as pipeline:
        baseline = _baseline_ms(pipeline, images)
        measure = _batch if variant == "batch" else _uploads
        measured = measure(pipeline, images)
        measured["baseline_ms"] = baseline
        measured["max_concurrency"] = pipeline.parameter("BatchMaxConcurrency")
    return measured


def _batch(pipeline: Any, images: list[bytes]) -> dict[str, Any]:
    from image_to_speech.aws.resources import object_store
    from image_to_speech.keys import result_key
    from image_to_speech.services.jobs import load_result

    from pipeline_local.batch import run_batch

    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch) / "library"
        for index, data in enumerate(images):
            path = folder / f"part{index // 100:02d}" / f"image{index:04d}.png"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        report = run_batch(pipeline, folder, Path(scratch) / "out", timeout_s=TIMEOUT_S)
    results = []
    for item in report.summary.items:
        if item.job_id and item.status in ("SUCCEEDED", "FAILED"):
            result = load_result(object_store(), item.job_id)
            assert result is not None, result_key(item.job_id)
            results.append(result)
    return {
        "status": report.status,
        "wall_s": report.elapsed_s,
        "succeeded": report.summary.counts.succeeded,
        "images": len(images),
        "latency_ms": [_latency_ms(r) for r in results],
    }


def _uploads(pipeline: Any, images: list[bytes]) -> dict[str, Any]:
    started = time.perf_counter()
    job_ids = [
        pipeline.upload(data, f"image{index:04d}.png")[0] for index, data in enumerate(images)
    ]
    while True:
        running = pipeline.sfn.list_executions(
            stateMachineArn=pipeline.state_machine_arn, statusFilter="RUNNING"
        )["executions"]
        if not running or time.perf_counter() - started > TIMEOUT_S:
            break
        time.sleep(0.5)  # seldom: each poll competes for the GIL with what it measures
    wall_s = time.perf_counter() - started
    results = [pipeline.result(job_id) for job_id in job_ids]
    done = [r for r in results if r is not None]
    return {
        "status": "SUCCEEDED" if len(done) == len(images) else "INCOMPLETE",
        "wall_s": wall_s,
        "succeeded": sum(r.status == "SUCCEEDED" for r in done),
        "images": len(images),
        "latency_ms": [_latency_ms(r) for r in done],
    }


# -- driver -----------------------------------------------------------------------------------
def _measure(variant: str, models: str, count: int) -> dict[str, Any]:
    code = (
        "import json; from benchmarks.batch import worker; "
        f"print('RESULT' + json.dumps(worker({variant!r}, {models!r}, {count})))"
    )
    env = {
        **os.environ,
        "PYTHONPATH": f"{ROOT / 'layers' / 'shared'}:{ROOT}",
        "POWERTOOLS_LOG_LEVEL": "WARNING",
    }
    completed = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    lines = [line for line in completed.stdout.splitlines() if line.startswith("RESULT")]
    if completed.returncode != 0 or not lines:
        raise RuntimeError(f"batch benchmark worker failed:\n{completed.stderr[-3000:]}")
    measured: dict[str, Any] = json.loads(lines[-1][len("RESULT") :])
    return measured


def _row(variant: str, models: str, measured: dict[str, Any]) -> str:
    count = measured["images"]
    wall_ms_per_image = measured["wall_s"] * 1000 / count
    baseline = measured["baseline_ms"]
    latency = measured["latency_ms"] or [0.0]
    how = (
        f"Distributed Map, MaxConcurrency {measured['max_concurrency']}"
        if variant == "batch"
        else "one execution per upload (S3 trigger)"
    )
    return (
        f"| {how} | {models} | {count} | {measured['succeeded']}/{count} | "
        f"{measured['wall_s']:.1f} | {count / measured['wall_s']:.2f} | {wall_ms_per_image:.0f} | "
        f"{baseline:.0f} | {wall_ms_per_image - baseline:.0f} | "
        f"{statistics.median(latency) / 1000:.1f} / {percentile(latency, 0.95) / 1000:.1f} |"
    )


def run() -> str:
    rows = []
    for variant, models, count in VARIANTS:
        print(f"   {variant} {models} x{count}", flush=True)
        rows.append(_row(variant, models, _measure(variant, models, count)))
    return "\n".join(
        [
            "## Batches: Distributed Map vs one execution per upload (moto, functions in process)",
            "",
            "One fresh process per row, all images uploaded first. fake = tests/fakes.py models "
            "(the orchestration alone); real = the default offline bundles on resized "
            "scikit-image photos. Wall = start -> every image finished (batch: summary written "
            "and downloaded). Per image: wall / N; the same three handlers called directly, one "
            f"image after the other, on {BASELINE_IMAGES} of the images first (baseline); the "
            "difference is the orchestration's cost per image (moto's interpreter, S3, the job "
            "functions: one process, one GIL). Latency = one image's states, Caption entered -> "
            "RecordSuccess entered.",
            "",
            "| how | models | images | results | wall s | images/s | wall ms per image | "
            "handlers alone ms per image | orchestration ms per image | latency s median / p95 |",
            "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
            *rows,
        ]
    )
