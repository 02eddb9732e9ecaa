"""Speech benchmark: Piper Joe voice, int8 default bundle vs fp32 bundle, side by side.

Each variant runs in several fresh processes, alternating, so both see the same machine noise.
A process measures bundle verify + session load, peak RSS, the espeak-ng phonemization alone,
and the real-time factor (RTF = synthesis seconds / audio seconds) of whole `synthesize()`
calls (phonemization included) on caption-like sentences.
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

from .stats import peak_rss_mb, percentile

ROOT = Path(__file__).resolve().parent.parent
PRESET = "piper-en_US-joe-medium"
PROCESSES_PER_VARIANT = 3
REPEATS = 3  # passes over SENTENCES in each process, after one warm-up pass
THREADS = 2
RTF_TARGET = 0.05
SENTENCES = [
    ("pt-BR", "Um gato sentado em cima de uma mesa de madeira."),
    ("pt-BR", "Uma mulher segurando um guarda-chuva vermelho na chuva."),
    ("pt-BR", "Dois cachorros brincando na neve perto de uma árvore grande."),
    ("pt-BR", "Um prato de comida com brócolis, arroz e frango. Parece delicioso!"),
    ("en-US", "The cat is sitting on a wooden table."),
    ("en-US", "A man rides a bicycle down a busy street next to a red bus."),
]


def child(bundle_dir: str) -> dict[str, Any]:
    """Runs inside a fresh process: everything one variant measures."""
    from image_to_speech.inference.loaders import load_synthesizer
    from image_to_speech.inference.phonemize import phonemize_sentences

    started = time.perf_counter()
    synthesizer = load_synthesizer(bundle_dir, threads=THREADS)
    load_ms = (time.perf_counter() - started) * 1000
    rtfs, cpu_rtfs, phonemize_ms, audio_s = [], [], [], 0.0
    for language, text in SENTENCES:  # warm-up: first runs allocate buffers
        synthesizer.synthesize(text, language=language)
    for _ in range(REPEATS):
        for language, text in SENTENCES:
            voice = synthesizer.voices[language]
            started = time.perf_counter()
            phonemize_sentences([text], voice)
            phonemize_ms.append((time.perf_counter() - started) * 1000)
            started, cpu_started = time.perf_counter(), time.process_time()
            result = synthesizer.synthesize(text, language=language)
            rtfs.append((time.perf_counter() - started) / result.duration_s)
            cpu_rtfs.append((time.process_time() - cpu_started) / result.duration_s)
            audio_s += result.duration_s
    return {
        "load_ms": load_ms,
        "verify_ms": synthesizer.bundle.verify_ms,
        "rtf": rtfs,
        "cpu_rtf": cpu_rtfs,
        "phonemize_ms": phonemize_ms,
        "audio_s": audio_s,
        "peak_rss_mb": peak_rss_mb(),
        "model_mb": synthesizer.bundle.file("model.onnx").stat().st_size / 1e6,
        "quantization": synthesizer.bundle.manifest.get("quantization"),
    }


def measure(bundle_dir: Path) -> dict[str, Any]:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT / "layers" / "shared"), str(ROOT)]),
    }
    completed = subprocess.run(
        [sys.executable, "-m", "benchmarks.speech", "--child", str(bundle_dir)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    if completed.returncode != 0:
        raise RuntimeError(f"benchmark child for {bundle_dir} failed:\n{completed.stderr[-2000:]}")
    result: dict[str, Any] = json.loads(completed.stdout.strip().splitlines()[-1])
    return result


def compare(variants: dict[str, Path]) -> str:
    """Markdown table for named bundles, measured alternately in fresh processes."""
    runs: dict[str, list[dict[str, Any]]] = {name: [] for name in variants}
    for _ in range(PROCESSES_PER_VARIANT):
        for name, path in variants.items():
            runs[name].append(measure(path))
    rows = []
    medians = {}
    for name, results in runs.items():
        rtf = [v for r in results for v in r["rtf"]]
        phon = [v for r in results for v in r["phonemize_ms"]]
        cpu_rtf = [v for r in results for v in r["cpu_rtf"]]
        medians[name] = statistics.median(rtf)
        rows.append(
            f"| {name} | {results[0]['model_mb']:.1f} | "
            f"{statistics.median(r['load_ms'] for r in results):.0f} | "
            f"{statistics.median(rtf):.4f} | {percentile(rtf, 0.95):.4f} | "
            f"{statistics.median(cpu_rtf):.4f} | "
            f"{statistics.median(phon):.1f} / {percentile(phon, 0.95):.1f} | "
            f"{statistics.median(r['peak_rss_mb'] for r in results):.0f} |"
        )
    names = list(variants)
    ratio = (
        f"\nRTF ratio {names[0]} / {names[1]}: {medians[names[0]] / medians[names[1]]:.2f} "
        f"(< 1 means {names[0]} is faster)."
        if len(names) == 2
        else ""
    )
    audio = statistics.median(r["audio_s"] for r in runs[names[0]])
    return (
        "| variant | model MB | load ms (verify + session) | RTF median | RTF p95 | "
        "CPU RTF median | espeak-ng ms median / p95 | peak RSS MB |\n"
        "|---|---|---|---|---|---|---|---|\n" + "\n".join(rows) + "\n" + ratio + "\n\n"
        f"{PROCESSES_PER_VARIANT} fresh processes per variant (alternating), {THREADS} threads, "
        f"{len(SENTENCES)} sentences x {REPEATS} passes each after a warm-up pass "
        f"({audio:.0f} s of audio per process). RTF = `synthesize()` wall time (espeak-ng "
        f"phonemization included) / audio seconds; target <= {RTF_TARGET}. CPU RTF = process "
        f"CPU seconds (all {THREADS} threads) / audio seconds: steadier than wall time on a "
        "busy machine. The espeak-ng column times phonemization alone (one espeak-ng process "
        "per call)."
    )


def log_spectrum(audio: Any) -> Any:
    """Log-magnitude spectrogram in 40 bands up to ~8.6 kHz (1024-sample frames, hop 256)."""
    import numpy as np

    size, hop = 1024, 256
    window = np.hanning(size)
    frames = np.stack([audio[i : i + size] * window for i in range(0, len(audio) - size, hop)])
    magnitude = np.abs(np.fft.rfft(frames, axis=1))[:, :400]
    return 20 * np.log10(magnitude.reshape(len(magnitude), 40, 10).mean(axis=2) + 1e-5)


def spectral_distance_db(a: Any, b: Any) -> float:
    """RMS log-spectral distance (dB) after dynamic time warping: tolerates small timing shifts."""
    import numpy as np

    x, y = log_spectrum(a), log_spectrum(b)
    cost = np.sqrt(((x[:, None, :] - y[None, :, :]) ** 2).mean(axis=2))
    total = np.full((len(x) + 1, len(y) + 1), np.inf)
    total[0, 0] = 0.0
    for i in range(1, len(x) + 1):
        for j in range(1, len(y) + 1):
            total[i, j] = cost[i - 1, j - 1] + min(
                total[i - 1, j], total[i, j - 1], total[i - 1, j - 1]
            )
    return float(total[-1, -1] / (len(x) + len(y)))


def noise_floor_db(audio: Any, sample_rate: int) -> float:
    """10th percentile of 20 ms frame RMS, in dB full scale: hiss shows up here."""
    import numpy as np

    frame = sample_rate // 50
    frames = audio[: len(audio) // frame * frame].reshape(-1, frame)
    return float(20 * np.log10(np.percentile(np.sqrt((frames**2).mean(axis=1)), 10) + 1e-9))


def parity(candidate_dir: Path, reference_dir: Path) -> str:
    """Same phonemes, noise off (deterministic): does the candidate sound like the reference?

    The yardstick is the reference against itself with its usual noise_scale: two fp32 renderings
    that differ only by the model's own sampling noise.
    """
    import numpy as np
    from image_to_speech.inference.loaders import load_synthesizer
    from image_to_speech.inference.phonemize import phoneme_ids, phonemize_sentences
    from image_to_speech.inference.synthesizer import Scales

    candidate = load_synthesizer(candidate_dir, threads=THREADS)
    reference = load_synthesizer(reference_dir, threads=THREADS)
    flat = Scales(0.0, 1.0, 0.0)
    noisy = Scales(reference.default_scales.noise_scale, 1.0, 0.0)
    rows = []
    for language, text in (SENTENCES[0], SENTENCES[4]):
        (phonemes,) = phonemize_sentences([text], reference.voices[language])
        ids = phoneme_ids(phonemes, reference.id_map)
        ref = reference.run_ids(ids, flat)
        out = candidate.run_ids(ids, flat)
        rms = float(np.sqrt((out**2).mean()) / np.sqrt((ref**2).mean()))
        rows.append(
            f"| {text} | {len(out) / len(ref):.3f} | {rms:.3f} | "
            f"{spectral_distance_db(out, ref):.2f} | "
            f"{spectral_distance_db(reference.run_ids(ids, noisy), ref):.2f} | "
            f"{noise_floor_db(out, candidate.sample_rate):.1f} / "
            f"{noise_floor_db(ref, reference.sample_rate):.1f} |"
        )
    return (
        "| sentence | duration ratio | RMS ratio | spectral distance dB | fp32 noise-only "
        "distance dB | noise floor dBFS (candidate / fp32) |\n|---|---|---|---|---|---|\n"
        + "\n".join(rows)
        + "\n\nSame phoneme ids, noise_scale = noise_w = 0 (deterministic). Spectral distance: "
        "RMS difference of 40-band log spectra after dynamic time warping; the fp32 noise-only "
        "column is fp32 against itself with noise_scale 0.667, the model's own variation."
    )


def run() -> str:
    from image_to_speech.inference.bundle import MANIFEST_NAME, models_dir

    variants = {
        "int8 (default)": models_dir() / "speak" / PRESET,
        "fp32": models_dir() / "speak" / f"{PRESET}-fp32",
    }
    for path in variants.values():
        if not (path / MANIFEST_NAME).is_file():
            raise RuntimeError(f"{path} is missing: run `make models` first")
    quantization = json.loads((variants["int8 (default)"] / MANIFEST_NAME).read_text())[
        "quantization"
    ]
    notes = (quantization or {}).get("notes", "int8 bundle holds fp32 weights")
    return (
        f"## Speech: Piper `{PRESET}` int8 vs fp32\n\n"
        + compare(variants)
        + "\n\n### Output parity, int8 against fp32\n\n"
        + parity(variants["int8 (default)"], variants["fp32"])
        + f"\n\nint8 recipe (manifest `quantization.notes`): {notes}\n"
    )


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        print(json.dumps(child(sys.argv[2])))
    elif len(sys.argv) == 4 and sys.argv[1] == "--parity":
        # Ad hoc: python -m benchmarks.speech --parity CANDIDATE_DIR REFERENCE_DIR
        print(parity(Path(sys.argv[2]), Path(sys.argv[3])))
    elif len(sys.argv) >= 3 and sys.argv[1] == "--compare":
        # Ad hoc: python -m benchmarks.speech --compare NAME=BUNDLE_DIR NAME=BUNDLE_DIR
        pairs = dict(arg.split("=", 1) for arg in sys.argv[2:])
        print(compare({name: Path(path) for name, path in pairs.items()}))
    else:
        print(run())
