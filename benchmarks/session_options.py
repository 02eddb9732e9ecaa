"""onnxruntime session options, measured on the real offline bundles of every function.

For each bundle (caption efficientnet-lite0, translate bergamot-tiny-en-pt, speak
piper-en_US-joe-medium) and each option variant, fresh subprocesses (interleaved, REPS rounds)
measure: `import onnxruntime`, bundle load split into sha256 verification and session creation,
then per-request latency (wall and process CPU) of the real runtime classes after one warm-up
pass. Variants are applied on top of what inference/session.py (and the bundle's manifest) would
do, by wrapping `onnxruntime.InferenceSession` in the child process, so every loader (including
Bergamot's own options) is measured as shipped, with only the one option changed.

Pre-optimized variants save each graph of the bundle once (build/cache/session_options/...),
with the bundle's own options, then load the saved file instead of the bundle's .onnx:
- preopt-all: saved at ENABLE_ALL, loaded with optimizations disabled (hardware specific);
- preopt-ext: saved at ENABLE_EXTENDED, loaded at ENABLE_ALL (portable);
- ort-format: ORT format (.ort) saved at ENABLE_EXTENDED, loaded at ENABLE_ALL.

`python -m benchmarks session_options`; SESSION_OPTIONS_REPS (default 3),
SESSION_OPTIONS_BUNDLES (e.g. "caption,speak") and SESSION_OPTIONS_VARIANTS (e.g.
"threads=1,spin-off"; `default` is always measured) narrow a run; SESSION_OPTIONS_CPU_QUOTA
(e.g. 1.16) runs the children under a Lambda-like CPU quota.
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

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / "build" / "cache" / "session_options"
REPS = int(os.environ.get("SESSION_OPTIONS_REPS", 3))
# e.g. "1.16": run every child under a CPU quota of that many cores (see make_quota_cgroup).
CPU_QUOTA = float(os.environ.get("SESSION_OPTIONS_CPU_QUOTA", 0))
QUOTA_CGROUP = Path("/sys/fs/cgroup/cpu/session_options_bench")
# task -> preset: the offline bundles the functions ship by default.
BUNDLES = {
    "caption": "efficientnet-lite0",
    "translate": "bergamot-tiny-en-pt",
    "speak": "piper-en_US-joe-medium",
}
# name -> changes on top of session.py's defaults + the bundle's config["session"].
VARIANTS: dict[str, dict[str, Any]] = {
    "default": {},
    "threads=1": {"threads": 1},
    "threads=2": {"threads": 2},
    "spin-on": {"spin": True},
    "spin-off": {"spin": False},
    "threads=2 spin-on": {"threads": 2, "spin": True},
    "threads=2 spin-off": {"threads": 2, "spin": False},
    "extended": {"level": "extended"},
    "basic": {"level": "basic"},
    "arena-off": {"arena": False},
    "mem-reuse-on": {"reuse": True},
    "mem-reuse-off": {"reuse": False},
    "preopt-all": {"model": "preopt-all"},
    "preopt-ext": {"model": "preopt-ext"},
    "ort-format": {"model": "ort-format"},
}
# How each pre-optimized kind is saved: (file suffix, level when saving, level when loading).
SAVED_MODELS = {
    "preopt-all": (".all.onnx", "all", "disable"),
    "preopt-ext": (".ext.onnx", "extended", "all"),
    "ort-format": (".ext.ort", "extended", "all"),
}
CAPTION_PHOTOS = ("chelsea", "coffee", "astronaut", "rocket")
TRANSLATE_TEXTS = (
    "A cat sitting on a wooden table.",
    "A man riding a bicycle down a busy street next to a red bus.",
    "Two dogs are playing in the snow near a large tree.",
)
SPEAK_TEXTS = (
    "Um gato sentado em cima de uma mesa de madeira.",
    "Dois cachorros brincando na neve.",
)


def cached_model(task: str, preset: str, kind: str, model_path: str) -> Path:
    suffix = SAVED_MODELS[kind][0]
    return CACHE / task / preset / kind / (Path(model_path).stem + suffix)


# -- child process ----------------------------------------------------------------------------
def patch_sessions(task: str, preset: str, variant: dict[str, Any], save: str | None) -> list:
    """Wrap ort.InferenceSession: apply the variant, time creation. Returns the timings list."""
    import onnxruntime as ort
    from image_to_speech.inference.session import GRAPH_OPTIMIZATION_LEVELS

    timings: list[float] = []
    base = ort.InferenceSession

    class MeasuredSession(base):  # type: ignore[misc, valid-type]
        def __init__(self, path: Any, sess_options: Any = None, **kwargs: Any) -> None:
            options = sess_options or ort.SessionOptions()
            path = str(path)
            if "spin" in variant:
                options.add_session_config_entry(
                    "session.intra_op.allow_spinning", "1" if variant["spin"] else "0"
                )
            if "level" in variant:
                options.graph_optimization_level = GRAPH_OPTIMIZATION_LEVELS[variant["level"]]
            if "arena" in variant:
                options.enable_cpu_mem_arena = variant["arena"]
            if "reuse" in variant:
                options.enable_mem_reuse = variant["reuse"]
            kind = save or variant.get("model")
            if kind:
                _, save_level, load_level = SAVED_MODELS[kind]
                target = cached_model(task, preset, kind, path)
                if save:  # preparation run: write the optimized graph next to nothing else
                    target.parent.mkdir(parents=True, exist_ok=True)
                    options.optimized_model_filepath = str(target)
                    options.graph_optimization_level = GRAPH_OPTIMIZATION_LEVELS[save_level]
                    if kind == "ort-format":
                        options.add_session_config_entry("session.save_model_format", "ORT")
                else:
                    path = str(target)
                    options.graph_optimization_level = GRAPH_OPTIMIZATION_LEVELS[load_level]
            started = time.perf_counter()
            super().__init__(path, sess_options=options, **kwargs)
            timings.append((time.perf_counter() - started) * 1000)
            if save:  # graphs with external weights (Bergamot's weights.bin) keep referring to them
                for side_file in Path(path).parent.iterdir():
                    copy = cached_model(task, preset, save, path).parent / side_file.name
                    if side_file.suffix not in (".onnx", ".json") and not copy.exists():
                        os.link(side_file, copy)

    ort.InferenceSession = MeasuredSession
    return timings


def workload(task: str) -> tuple[Any, list[Any]]:
    """(loader, request arguments) for a task; inputs are prepared before anything is timed."""
    if task == "caption":
        import io

        import skimage.data
        from PIL import Image

        photos = []
        for name in CAPTION_PHOTOS:
            buffer = io.BytesIO()
            Image.fromarray(getattr(skimage.data, name)()).convert("RGB").save(buffer, "JPEG")
            photos.append(buffer.getvalue())
        return "caption", photos
    return task, list(TRANSLATE_TEXTS if task == "translate" else SPEAK_TEXTS)


def child(task: str, preset: str, variant_name: str, save: str | None) -> dict[str, Any]:
    variant = {} if save else VARIANTS[variant_name]
    _, inputs = workload(task)
    started = time.perf_counter()
    import onnxruntime  # noqa: F401  (timed: part of every cold start)

    import_ms = (time.perf_counter() - started) * 1000
    timings = patch_sessions(task, preset, variant, save)
    from image_to_speech.inference.bundle import models_dir

    bundle_dir = models_dir() / task / preset
    threads = variant.get("threads")
    started = time.perf_counter()
    if task == "caption":
        from image_to_speech.inference.loaders import load_captioner

        model: Any = load_captioner(bundle_dir, threads=threads)
        request = lambda x: model.caption(x).caption  # noqa: E731
    elif task == "translate":
        from image_to_speech.inference.loaders import load_translator

        model = load_translator(bundle_dir, threads=threads)
        request = lambda x: model.translate(x).text  # noqa: E731
    else:
        from image_to_speech.inference.loaders import load_synthesizer

        model = load_synthesizer(bundle_dir, threads=threads)
        # Output is random (VITS noise): report the audio length only.
        request = lambda x: round(model.synthesize(x).duration_s, 1)  # noqa: E731
    load_ms = (time.perf_counter() - started) * 1000
    outputs = [request(x) for x in inputs]  # warm-up pass
    wall, cpu = [], []
    for _ in range(3 if task == "speak" else 5):
        for x in inputs:
            started, cpu_started = time.perf_counter(), time.process_time()
            request(x)
            wall.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - cpu_started) * 1000)
    return {
        "import_ms": import_ms,
        "load_ms": load_ms,
        "verify_ms": model.bundle.verify_ms,
        "session_ms": sum(timings),
        "wall_ms": wall,
        "cpu_ms": cpu,
        "outputs": outputs if task != "speak" else None,
        "peak_rss_mb": peak_rss_mb(),
    }


# -- parent -----------------------------------------------------------------------------------
def in_subprocess(task: str, preset: str, variant: str, save: str | None = None) -> dict[str, Any]:
    command = [sys.executable, "-m", "benchmarks.session_options", "--child", task, preset,
               variant] + (["--save", save] if save else [])  # fmt: skip
    paths = [str(ROOT / "layers" / "shared"), str(ROOT), os.environ.get("PYTHONPATH", "")]
    environment = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in paths if p)}
    for variable in ("ORT_THREADS", "ORT_ALLOW_SPINNING"):  # measure the code's defaults
        environment.pop(variable, None)
    result = subprocess.run(
        command,
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
        preexec_fn=enter_quota_cgroup if CPU_QUOTA else None,
    )
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{result.stderr[-3000:]}")
    return dict(json.loads(result.stdout.strip().splitlines()[-1]))


def enter_quota_cgroup() -> None:
    """Runs in the child before exec: join the CPU-quota cgroup (Lambda-like CPU share)."""
    (QUOTA_CGROUP / "tasks").write_text(str(os.getpid()))


def make_quota_cgroup(cpus: float) -> None:
    """A cgroup v1 CPU quota of `cpus` cores: Lambda gives CPU time in proportion to memory
    (1769 MB = 1 vCPU: caption/translate 2048 MB ~ 1.16, speak 3008 MB ~ 1.7) while showing
    2 vCPUs, so spinning threads can use up the share. Needs root and cgroup v1's cpu."""
    QUOTA_CGROUP.mkdir(exist_ok=True)
    (QUOTA_CGROUP / "cpu.cfs_period_us").write_text("100000")
    (QUOTA_CGROUP / "cpu.cfs_quota_us").write_text(str(round(cpus * 100000)))


def load_average() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "?"


def bundle_table(task: str, preset: str, results: dict[str, list[dict[str, Any]]]) -> list[str]:
    def med(variant: str, key: str) -> float:
        return statistics.median(process[key] for process in results[variant])

    def requests(variant: str, key: str = "wall_ms") -> list[float]:
        return [ms for process in results[variant] for ms in process[key]]

    base_load = med("default", "load_ms")
    base_request = statistics.median(requests("default"))
    reference = results["default"][0]["outputs"]
    lines = [
        f"#### {task} / {preset}",
        "",
        "| variant | verify ms | session ms | load ms | load vs default | request median ms "
        "| p95 ms | CPU median ms | request vs default | peak RSS MB | same output |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for variant in results:
        wall = requests(variant)
        same = (
            "n/a (random)"
            if reference is None
            else ("yes" if all(p["outputs"] == reference for p in results[variant]) else "NO")
        )
        lines.append(
            f"| {variant} | {med(variant, 'verify_ms'):.0f} | {med(variant, 'session_ms'):.0f} | "
            f"{med(variant, 'load_ms'):.0f} | {med(variant, 'load_ms') / base_load:.2f}x | "
            f"{statistics.median(wall):.1f} | {percentile(wall, 0.95):.1f} | "
            f"{statistics.median(requests(variant, 'cpu_ms')):.1f} | "
            f"{statistics.median(wall) / base_request:.2f}x | "
            f"{max(p['peak_rss_mb'] for p in results[variant]):.0f} | {same} |"
        )
    imports = [p["import_ms"] for r in results.values() for p in r]
    lines += ["", f"`import onnxruntime`: median {statistics.median(imports):.0f} ms.", ""]
    return lines


def selected(names: list[str], variable: str) -> list[str]:
    """`names` kept by a comma-separated environment variable (unset or empty: all of them)."""
    chosen = os.environ.get(variable, "").split(",")
    return [name for name in names if not chosen[0] or name in chosen]


def measure_bundle(task: str, preset: str, variants: list[str]) -> dict[str, list[dict[str, Any]]]:
    """REPS fresh child processes per variant, interleaved so drift hits every variant alike."""
    for kind in SAVED_MODELS:  # build the pre-optimized graphs once, with the bundle's options
        if kind in variants:
            in_subprocess(task, preset, "default", save=kind)
    results: dict[str, list[dict[str, Any]]] = {v: [] for v in variants}
    for _ in range(REPS):
        for variant in variants:
            results[variant].append(in_subprocess(task, preset, variant))
    return results


def run() -> str:
    from image_to_speech.inference.session import available_cpus

    bundles = {t: BUNDLES[t] for t in selected(list(BUNDLES), "SESSION_OPTIONS_BUNDLES")}
    chosen = selected(list(VARIANTS), "SESSION_OPTIONS_VARIANTS")
    variants = [v for v in VARIANTS if v == "default" or v in chosen]
    if CPU_QUOTA:
        make_quota_cgroup(CPU_QUOTA)
    quota = f" CPU quota {CPU_QUOTA} cores (cgroup);" if CPU_QUOTA else ""
    lines = [
        "### onnxruntime session options",
        "",
        f"{REPS} fresh processes per variant and bundle, interleaved; {available_cpus()} vCPUs "
        f"visible;{quota} load = sha256 verify + session creation (+ small side files); ratios "
        f"are against `default` (session.py + the bundle's manifest `config.session`). Load "
        f"average at start: {load_average()}.",
        "",
    ]
    for task, preset in bundles.items():
        lines += bundle_table(task, preset, measure_bundle(task, preset, variants))
    lines.append(f"Load average at end: {load_average()}.")
    if CPU_QUOTA:
        QUOTA_CGROUP.rmdir()  # empty again: every child has exited
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--child", nargs=3, metavar=("TASK", "PRESET", "VARIANT"))
    parser.add_argument("--save", choices=list(SAVED_MODELS))
    args = parser.parse_args()
    if args.child:
        task, preset, variant = args.child
        print(json.dumps(child(task, preset, variant, save=args.save)))
    else:
        print(run())


if __name__ == "__main__":
    main()
