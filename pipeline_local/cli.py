"""`python -m pipeline_local demo|batch`: the pipeline end to end on moto, printed for people."""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import sys
import time
from pathlib import Path

from image_to_speech.inference.bundle import DEFAULT_PRESETS, MANIFEST_NAME
from image_to_speech.pipeline.results import JobResult

from .containers import ContainersUnavailableError
from .runner import JobRun, LocalPipeline, LocalPipelineError, StateTiming, bundle_choices

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp"}


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
        print("Models (offline bundles):")
        for line in describe_models():
            print(line)
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
        print(f"Uploading {name} ({len(data)} bytes) to uploads/ -> S3 trigger -> Step Functions")
        run = pipeline.run(data, name, timeout_s=args.timeout)
        out = Path(args.out)
        audio_path = None
        result_path = None
        if run.result is not None:
            result_path = pipeline.save_result(run.result, out)
            if run.result.audio_key:
                audio_path = pipeline.save_audio(run.result, out)
        print_run(run, audio_path, result_path)
        if run.result is not None and audio_path is not None and result_path is not None:
            print_round_trip(audio_path, run.result.translation or "", result_path)
        if args.verbose:
            assert pipeline.functions is not None
            for function, text in pipeline.functions.logs:
                print(f"--- {function} log ---\n{text.rstrip()}")
    print(f"Total demo time (setup + run): {time.perf_counter() - started:.1f} s")
    return 0 if run.status == "SUCCEEDED" else 1


_last_progress: list[int] = []


def _progress(done: int, total: int, started: float) -> None:
    if not sys.stderr.isatty():  # a log file gets one line per finished job, not a redraw
        if _last_progress and _last_progress[-1] == done:
            return
        _last_progress.append(done)
        sys.stderr.write(f"  {done}/{total} finished  {time.perf_counter() - started:5.1f} s\n")
        return
    width = 30
    filled = int(width * done / total) if total else width
    bar = "#" * filled + "." * (width - filled)
    sys.stderr.write(f"\r  [{bar}] {done}/{total} finished  {time.perf_counter() - started:5.1f} s")
    sys.stderr.flush()


def batch(args: argparse.Namespace) -> int:
    folder = Path(args.dir)
    files = sorted(
        p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES
    )
    if not files:
        print(f"error: no {', '.join(sorted(IMAGE_SUFFIXES))} files in {folder}", file=sys.stderr)
        return 2
    print("Models (offline bundles):")
    for line in describe_models():
        print(line)
    out = Path(args.out)
    rows = []
    with LocalPipeline(quiet=True) as pipeline:
        started = time.perf_counter()
        jobs = [(path, *pipeline.upload(path.read_bytes(), path.name)) for path in files]
        print(f"Uploaded {len(jobs)} image(s); waiting for the executions:")
        pipeline.wait(
            [job_id for _, job_id, _ in jobs],
            timeout_s=args.timeout,
            on_progress=lambda done, total: _progress(done, total, started),
        )
        elapsed = time.perf_counter() - started
        sys.stderr.write("\n")
        for path, job_id, key in jobs:
            result = pipeline.result(job_id)
            audio = pipeline.save_audio(result, out) if result and result.audio_key else None
            rows.append(_row(path, job_id, key, result, audio))
    _add_round_trip_cer(rows)
    _print_table(rows)
    succeeded = sum(row["status"] == "SUCCEEDED" for row in rows)
    print(
        f"{succeeded}/{len(rows)} succeeded in {elapsed:.1f} s ({len(rows) / elapsed:.2f} images/s)"
    )
    csv_path = Path(args.csv) if args.csv else out / "batch.csv"
    csv_path.parent.mkdir(parents=True, exist_ok=True)
    with csv_path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    print(f"CSV: {csv_path}")
    return 0 if succeeded == len(rows) else 1


def _row(
    path: Path, job_id: str, key: str, result: JobResult | None, audio: Path | None
) -> dict[str, str]:
    def ms(step: str) -> str:
        timing = result.durations_ms.get(step) if result else None
        return f"{timing.function_ms:.1f}" if timing and timing.function_ms is not None else ""

    return {
        "file": path.name,
        "job_id": job_id,
        "status": result.status if result else "NO_RESULT",
        "caption": (result.caption or "") if result else "",
        "translation": (result.translation or "") if result else "",
        "audio": str(audio or ""),
        "total_ms": f"{result.total_ms:.0f}" if result and result.total_ms is not None else "",
        "caption_ms": ms("caption"),
        "translate_ms": ms("translate"),
        "speak_ms": ms("speak"),
        "error_step": result.error.step if result and result.error else "",
        "error": f"{result.error.type}: {result.error.reason}" if result and result.error else "",
    }


def _add_round_trip_cer(rows: list[dict[str, str]]) -> None:
    """Fill each row's asr_cer (Whisper's transcript of its audio vs its translation)."""
    from quality.asr import AsrUnavailableError, load_transcriber
    from quality.round_trip import round_trip_quality

    for row in rows:
        row["asr_cer"] = ""
    if not any(row["audio"] for row in rows):
        return
    try:
        transcriber = load_transcriber()
    except AsrUnavailableError as exc:
        print(f"Round trip CER skipped: {exc}")
        return
    for row in rows:
        if row["audio"] and row["translation"]:
            quality = round_trip_quality(
                transcriber, Path(row["audio"]).read_bytes(), row["translation"]
            )
            row["asr_cer"] = f"{quality['asr_cer']:.2f}"


def _print_table(rows: list[dict[str, str]]) -> None:
    def cut(text: str, width: int) -> str:
        return text if len(text) <= width else text[: width - 1] + "…"

    header = (
        f"{'file':<22} {'status':<10} {'ms':>6} {'CER':>5}  {'caption / error':<44} translation"
    )
    print(header)
    print("-" * len(header))
    for row in rows:
        text = row["caption"] or row["error"]
        print(
            f"{cut(row['file'], 22):<22} {row['status']:<10} {row['total_ms']:>6} "
            f"{row.get('asr_cer', ''):>5}  "
            f"{cut(text, 44):<44} {cut(row['translation'], 50)}"
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
    batch_parser = commands.add_parser("batch", help="every image of a folder, concurrently")
    batch_parser.add_argument("dir", help="folder with .jpg/.jpeg/.png/.webp files")
    batch_parser.add_argument("--csv", help="CSV to write (default: OUT/batch.csv)")
    for sub in (demo_parser, batch_parser):
        sub.add_argument(
            "--out", default="build/demo", help="where audio and results go (default: build/demo)"
        )
        sub.add_argument("--timeout", type=float, default=300.0, help="seconds to wait")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return demo(args) if args.command == "demo" else batch(args)
    except (LocalPipelineError, ContainersUnavailableError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
