"""caption/efficientnet-lite0: ONNX int8 vs ONNX fp32 vs PyTorch fp32, side by side.

Each variant runs in fresh subprocesses (several rounds, interleaved) so that import state, the
allocator and a noisy neighbour affect every variant alike. Per image we time what a request
pays: decode the JPEG, preprocess, run the model (CaptionResult.ms for the ONNX captioner; the
same decode + preprocess + forward for PyTorch). All variants use the same thread count.

`python -m benchmarks caption_classifier` runs it; one variant alone:
`python -m benchmarks.caption_classifier --variant onnx-int8 --threads 2 --runs 50`.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from .stats import peak_rss_mb, percentile

PRESET = "efficientnet-lite0"
VARIANTS = ("onnx-int8", "onnx-fp32", "torch-fp32")
PHOTOS = ("chelsea", "coffee", "astronaut", "rocket")
ROUNDS = 3  # fresh processes per variant
RUNS = 60  # timed images per process, after WARMUP
WARMUP = 5
ROOT = Path(__file__).resolve().parent.parent


def bundle_dir(variant: str) -> Path:
    from image_to_speech.inference.bundle import MANIFEST_NAME, models_dir

    name = PRESET if variant == "onnx-int8" else f"{PRESET}-fp32"
    path = models_dir() / "caption" / name
    if not (path / MANIFEST_NAME).is_file():
        raise RuntimeError(f"bundle {path} is missing: run `make models` first")
    return path


def photo_jpegs() -> list[tuple[str, bytes]]:
    import io

    import skimage.data
    from PIL import Image

    jpegs = []
    for name in PHOTOS:
        buffer = io.BytesIO()
        Image.fromarray(getattr(skimage.data, name)()).convert("RGB").save(buffer, "JPEG")
        jpegs.append((name, buffer.getvalue()))
    return jpegs


def measure(variant: str, threads: int, runs: int) -> dict[str, Any]:
    """One variant in this process: import, load, then timed images. Returns JSON-able stats."""
    jpegs = photo_jpegs()  # before the clock: not part of any variant's cost
    started = time.perf_counter()
    if variant.startswith("onnx"):
        import numpy as np
        import onnxruntime  # noqa: F401  (imported here so import_ms counts it, as torch's)
        from image_to_speech.inference import images
        from image_to_speech.inference.classifier_captioner import ClassifierCaptioner, preprocess
        from image_to_speech.inference.loaders import load_captioner

        import_ms = (time.perf_counter() - started) * 1000
        captioner = load_captioner(bundle_dir(variant), threads=threads)
        assert isinstance(captioner, ClassifierCaptioner)
        load_ms = captioner.load_ms
        spec, labels = captioner.preprocessing, captioner.labels

        def infer(tensor: Any) -> Any:
            feeds = {captioner.input_name: tensor}
            return captioner.session.run([captioner.output_name], feeds)[0][0]

    else:
        import numpy as np
        import torch
        from image_to_speech.inference import images
        from image_to_speech.inference.classifier_captioner import preprocess

        from model_build.efficientnet_lite import load_pretrained

        import_ms = (time.perf_counter() - started) * 1000
        # Same thread budget as onnxruntime; one inter-op thread like session_options().
        torch.set_num_threads(threads)
        torch.set_num_interop_threads(1)
        loaded = time.perf_counter()
        model = load_pretrained()
        bundle = bundle_dir("onnx-fp32")  # same preprocessing config and labels as the ONNX
        config = json.loads((bundle / "manifest.json").read_text())["config"]
        spec = config["preprocessing"]
        labels = json.loads((bundle / config["labels_file"]).read_text())
        load_ms = (time.perf_counter() - loaded) * 1000

        def infer(tensor: Any) -> Any:
            with torch.inference_mode():
                return model(torch.from_numpy(tensor))[0].numpy()

    def classify(data: bytes) -> tuple[str, float, float]:
        """Top-1 label, end-to-end ms (decode + preprocess + model) and model-only ms."""
        begin = time.perf_counter()
        tensor = preprocess(images.decode_image(data), spec)
        ready = time.perf_counter()
        logits = infer(tensor)
        done = time.perf_counter()
        return labels[int(np.argmax(logits))], (done - begin) * 1000, (done - ready) * 1000

    top1 = {name: classify(data)[0] for name, data in jpegs}
    for index in range(WARMUP):
        classify(jpegs[index % len(jpegs)][1])
    timed = [classify(jpegs[index % len(jpegs)][1]) for index in range(runs)]
    return {
        "variant": variant,
        "threads": threads,
        "import_ms": import_ms,
        "load_ms": load_ms,
        "ms": [total for _, total, _ in timed],
        "model_ms": [model_only for _, _, model_only in timed],
        "top1": top1,
        "peak_rss_mb": peak_rss_mb(),
    }


def run_in_subprocess(variant: str, threads: int, runs: int) -> dict[str, Any]:
    command = [sys.executable, "-m", "benchmarks.caption_classifier", "--variant", variant,
               "--threads", str(threads), "--runs", str(runs)]  # fmt: skip
    # The runtime lives in layers/shared (the Lambda layer): make it importable as `make` does.
    paths = [str(ROOT / "layers" / "shared"), str(ROOT), os.environ.get("PYTHONPATH", "")]
    environment = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in paths if p)}
    result = subprocess.run(
        command, cwd=ROOT, env=environment, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{result.stderr[-3000:]}")
    return dict(json.loads(result.stdout.strip().splitlines()[-1]))


def model_size_mb(variant: str) -> str:
    if variant == "torch-fp32":
        from model_build.efficientnet_lite import weights_path

        return f"{weights_path().stat().st_size / 1e6:.1f} (.pth)"
    return f"{(bundle_dir(variant) / 'model.onnx').stat().st_size / 1e6:.1f}"


def variant_rows(
    results: dict[str, list[dict[str, Any]]], threads: int
) -> tuple[list[str], dict[str, float]]:
    rows, medians = [], {}
    reference = results["torch-fp32"][0]["top1"]
    for variant in VARIANTS:
        samples = [ms for process in results[variant] for ms in process["ms"]]
        per_process = [statistics.median(process["ms"]) for process in results[variant]]
        medians[variant] = statistics.median(samples)
        model_only = [ms for process in results[variant] for ms in process["model_ms"]]
        load = statistics.median(process["load_ms"] for process in results[variant])
        imports = statistics.median(process["import_ms"] for process in results[variant])
        rss = max(process["peak_rss_mb"] for process in results[variant])
        top1 = results[variant][0]["top1"]
        agree = sum(top1[name] == reference[name] for name in PHOTOS)
        rows.append(
            f"| {threads} | {variant} | {medians[variant]:.1f} | "
            f"{percentile(samples, 0.95):.1f} | {min(per_process):.1f}-{max(per_process):.1f} | "
            f"{statistics.median(model_only):.1f} | {percentile(model_only, 0.95):.1f} | "
            f"{load:.0f} | {imports:.0f} | {rss:.0f} | {model_size_mb(variant)} | "
            f"{agree}/{len(PHOTOS)} |"
        )
    return rows, medians


def run(threads: int | None = None, rounds: int = ROUNDS, runs: int = RUNS) -> str:
    from image_to_speech.inference.session import available_cpus

    # Every vCPU (as the Lambda function uses) and 1 thread (robust when the host is busy).
    thread_counts = [threads] if threads else sorted({1, available_cpus()})
    rows, ratios, labels = [], [], {}
    for count in thread_counts:
        results: dict[str, list[dict[str, Any]]] = {variant: [] for variant in VARIANTS}
        for _ in range(rounds):  # interleaved: int8, fp32, torch, int8, ...
            for variant in VARIANTS:
                results[variant].append(run_in_subprocess(variant, count, runs))
        count_rows, medians = variant_rows(results, count)
        rows += count_rows
        ratios.append(
            f"- {count} thread(s): ONNX int8 is {medians['onnx-fp32'] / medians['onnx-int8']:.2f}x"
            f" ONNX fp32 speed and {medians['torch-fp32'] / medians['onnx-int8']:.2f}x PyTorch "
            f"fp32; ONNX fp32 is {medians['torch-fp32'] / medians['onnx-fp32']:.2f}x PyTorch."
        )
        labels = results["onnx-int8"][0]["top1"]
    return "\n".join(
        [
            "## caption / efficientnet-lite0 (classifier captioner)",
            "",
            "Per image: JPEG decode + preprocess + model (model-only: the forward pass alone), "
            "the same thread count for every "
            f"variant; {rounds} fresh processes per variant (interleaved), {runs} timed images "
            f"each after {WARMUP} warm-up, cycling through skimage photos {list(PHOTOS)}. "
            "Load = bundle sha256 verify + onnxruntime session (ONNX) or model build + "
            "state_dict load (PyTorch); import = the runtime's imports (onnxruntime vs torch).",
            "",
            "| threads | variant | median ms | p95 ms | per-process medians | model-only median "
            "ms | model-only p95 ms | load ms | import ms | peak RSS MB | model MB | "
            "same top-1 as PyTorch |",
            "|---|---|---|---|---|---|---|---|---|---|---|---|",
            *rows,
            "",
            "Ratios of medians:",
            "",
            *ratios,
            "",
            "int8 top-1 labels: " + ", ".join(f"{name}: {labels[name]}" for name in PHOTOS),
            "",
            "Command: `python -m benchmarks caption_classifier` (one variant: "
            "`python -m benchmarks.caption_classifier --variant onnx-int8 --threads 2`).",
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--variant", choices=VARIANTS, help="measure one variant, print JSON")
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--runs", type=int, default=RUNS)
    parser.add_argument("--rounds", type=int, default=ROUNDS)
    args = parser.parse_args()
    if args.variant:
        from image_to_speech.inference.session import available_cpus

        stats = measure(args.variant, args.threads or available_cpus(), args.runs)
        print(json.dumps(stats))
    else:
        print(run(args.threads, args.rounds, args.runs))


if __name__ == "__main__":
    main()
