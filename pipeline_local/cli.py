"""`python -m pipeline_local demo|batch`: the pipeline end to end on moto, printed for people."""

from __future__ import annotations

import argparse
import io
import json
import logging
import os
import sys
import time
from pathlib import Path
from typing import TextIO

from image_to_speech.inference.bundle import DEFAULT_PRESETS, MANIFEST_NAME
from image_to_speech.observability import logger
from image_to_speech.pipeline.batches import BatchItem
from image_to_speech.pipeline.results import JobResult
from image_to_speech.schemas import BatchStatus

from . import operations
from .batch import BatchReport, SkippedFile, folder_prefix, run_batch, scan_folder
from .containers import ContainersUnavailableError
from .runner import JobRun, LocalPipeline, LocalPipelineError, StateTiming, bundle_choices


def chelsea_jpeg() -> bytes:
    """The default demo image: scikit-image's photo of Chelsea the cat."""
    import skimage.data
    from PIL import Image

    buffer = io.BytesIO()
    Image.fromarray(skimage.data.chelsea()).convert("RGB").save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


def describe_models() -> list[str]:
    lines = []
    for task, (preset, path) in bundle_choices().items():
        manifest = json.loads((path / MANIFEST_NAME).read_text())
        source = manifest.get("source") or {}
        origin = " ".join(
            str(source[k]) for k in ("type", "package", "repo", "version") if source.get(k)
        )
        weights = (manifest.get("quantization") or {}).get("weight_type") or "fp32"
        chosen = (
            "from " + f"{task.upper()}_PRESET"
            if os.environ.get(f"{task.upper()}_PRESET")
            else "default"
        )
        note = ""
        if preset != DEFAULT_PRESETS[task]:
            note = f"  (NOT the offline default {DEFAULT_PRESETS[task]})"
        lines.append(f"  {task:<9} {preset:<26} {weights:<6} [{chosen}] {origin or '?'}{note}")
    return lines


def print_models() -> None:
    print("Models (offline bundles):")
    for line in describe_models():
        print(line)


def timings_table(states: list[StateTiming], result: JobResult | None) -> list[str]:
    lines = [f"  {'state':<16}{'state ms':>10}{'function ms':>13}{'attempts':>10}"]
    steps = {"Caption": "caption", "Translate": "translate", "Speak": "speak"}
    for timing in states:
        function_ms = ""
        step = steps.get(timing.state)
        if result is not None and step in result.durations_ms:
            measured = result.durations_ms[step].function_ms
            function_ms = f"{measured:.1f}" if measured is not None else ""
        attempts = str(timing.attempts) if timing.attempts else ""
        lines.append(f"  {timing.state:<16}{timing.ms:>10.0f}{function_ms:>13}{attempts:>10}")
    return lines


def print_run(run: JobRun, audio_path: Path | None, result_path: Path | None) -> None:
    result = run.result
    print(f"Job {run.job_id}: {run.status} (upload -> done {run.wall_ms:.0f} ms)")
    if result is not None and result.status == "SUCCEEDED":
        print(f"  caption      {result.caption}")
        print(f"  translation  {result.translation}")
        audio = result.audio or {}
        print(
            f"  audio        {audio_path}  ({audio.get('duration_s', 0):.2f} s, "
            f"{audio.get('sample_rate')} Hz; s3 key {result.audio_key})"
        )
    elif result is not None and result.error is not None:
        print(f"  failed step  {result.error.step}")
        print(f"  reason       {result.error.type}: {result.error.reason}")
    print("Per-state timings (execution history):")
    for line in timings_table(run.states, result):
        print(line)
    if result is not None and result.total_ms is not None:
        function_sum = sum((d.function_ms or 0.0) for d in result.durations_ms.values())
        print(
            f"  execution {result.total_ms:.0f} ms, of which model work in the functions "
            f"{function_sum:.0f} ms"
        )
    if result_path is not None:
        print(f"Result document: {result_path}")


def save_outputs(
    pipeline: LocalPipeline, run: JobRun, out: Path
) -> tuple[Path | None, Path | None]:
    """The run's audio and result document saved under `out`: (audio, result), None if absent."""
    if run.result is None:
        return None, None
    result_path = pipeline.save_result(run.result, out)
    audio_path = pipeline.save_audio(run.result, out) if run.result.audio_key else None
    return audio_path, result_path


def print_round_trip(audio_path: Path, translation: str, result_path: Path) -> None:
    """Whisper's transcript of the audio vs the translation, when the ASR bundle is built."""
    from quality.asr import AsrUnavailableError, load_transcriber
    from quality.round_trip import add_quality_to_result, round_trip_quality

    try:
        transcriber = load_transcriber()
    except AsrUnavailableError as exc:
        print(f"Round trip (speech -> text): skipped, {exc}")
        return
    quality = round_trip_quality(transcriber, audio_path.read_bytes(), translation)
    add_quality_to_result(result_path, quality)
    print("Round trip (speech -> text, Whisper base, pt):")
    print(f"  heard        {quality['asr_transcript']}")
    print(
        f"  CER {quality['asr_cer']:.2f}  WER {quality['asr_wer']:.2f} against the translation "
        f"(saved as quality.asr_cer in {result_path.name})"
    )


def demo(args: argparse.Namespace) -> int:
    if args.image:
        path = Path(args.image)
        if not path.is_file():
            print(f"error: no file {path}", file=sys.stderr)
            return 2
        data, name = path.read_bytes(), path.name
    else:
        data, name = chelsea_jpeg(), "chelsea.jpg"
    if args.containers:
        print("Models: the bundles baked into the function images (see the result's models)")
    else:
        print_models()
    started = time.perf_counter()
    with LocalPipeline(quiet=not args.verbose, containers=args.containers) as pipeline:
        print(
            f"Local AWS (moto): bucket s3://{pipeline.bucket}, state machine "
            f"{pipeline.state_machine_arn.rsplit(':', 1)[-1]} from statemachine/pipeline.asl.json"
        )
        if args.containers:
            print(f"Functions: containers under `sam local start-lambda` ({pipeline.functions})")
        else:
            loads = ", ".join(f"{name} {ms:.0f} ms" for name, ms in pipeline.load_ms.items())
            print(f"Function cold starts (import + model load): {loads}")
        print(f"Uploading {name} ({len(data)} bytes): S3 -> SQS -> trigger -> Step Functions")
        run = pipeline.run(data, name, timeout_s=args.timeout)
        audio_path, result_path = save_outputs(pipeline, run, Path(args.out))
        print_run(run, audio_path, result_path)
        if run.result is not None and audio_path is not None and result_path is not None:
            print_round_trip(audio_path, run.result.translation or "", result_path)
        if args.verbose:
            assert pipeline.functions is not None
            for function, text in pipeline.functions.logs:
                print(f"--- {function} log ---\n{text.rstrip()}")
    print(f"Total demo time (setup + run): {time.perf_counter() - started:.1f} s")
    return 0 if run.status == "SUCCEEDED" else 1


class ProgressBar:
    """The map run's counts as a bar on a terminal, else one line per change (logs)."""

    def __init__(self, images: int, stream: TextIO | None = None) -> None:
        self.images = images
        self.stream = stream or sys.stderr
        self.last = ""

    def __call__(self, status: BatchStatus, elapsed_s: float) -> None:
        progress = status.progress
        # moto counts items as they start; AWS once listed: never below what was uploaded.
        total = max(progress.total, self.images) if progress else self.images
        done = (
            (progress.succeeded + progress.failed + progress.aborted + progress.timed_out)
            if progress
            else 0
        )
        failed = progress.failed if progress else 0
        text = f"{done}/{total} done, {failed} failed  {elapsed_s:5.1f} s"
        if not self.stream.isatty():
            if text.split("  ")[0] != self.last.split("  ")[0]:
                self.stream.write(f"  {text}\n")
            self.last = text
            return
        width = 30
        filled = int(width * done / total) if total else 0
        self.stream.write(f"\r  [{'#' * filled}{'.' * (width - filled)}] {text}")
        self.stream.flush()
        self.last = text

    def close(self) -> None:
        if self.stream.isatty():
            self.stream.write("\n")


def batch(args: argparse.Namespace) -> int:
    folder = Path(args.dir)
    if not folder.is_dir():
        print(f"error: {folder} is not a folder", file=sys.stderr)
        return 2
    scan = scan_folder(folder, folder_prefix(folder))
    print_skipped(scan.skipped)
    if not scan.images:
        print(f"error: no images to run in {folder}", file=sys.stderr)
        return 2
    print_models()
    # The services log as they would in a function (JSON lines): not for this terminal.
    logger.setLevel(logging.WARNING)
    with LocalPipeline(quiet=True) as pipeline:
        print(
            f"Uploading {len(scan.images)} image(s) to s3://{pipeline.bucket}/"
            f"{folder_prefix(folder)}; batch state machine (statemachine/batch.asl.json, "
            f"MaxConcurrency {pipeline.parameter('BatchMaxConcurrency')}):"
        )
        bar = ProgressBar(len(scan.images))
        try:
            report = run_batch(
                pipeline, folder, Path(args.out), timeout_s=args.timeout, on_progress=bar, scan=scan
            )
        finally:
            bar.close()
    print_report(report)
    if args.csv:
        Path(args.csv).parent.mkdir(parents=True, exist_ok=True)
        Path(args.csv).write_bytes((report.summary_dir / "summary.csv").read_bytes())
        print(f"CSV copied to {args.csv}")
    counts = report.summary.counts
    return 0 if report.status == "SUCCEEDED" and counts.failed == 0 else 1


def print_skipped(skipped: list[SkippedFile]) -> None:
    if not skipped:
        return
    print(f"Skipped {len(skipped)} file(s):")
    for entry in skipped:
        print(f"  {entry.path}: {entry.reason}")


TABLE_ROWS = 40


def print_report(report: BatchReport) -> None:
    summary = report.summary
    header = f"{'file':<28} {'status':<10} {'ms':>6}  {'caption / error':<44} translation"
    print(header)
    print("-" * len(header))
    for item in summary.items[:TABLE_ROWS]:
        print(_table_row(item, summary.prefix))
    if len(summary.items) > TABLE_ROWS:
        print(f"... {len(summary.items) - TABLE_ROWS} more rows in the CSV")
    counts = summary.counts
    finished = counts.succeeded + counts.failed - counts.no_result
    rate = finished / report.elapsed_s if report.elapsed_s > 0 else 0.0
    print(
        f"Batch {report.batch_id}: {report.status}. {summary.reason} "
        f"{finished} image(s) finished in {report.elapsed_s:.1f} s ({rate:.2f} images/s)."
    )
    if report.timed_out:
        print("Timed out: the batch was stopped; the summary holds what had finished.")
    folder = report.summary_dir
    print(f"Summary: {folder / 'summary.csv'} and summary.json; audio in {folder / 'audio'}")


def _table_row(item: BatchItem, prefix: str) -> str:
    def cut(text: str, width: int) -> str:
        return text if len(text) <= width else text[: width - 1] + "…"

    text = item.caption or item.error or ""
    ms = f"{item.total_ms:.0f}" if item.total_ms is not None else ""
    name = item.key.removeprefix(prefix)
    return (
        f"{cut(name, 28):<28} {item.status:<10} {ms:>6}  {cut(text, 44):<44} "
        f"{cut(item.translation or '', 50)}"
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m pipeline_local",
        description="Run the image -> caption -> pt-BR -> speech pipeline locally on moto.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    demo_parser = commands.add_parser("demo", help="one image through the whole pipeline")
    demo_parser.add_argument("--image", help="your own image (default: scikit-image's chelsea)")
    demo_parser.add_argument(
        "--containers", action="store_true", help="invoke the functions in their containers"
    )
    demo_parser.add_argument("--verbose", action="store_true", help="show the functions' logs")
    batch_parser = commands.add_parser(
        "batch", help="every image of a folder through the batch state machine (Distributed Map)"
    )
    batch_parser.add_argument("dir", help="folder of .jpg/.jpeg/.png/.webp files (subfolders too)")
    batch_parser.add_argument("--csv", help="also copy the summary CSV here")
    for sub in (demo_parser, batch_parser):
        sub.add_argument(
            "--out", default="build/demo", help="where audio and results go (default: build/demo)"
        )
    demo_parser.add_argument("--timeout", type=float, default=300.0, help="seconds to wait")
    batch_parser.add_argument(
        "--timeout",
        type=float,
        default=900.0,
        help="seconds to wait; then the batch stops and the summary holds what finished",
    )
    operations.add_commands(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command in operations.COMMANDS:
        return operations.main(args)
    try:
        return demo(args) if args.command == "demo" else batch(args)
    except (LocalPipelineError, ContainersUnavailableError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
