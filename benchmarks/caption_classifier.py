"""caption/efficientnet-lite0: ONNX int8 and fp32 against the PyTorch paths a user could pick.

PyTorch baselines: eager; TorchScript traced + `torch.jit.freeze`, loaded and passed through
`torch.jit.optimize_for_inference` (model_build.efficientnet_lite.export_torchscript); and
`torch.compile` (Inductor, with its `freezing` option for inference, needs gcc). Each variant runs
in fresh subprocesses (several rounds, interleaved) so that import state, the allocator and a
noisy neighbour affect every variant alike. Per image we time what a request pays: decode the
JPEG, preprocess, run the model (CaptionResult.ms for the ONNX captioner; the same decode +
preprocess + forward for PyTorch). All variants use the same thread count (torch: intra-op =
onnxruntime's, inter-op 1) and no spin-waiting (onnxruntime: the project's allow_spinning=0;
torch's OpenMP: OMP_WAIT_POLICY=PASSIVE, without which 2 torch threads on a busy 2-core host
ran ~10x slower than 1).

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
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .stats import load_average, peak_rss_mb, percentile

PRESET = "efficientnet-lite0"
VARIANTS = ("onnx-int8", "onnx-fp32", "torch-eager", "torch-script", "torch-compile")
TORCH_VARIANTS = ("torch-eager", "torch-script", "torch-compile")
PHOTOS = ("chelsea", "coffee", "astronaut", "rocket")
ROUNDS = 3  # fresh processes per variant
RUNS = 60  # timed images per process, after WARMUP
WARMUP = 5
ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "build" / "bench"
TORCHSCRIPT = BENCH / "torchscript" / "efficientnet-lite0-frozen.pt"
INDUCTOR_CACHE = BENCH / "torchinductor"  # torch.compile's on-disk cache, ours alone


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


@dataclass
class Runner:
    """What a variant needs to classify: the forward pass, preprocessing and labels, and what
    getting there cost (import ms, load ms)."""

    infer: Callable[[Any], Any]
    spec: dict[str, Any]
    labels: list[str]
    import_ms: float
    load_ms: float


def onnx_runner(variant: str, threads: int) -> Runner:
    started = time.perf_counter()
    import onnxruntime  # noqa: F401  (imported here so import_ms counts it, as torch's)
    from image_to_speech.inference.classifier_captioner import ClassifierCaptioner
    from image_to_speech.inference.loaders import load_captioner

    import_ms = (time.perf_counter() - started) * 1000
    captioner = load_captioner(bundle_dir(variant), threads=threads)
    assert isinstance(captioner, ClassifierCaptioner)

    def infer(tensor: Any) -> Any:
        feeds = {captioner.input_name: tensor}
        return captioner.session.run([captioner.output_name], feeds)[0][0]

    return Runner(infer, captioner.preprocessing, captioner.labels, import_ms, captioner.load_ms)


def torch_model(variant: str) -> Any:
    """The model as each PyTorch variant runs it; torch-compile compiles at its first call,
    made here so that the load time counts the compilation."""
    import torch

    from model_build.efficientnet_lite import INPUT_SIZE, load_pretrained

    if variant == "torch-script":
        return torch.jit.optimize_for_inference(torch.jit.load(str(TORCHSCRIPT)))
    model: Any = load_pretrained()
    if variant == "torch-compile":
        import torch._inductor.config as inductor_config

        inductor_config.freezing = True  # weights as constants, prepacked: CPU inference mode
        model = torch.compile(model)
        with torch.inference_mode():
            model(torch.zeros(1, 3, INPUT_SIZE, INPUT_SIZE))
    return model


def torch_runner(variant: str, threads: int) -> Runner:
    started = time.perf_counter()
    import torch

    import model_build.efficientnet_lite  # noqa: F401  (its import is torch's cost too)

    import_ms = (time.perf_counter() - started) * 1000
    # Same thread budget as onnxruntime; one inter-op thread like session_options().
    torch.set_num_threads(threads)
    torch.set_num_interop_threads(1)
    loaded = time.perf_counter()
    model = torch_model(variant)
    bundle = bundle_dir("onnx-fp32")  # same preprocessing config and labels as the ONNX
    config = json.loads((bundle / "manifest.json").read_text())["config"]
    labels = json.loads((bundle / config["labels_file"]).read_text())
    load_ms = (time.perf_counter() - loaded) * 1000

    def infer(tensor: Any) -> Any:
        with torch.inference_mode():
            return model(torch.from_numpy(tensor))[0].numpy()

    return Runner(infer, config["preprocessing"], labels, import_ms, load_ms)


def measure(variant: str, threads: int, runs: int) -> dict[str, Any]:
    """One variant in this process: import, load, then timed images. Returns JSON-able stats."""
    import numpy as np
    from image_to_speech.inference import images
    from image_to_speech.inference.classifier_captioner import preprocess

    jpegs = photo_jpegs()  # before the clock: not part of any variant's cost
    make = torch_runner if variant in TORCH_VARIANTS else onnx_runner
    runner = make(variant, threads)

    def classify(data: bytes) -> tuple[str, float, float]:
        """Top-1 label, end-to-end ms (decode + preprocess + model) and model-only ms."""
        begin = time.perf_counter()
        tensor = preprocess(images.decode_image(data), runner.spec)
        ready = time.perf_counter()
        logits = runner.infer(tensor)
        done = time.perf_counter()
        label = runner.labels[int(np.argmax(logits))]
        return label, (done - begin) * 1000, (done - ready) * 1000

    top1 = {name: classify(data)[0] for name, data in jpegs}
    for index in range(WARMUP):
        classify(jpegs[index % len(jpegs)][1])
    timed = [classify(jpegs[index % len(jpegs)][1]) for index in range(runs)]
    return {
        "variant": variant,
        "threads": threads,
        "import_ms": runner.import_ms,
        "load_ms": runner.load_ms,
        "ms": [total for _, total, _ in timed],
        "model_ms": [model_only for _, _, model_only in timed],
        "top1": top1,
        "peak_rss_mb": peak_rss_mb(),
    }


def prepare() -> None:
    """The frozen TorchScript file, once (build/bench, never build/models)."""
    if TORCHSCRIPT.is_file():
        return
    code = (
        "import sys; from pathlib import Path; "
        "from model_build.efficientnet_lite import export_torchscript; "
        "export_torchscript(Path(sys.argv[1]))"
    )
    subprocess.run(
        [sys.executable, "-c", code, str(TORCHSCRIPT)], cwd=ROOT, env=worker_env(), check=True
    )


def worker_env() -> dict[str, str]:
    # The runtime lives in layers/shared (the Lambda layer): make it importable as `make` does.
    paths = [str(ROOT / "layers" / "shared"), str(ROOT), os.environ.get("PYTHONPATH", "")]
    return {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(p for p in paths if p),
        "OMP_WAIT_POLICY": "PASSIVE",  # torch's OpenMP pool: no spin-wait, like onnxruntime's
        "TORCHINDUCTOR_CACHE_DIR": str(INDUCTOR_CACHE),
    }


def run_in_subprocess(variant: str, threads: int, runs: int) -> dict[str, Any]:
    command = [sys.executable, "-m", "benchmarks.caption_classifier", "--variant", variant,
               "--threads", str(threads), "--runs", str(runs)]  # fmt: skip
    result = subprocess.run(
        command, cwd=ROOT, env=worker_env(), capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{result.stderr[-3000:]}")
    return dict(json.loads(result.stdout.strip().splitlines()[-1]))


def model_size_mb(variant: str) -> str:
    if variant == "torch-script":
        return f"{TORCHSCRIPT.stat().st_size / 1e6:.1f} (.pt)"
    if variant in TORCH_VARIANTS:
        from model_build.efficientnet_lite import weights_path

        return f"{weights_path().stat().st_size / 1e6:.1f} (.pth)"
    return f"{(bundle_dir(variant) / 'model.onnx').stat().st_size / 1e6:.1f}"


def variant_rows(
    results: dict[str, list[dict[str, Any]]], threads: int
) -> tuple[list[str], dict[str, float], dict[str, float]]:
    """Table rows, and the medians per variant: end to end, and the model alone."""
    rows, medians, model_medians = [], {}, {}
    reference = results["torch-eager"][0]["top1"]
    for variant in VARIANTS:
        samples = [ms for process in results[variant] for ms in process["ms"]]
        per_process = [statistics.median(process["ms"]) for process in results[variant]]
        medians[variant] = statistics.median(samples)
        model_only = [ms for process in results[variant] for ms in process["model_ms"]]
        model_medians[variant] = statistics.median(model_only)
        load = statistics.median(process["load_ms"] for process in results[variant])
        imports = statistics.median(process["import_ms"] for process in results[variant])
        rss = max(process["peak_rss_mb"] for process in results[variant])
        top1 = results[variant][0]["top1"]
        agree = sum(top1[name] == reference[name] for name in PHOTOS)
        rows.append(
            f"| {threads} | {variant} | {medians[variant]:.1f} | "
            f"{percentile(samples, 0.95):.1f} | {min(per_process):.1f}-{max(per_process):.1f} | "
            f"{model_medians[variant]:.1f} | {percentile(model_only, 0.95):.1f} | "
            f"{load:.0f} | {imports:.0f} | {rss:.0f} | {model_size_mb(variant)} | "
            f"{agree}/{len(PHOTOS)} |"
        )
    return rows, medians, model_medians


def ratio_line(threads: int, medians: dict[str, float], model_medians: dict[str, float]) -> str:
    int8 = medians["onnx-int8"]
    fastest = min(TORCH_VARIANTS, key=lambda variant: medians[variant])
    return (
        f"- {threads} thread(s): ONNX int8 is {medians['onnx-fp32'] / int8:.2f}x ONNX fp32's "
        f"speed; against PyTorch it is {medians['torch-eager'] / int8:.2f}x eager, "
        f"{medians['torch-script'] / int8:.2f}x TorchScript frozen and "
        f"{medians['torch-compile'] / int8:.2f}x torch.compile. The fastest PyTorch path here "
        f"is {fastest} ({medians['torch-eager'] / medians[fastest]:.2f}x eager); model alone, "
        f"int8 is {model_medians[fastest] / model_medians['onnx-int8']:.2f}x it and ONNX fp32 "
        f"{model_medians[fastest] / model_medians['onnx-fp32']:.2f}x it."
    )


def run(threads: int | None = None, rounds: int = ROUNDS, runs: int = RUNS) -> str:
    from image_to_speech.inference.session import available_cpus

    prepare()
    load_start = load_average()
    # Every vCPU (as the Lambda function uses) and 1 thread (robust when the host is busy).
    thread_counts = [threads] if threads else sorted({1, available_cpus()})
    rows, ratios, compile_loads, labels = [], [], [], {}
    for count in thread_counts:
        results: dict[str, list[dict[str, Any]]] = {variant: [] for variant in VARIANTS}
        for _ in range(rounds):  # interleaved: int8, fp32, eager, script, compile, int8, ...
            for variant in VARIANTS:
                results[variant].append(run_in_subprocess(variant, count, runs))
        count_rows, medians, model_medians = variant_rows(results, count)
        rows += count_rows
        ratios.append(ratio_line(count, medians, model_medians))
        loads = [f"{process['load_ms'] / 1000:.0f}" for process in results["torch-compile"]]
        compile_loads.append(f"{count} thread(s): {', '.join(loads)} s")
        labels = results["onnx-int8"][0]["top1"]
    return "\n".join(
        [
            "## caption / efficientnet-lite0 (classifier captioner)",
            "",
            "Per image: JPEG decode + preprocess + model (model-only: the forward pass alone), "
            "the same thread count for every variant (torch: intra-op threads = onnxruntime's, "
            "1 inter-op thread; no spin-waiting in either: onnxruntime's allow_spinning=0 as "
            "deployed, OMP_WAIT_POLICY=PASSIVE for torch); "
            f"{rounds} fresh processes per variant (interleaved), {runs} timed images "
            f"each after {WARMUP} warm-up, cycling through skimage photos {list(PHOTOS)}. "
            "PyTorch paths: eager; TorchScript traced, `torch.jit.freeze`d, saved, then "
            "`torch.jit.load` + `torch.jit.optimize_for_inference`; `torch.compile` (Inductor, "
            "`freezing` on, default mode). Load = bundle sha256 verify + onnxruntime session "
            "(ONNX), model build + state_dict load (eager), load + optimize (TorchScript), or "
            "build + compilation at the first call (compile); import = the runtime's imports.",
            "",
            "| threads | variant | median ms | p95 ms | per-process medians | model-only median "
            "ms | model-only p95 ms | load ms | import ms | peak RSS MB | model MB | "
            "same top-1 as PyTorch eager |",
            "|---|---|---|---|---|---|---|---|---|---|---|---|",
            *rows,
            "",
            "Ratios of medians (speed, higher = ONNX faster):",
            "",
            *ratios,
            "",
            "torch.compile load per process (the first one compiles from scratch, later ones "
            f"reuse Inductor's on-disk cache): {'; '.join(compile_loads)}.",
            "",
            "int8 top-1 labels: " + ", ".join(f"{name}: {labels[name]}" for name in PHOTOS),
            "",
            f"Load average (1/5/15 min) at start: {load_start}; at end: {load_average()} "
            "(2 cores, shared with other work: compare the ratios, which were measured side by "
            "side, not the absolute times).",
            "",
            "Command: `python -m benchmarks caption_classifier` (one variant: "
            "`python -m benchmarks.caption_classifier --variant torch-script --threads 2`).",
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
