"""A folder of images through the batch state machine on moto: what `make batch DIR=...` runs.

The folder is checked file by file (every file left out is listed with the reason), the images
are uploaded under batches/<folder>/, and the SAME service as POST /batches starts the batch
state machine (statemachine/batch.asl.json, a Distributed Map) on that prefix. Progress comes
from the map run's counts (GET /batches/{id}'s service); at the end the summary the state
machine wrote (results/batches/<id>/summary.json and .csv) is downloaded with the audio. If the
wait times out, the batch is stopped and the same summary function writes what had finished.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from image_to_speech.aws.resources import batch_runs, object_store
from image_to_speech.errors import BadInputError
from image_to_speech.keys import batch_summary_key, validate_upload_key
from image_to_speech.media import (
    FILE_SUFFIXES,
    MAX_UPLOAD_BYTES,
    MEDIA_TYPES,
    describe_head,
    sniff_format,
)
from image_to_speech.pipeline.batches import BatchItem, BatchSummary
from image_to_speech.schemas import BatchProgress, BatchStatus, SummarizeBatchTaskInput
from image_to_speech.services.batches import get_batch, start_batch, summarize_batch

from .runner import LocalPipeline, LocalPipelineError

Progress = Callable[[BatchStatus, float], None]
POLL_S = 0.25


@dataclass(frozen=True)
class LocalImage:
    path: Path
    key: str
    media_type: str


@dataclass(frozen=True)
class SkippedFile:
    path: Path
    reason: str


@dataclass
class FolderScan:
    images: list[LocalImage] = field(default_factory=list)
    skipped: list[SkippedFile] = field(default_factory=list)


@dataclass(frozen=True)
class BatchReport:
    batch_id: str
    prefix: str
    status: str  # the batch execution's, or TIMED_OUT when we stopped waiting
    summary: BatchSummary
    summary_dir: Path
    skipped: list[SkippedFile]
    audio: dict[str, Path]  # S3 key of the image -> the WAV saved locally
    elapsed_s: float  # batch started -> finished (or stopped)
    timed_out: bool


def folder_prefix(folder: Path) -> str:
    """batches/<the folder's name, made safe for a key>/"""
    name = re.sub(r"[^A-Za-z0-9._-]+", "-", folder.resolve().name).strip("-.") or "images"
    return f"batches/{name}/"


def scan_folder(folder: Path, prefix: str) -> FolderScan:
    """Every file under the folder (subfolders too): an image to upload, or skipped with why."""
    scan = FolderScan()
    taken: dict[str, Path] = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        relative = path.relative_to(folder).as_posix()
        # The state machine lets .jpg or .JPG through (S3 keys are case-sensitive, ASL has no
        # lower()): the key gets the lower-case extension whatever the file's is.
        key = prefix + relative[: -len(path.suffix)] + path.suffix.lower()
        reason = _skip_reason(path, key) or _collision(key, taken)
        if reason:
            scan.skipped.append(SkippedFile(path, reason))
            continue
        taken[key] = path
        head = path.open("rb").read(16)
        media = MEDIA_TYPES[sniff_format(head) or "JPEG"]
        scan.images.append(LocalImage(path, key, media))
    return scan


def _skip_reason(path: Path, key: str) -> str | None:
    if path.suffix.lower() not in FILE_SUFFIXES:
        shown = path.suffix or "no extension"
        return f"wrong extension ({shown}): only {'/'.join(FILE_SUFFIXES)} files are images here"
    size = path.stat().st_size
    if size == 0:
        return "empty file (0 bytes)"
    if size > MAX_UPLOAD_BYTES:
        return f"too large: {size} bytes, images may have at most {MAX_UPLOAD_BYTES} bytes"
    with path.open("rb") as handle:
        head = handle.read(16)
    if sniff_format(head) is None:
        return f"not an image by its bytes (it starts with {describe_head(head)})"
    try:
        validate_upload_key(key)
    except BadInputError as exc:
        return f"its name cannot be an S3 key here: {exc.message}"
    return None


def _collision(key: str, taken: dict[str, Path]) -> str | None:
    if key in taken:
        return f"same name as {taken[key].name} once the extension is lower-cased"
    return None


def upload(pipeline: LocalPipeline, images: list[LocalImage]) -> None:
    for image in images:
        pipeline.s3.put_object(
            Bucket=pipeline.bucket,
            Key=image.key,
            Body=image.path.read_bytes(),
            ContentType=image.media_type,
        )


def wait_for_batch(
    batch_id: str, *, timeout_s: float, on_progress: Progress | None = None
) -> tuple[BatchStatus, bool]:
    """Poll the batch (the service behind GET /batches/{id}) until it ends: (status, timed out)."""
    started = time.monotonic()
    while True:
        status = get_batch(object_store(), batch_runs(), batch_id)
        elapsed = time.monotonic() - started
        if on_progress is not None:
            on_progress(status, elapsed)
        if status.status != "RUNNING":
            return status, False
        if elapsed > timeout_s:
            return status, True
        time.sleep(POLL_S)


def stop_and_summarize(
    pipeline: LocalPipeline, batch_id: str, prefix: str, started_at: str | None
) -> None:
    """Stop the batch, let the images in flight finish, then write the summary of what ran."""
    arn = pipeline.batch_state_machine_arn.replace(":stateMachine:", ":execution:")
    pipeline.sfn.stop_execution(
        executionArn=f"{arn}:{batch_id}", error="TimedOut", cause="the CLI stopped waiting"
    )
    deadline = time.monotonic() + 30.0
    while time.monotonic() < deadline and _images_running(batch_id):
        time.sleep(POLL_S)
    tolerated = float(pipeline.parameter("BatchToleratedFailurePercentage") or 0)
    summarize_batch(
        object_store(),
        SummarizeBatchTaskInput(
            batch_id=batch_id,
            bucket=pipeline.bucket,
            prefix=prefix,
            tolerated_failure_percentage=tolerated,
            started_at=started_at,
            map_error={"Error": "TimedOut", "Cause": "the CLI stopped waiting; partial results"},
        ),
    )


def _images_running(batch_id: str) -> bool:
    progress: BatchProgress | None = get_batch(object_store(), batch_runs(), batch_id).progress
    return progress is not None and progress.running > 0


def download_results(
    pipeline: LocalPipeline, batch_id: str, out: Path
) -> tuple[BatchSummary, dict[str, Path]]:
    """The summary (JSON, CSV) and every image's audio, into `out`."""
    out.mkdir(parents=True, exist_ok=True)
    for extension in ("json", "csv"):
        key = batch_summary_key(batch_id, extension)
        try:
            body = pipeline.s3.get_object(Bucket=pipeline.bucket, Key=key)
        except pipeline.s3.exceptions.NoSuchKey as exc:
            status = get_batch(object_store(), batch_runs(), batch_id)
            raise LocalPipelineError(
                f"batch {batch_id} ended {status.status} without a summary ({key}): "
                f"{status.error}: {status.cause}"
            ) from exc
        (out / f"summary.{extension}").write_bytes(body["Body"].read())
    summary = BatchSummary.model_validate(json.loads((out / "summary.json").read_text()))
    audio = {}
    for item in summary.items:
        if item.audio_key:
            audio[item.key] = _save_audio(pipeline, item, summary.prefix, out / "audio")
    return summary, audio


def _save_audio(pipeline: LocalPipeline, item: BatchItem, prefix: str, folder: Path) -> Path:
    path = folder / (item.key.removeprefix(prefix).rsplit(".", 1)[0] + ".wav")
    path.parent.mkdir(parents=True, exist_ok=True)
    assert item.audio_key is not None
    path.write_bytes(
        pipeline.s3.get_object(Bucket=pipeline.bucket, Key=item.audio_key)["Body"].read()
    )
    return path


def run_batch(
    pipeline: LocalPipeline,
    folder: Path,
    out: Path,
    *,
    timeout_s: float,
    on_progress: Progress | None = None,
    scan: FolderScan | None = None,
) -> BatchReport:
    """Upload the folder's images, run the batch state machine on them, collect the results."""
    prefix = folder_prefix(folder)
    scan = scan or scan_folder(folder, prefix)
    upload(pipeline, scan.images)
    started = time.monotonic()
    created = start_batch(object_store(), batch_runs(), prefix)
    status, timed_out = wait_for_batch(
        created.batch_id, timeout_s=timeout_s, on_progress=on_progress
    )
    if timed_out:
        stop_and_summarize(pipeline, created.batch_id, prefix, status.started_at)
    elapsed = time.monotonic() - started
    summary_dir = out / f"batch-{created.batch_id}"
    summary, audio = download_results(pipeline, created.batch_id, summary_dir)
    return BatchReport(
        batch_id=created.batch_id,
        prefix=prefix,
        status="TIMED_OUT" if timed_out else status.status,
        summary=summary,
        summary_dir=summary_dir,
        skipped=scan.skipped,
        audio=audio,
        elapsed_s=elapsed,
        timed_out=timed_out,
    )
