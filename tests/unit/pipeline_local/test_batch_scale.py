"""The scale test (loopback, bounded): 1,000 small images through the batch state machine on
moto give 1,000 results, nothing lost. Fake models: it measures the orchestration. Throughput
and overhead per image are measured by `python -m benchmarks batch` (docs/benchmarks.md)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from image_to_speech.keys import batch_job_id

from pipeline_local.batch import run_batch
from pipeline_local.runner import LocalPipeline
from tests.fakes import fake_model_handlers

IMAGES = 1000


def _tiny_png(index: int) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (8 + index % 97, 8 + index // 97), (index % 256, 0, 0)).save(buffer, "PNG")
    return buffer.getvalue()


def _count(pipeline: LocalPipeline, prefix: str) -> set[str]:
    paginator = pipeline.s3.get_paginator("list_objects_v2")
    return {
        entry["Key"]
        for page in paginator.paginate(Bucket=pipeline.bucket, Prefix=prefix)
        for entry in page.get("Contents", [])
    }


@pytest.mark.slow
@pytest.mark.timeout(1500)
def test_a_thousand_images_give_a_thousand_results(
    tmp_path: Path, retry_waits: list[float]
) -> None:
    # GIVEN 1,000 distinct images in 10 subfolders (more than one page of an S3 listing)
    folder = tmp_path / "library"
    for index in range(IMAGES):
        path = folder / f"part{index // 100}" / f"image{index:04d}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(_tiny_png(index))
    # WHEN `make batch` runs them through the Distributed Map
    with LocalPipeline(handler_overrides=fake_model_handlers()) as pipeline:
        report = run_batch(pipeline, folder, tmp_path / "out", timeout_s=1200)
        results = _count(pipeline, "results/")
        audio = _count(pipeline, "audio/")
    # THEN every image has its row, its result document and its audio: nothing lost
    assert report.status == "SUCCEEDED" and not report.timed_out
    counts = report.summary.counts
    assert (counts.total, counts.succeeded, counts.failed, counts.skipped) == (IMAGES, IMAGES, 0, 0)
    jobs = {batch_job_id(report.batch_id, item.key) for item in report.summary.items}
    assert len(jobs) == IMAGES
    assert {f"results/{job}.json" for job in jobs} <= results
    assert {f"audio/{job}.wav" for job in jobs} == audio
    assert len(report.audio) == IMAGES and all(path.is_file() for path in report.audio.values())
    assert retry_waits == []  # no task needed a retry
