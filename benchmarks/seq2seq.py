"""Encoder-decoder models at real size: ONNX int8 vs ONNX fp32 vs transformers PyTorch fp32.

No real vit-gpt2 / opus-mt weights exist offline, so the real architectures are built with
random weights of the real configs (ViT-base/16 224 + GPT-2 124M; Marian 6+6, d=512, vocab
65001 like opus-mt-en-ROMANCE) by `model_build.seq2seq_random`, and then go through the SAME
Hub-preset build as the real weights (`python -m model_build build ... --source-dir DIR`), into
build/bench/models (never into build/models). Speed does not depend on the weights' values
when the number of generated tokens is fixed: EOS is disabled, every request generates exactly
16 caption tokens or 32 translation tokens, greedy.

Each variant runs in fresh subprocesses (REPEATS each, interleaved), with the same thread count
for onnxruntime and torch (and torch without OpenMP spin-waiting, OMP_WAIT_POLICY=PASSIVE, as
onnxruntime runs with allow_spinning=0). Timed: one request = encoder + the decoding loop, on
inputs that are already preprocessed/tokenized (the same for every variant). Load = bundle
verification and session creation (ONNX) or `from_pretrained` (PyTorch).

PyTorch paths: `generate` eager (SDPA attention, transformers' default here), and `generate`
with the model's forward compiled (`torch.compile(model.forward, dynamic=True)`: the decoder
step's shapes grow every token, so static shapes would recompile each step). The compiled
variant runs in COMPILE_REPEATS processes only: compiling took 10+ minutes per process on a
busy 2-core host; its load time includes that compilation (first `generate`).
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

from .stats import latency_summary, load_average

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "build" / "bench"
SOURCES = BENCH / "sources"
MODELS = BENCH / "models"
REPEATS = 3
WARMUP = 2
REQUESTS = 10
CAPTION_TOKENS = 16
TRANSLATE_TOKENS = 32
SENTENCE = "Two children are playing with a red ball in the park while their parents watch."
TASKS = {
    # task: (preset, source directory name, function saving the random real-size model)
    "caption": ("vit-gpt2", "vit-gpt2", "save_real_size_vit_gpt2"),
    "translate": ("opus-mt-en-pt", "marian", "save_real_size_marian"),
}
VARIANTS = ("onnx-int8", "onnx-fp32", "torch-eager", "torch-compile")
TORCH_VARIANTS = ("torch-eager", "torch-compile")
COMPILE_REPEATS = 1


def env() -> dict[str, str]:
    path = f"{ROOT / 'layers' / 'shared'}{os.pathsep}{ROOT}"
    return {
        **os.environ,
        "PYTHONPATH": path,
        "OMP_WAIT_POLICY": "PASSIVE",  # torch's OpenMP pool: no spin-wait, like onnxruntime's
        "TORCHINDUCTOR_CACHE_DIR": str(BENCH / "torchinductor"),
    }


def threads() -> int:
    from image_to_speech.inference.session import available_cpus

    return available_cpus()


# -- worker (runs in a fresh subprocess) -------------------------------------------------------
def caption_inputs() -> Any:
    """The chelsea photo preprocessed like the runtime does (224x224, mean/std 0.5)."""
    import skimage.data
    from image_to_speech.inference.images import to_tensor
    from PIL import Image

    image = Image.fromarray(skimage.data.chelsea()).convert("RGB")
    return to_tensor(image, size=(224, 224), mean=[0.5] * 3, std=[0.5] * 3)


def onnx_request(task: str, bundle_dir: Path, n_threads: int) -> tuple[Any, float]:
    """A no-argument function doing one request, and the load time in ms."""
    from image_to_speech.inference.generation import GenerationConfig, MergedDecoder, greedy_search

    started = time.perf_counter()
    if task == "caption":
        from image_to_speech.inference.loaders import load_captioner
        from image_to_speech.inference.vision_encoder_decoder import EncoderDecoderCaptioner

        captioner = load_captioner(bundle_dir, threads=n_threads)
        assert isinstance(captioner, EncoderDecoderCaptioner)
        load_ms = (time.perf_counter() - started) * 1000
        pixels = caption_inputs()
        config = GenerationConfig(
            decoder_start_token_id=int(captioner.generation["decoder_start_token_id"]),
            eos_token_id=None,
            pad_token_id=0,
            max_new_tokens=CAPTION_TOKENS,
        )

        def caption() -> int:
            (hidden,) = captioner.encoder.run(["last_hidden_state"], {"pixel_values": pixels})
            decoder = captioner.make_decoder(hidden)
            return len(greedy_search(decoder, 1, config)[0])

        return caption, load_ms

    from image_to_speech.inference.loaders import load_translator
    from image_to_speech.inference.marian import MarianTranslator

    translator = load_translator(bundle_dir, threads=n_threads)
    assert isinstance(translator, MarianTranslator)
    load_ms = (time.perf_counter() - started) * 1000
    input_ids, mask = translator.encode([SENTENCE])
    generation = translator.generation
    config = GenerationConfig(
        decoder_start_token_id=int(generation["decoder_start_token_id"]),
        eos_token_id=None,
        pad_token_id=int(generation["pad_token_id"]),
        max_new_tokens=TRANSLATE_TOKENS,
        suppress_token_ids=(int(generation["pad_token_id"]),),
    )

    def translate() -> int:
        (hidden,) = translator.encoder.run(
            ["last_hidden_state"], {"input_ids": input_ids, "attention_mask": mask}
        )
        decoder = MergedDecoder(translator.decoder, hidden, mask)
        return len(greedy_search(decoder, 1, config)[0])

    return translate, load_ms


def torch_request(
    task: str, source: Path, n_threads: int, compiled: bool = False
) -> tuple[Any, float]:
    import torch

    torch.set_num_threads(n_threads)
    torch.set_num_interop_threads(1)
    started = time.perf_counter()
    if task == "caption":
        from transformers import VisionEncoderDecoderModel

        model = VisionEncoderDecoderModel.from_pretrained(str(source)).eval()
        load_ms = (time.perf_counter() - started) * 1000
        inputs = {"pixel_values": torch.from_numpy(caption_inputs())}
        tokens = CAPTION_TOKENS
    else:
        from transformers import MarianMTModel, MarianTokenizer

        model = MarianMTModel.from_pretrained(str(source)).eval()
        load_ms = (time.perf_counter() - started) * 1000
        tokenizer = MarianTokenizer.from_pretrained(str(source))
        inputs = dict(tokenizer(">>pt_BR<< " + SENTENCE, return_tensors="pt"))
        tokens = TRANSLATE_TOKENS

    def request() -> int:
        with torch.inference_mode():
            output = model.generate(
                **inputs,
                max_new_tokens=tokens,
                min_new_tokens=tokens,  # no early EOS, like the ONNX variants
                num_beams=1,
                do_sample=False,
            )
        return int(output.shape[1] - 1)

    if compiled:
        model.forward = torch.compile(model.forward, dynamic=True)
        request()  # compiles: counted in the load time, as a cold start would pay it
        load_ms = (time.perf_counter() - started) * 1000
    return request, load_ms


def worker(task: str, variant: str, n_threads: int) -> dict[str, Any]:
    preset, source_name, _ = TASKS[task]
    if variant in TORCH_VARIANTS:
        compiled = variant == "torch-compile"
        request, load_ms = torch_request(task, SOURCES / source_name, n_threads, compiled)
    else:
        name = preset if variant == "onnx-int8" else f"{preset}-fp32"
        request, load_ms = onnx_request(task, MODELS / task / name, n_threads)
    for _ in range(WARMUP):
        request()
    times, counts = [], set()
    for _ in range(REQUESTS):
        started = time.perf_counter()
        counts.add(request())
        times.append((time.perf_counter() - started) * 1000)
    return {**latency_summary(load_ms, times), "tokens": sorted(counts)}


# -- driver -------------------------------------------------------------------------------------
def prepare(task: str) -> None:
    """Random real-size model in HF layout, then the Hub preset's build from it (int8, fp32)."""
    preset, source_name, saver = TASKS[task]
    source = SOURCES / source_name
    if not (source / "config.json").is_file():
        code = (
            "import sys, torch; torch.set_num_threads(1); from pathlib import Path; "
            f"from model_build.seq2seq_random import {saver}; {saver}(Path(sys.argv[1]))"
        )
        subprocess.run([sys.executable, "-c", code, str(source)], cwd=ROOT, env=env(), check=True)
    for precision in ("int8", "fp32"):
        command = [sys.executable, "-m", "model_build", "--out", str(MODELS), "build", task, preset,
                   "--precision", precision, "--source-dir", str(source)]  # fmt: skip
        subprocess.run(command, cwd=ROOT, env=env(), check=True)


def run_worker(task: str, variant: str, n_threads: int) -> dict[str, Any]:
    completed = subprocess.run(
        [sys.executable, "-m", "benchmarks.seq2seq", task, variant, str(n_threads)],
        cwd=ROOT, env=env(), capture_output=True, text=True, check=False,
    )  # fmt: skip
    if completed.returncode != 0:
        raise RuntimeError(f"{task}/{variant} worker failed:\n{completed.stderr[-3000:]}")
    return dict(json.loads(completed.stdout.strip().splitlines()[-1]))


def bundle_mb(task: str, variant: str) -> str:
    preset = TASKS[task][0]
    if variant in TORCH_VARIANTS:
        directory = SOURCES / TASKS[task][1]
        files = list(directory.glob("*.safetensors")) + list(directory.glob("*.bin"))
    else:
        name = preset if variant == "onnx-int8" else f"{preset}-fp32"
        files = list((MODELS / task / name).glob("*.onnx"))
    return f"{sum(f.stat().st_size for f in files) / 1e6:.0f}"


def section(task: str, results: dict[str, list[dict[str, Any]]]) -> str:
    def med(variant: str, key: str) -> float:
        return statistics.median(r[key] for r in results[variant])

    tokens = CAPTION_TOKENS if task == "caption" else TRANSLATE_TOKENS
    rows = [
        "| variant | median ms | p95 ms | load ms | peak RSS MB | model MB | tokens |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    for variant in VARIANTS:
        counts = sorted({t for r in results[variant] for t in r["tokens"]})
        rows.append(
            f"| {variant} | {med(variant, 'median_ms'):.0f} | {med(variant, 'p95_ms'):.0f} | "
            f"{med(variant, 'load_ms'):.0f} | {med(variant, 'peak_rss_mb'):.0f} | "
            f"{bundle_mb(task, variant)} | {counts} |"
        )
    int8 = med("onnx-int8", "median_ms")
    eager, compiled = med("torch-eager", "median_ms"), med("torch-compile", "median_ms")
    ratios = (
        f"int8 speed-up: {med('onnx-fp32', 'median_ms') / int8:.2f}x vs ONNX fp32 "
        "(target >= 1.5x), "
        f"{eager / int8:.2f}x vs PyTorch eager `generate` (target >= 3x) and "
        f"{compiled / int8:.2f}x vs `generate` with the forward compiled (itself "
        f"{eager / compiled:.2f}x eager); per generated token: {int8 / tokens:.1f} ms (int8)."
    )
    preset = TASKS[task][0]
    return "\n".join([f"#### {task} / {preset} ({tokens} tokens, greedy, EOS off)", "",
                      *rows, "", ratios])  # fmt: skip


def run() -> str:
    load_start = load_average()
    n_threads = threads()
    results: dict[str, dict[str, list[dict[str, Any]]]] = {}
    for task in TASKS:
        prepare(task)
        results[task] = {variant: [] for variant in VARIANTS}
        for repeat in range(REPEATS):  # interleaved, so slow phases hit all variants
            for variant in VARIANTS:
                if variant == "torch-compile" and repeat >= COMPILE_REPEATS:
                    continue
                results[task][variant].append(run_worker(task, variant, n_threads))
    intro = (
        f"### Encoder-decoder models (random weights, real architectures)\n\n"
        f"Real-size ViT-GPT2 and Marian (opus-mt-en-ROMANCE config) with random weights, built "
        f"through the Hub presets' `--source-dir` path into {MODELS.relative_to(ROOT)}. One "
        f"request = encoder + greedy decoding of a fixed number of tokens on preprocessed "
        f"inputs; {n_threads} threads for onnxruntime and torch (torch: 1 inter-op thread, "
        f"OMP_WAIT_POLICY=PASSIVE like onnxruntime's allow_spinning=0); {REPEATS} fresh "
        f"processes per variant ({COMPILE_REPEATS} for torch-compile: it compiles for minutes) "
        f"x {REQUESTS} requests after {WARMUP} warm-up; medians of per-process values. "
        "torch-eager = transformers `generate` (SDPA attention); torch-compile = the same with "
        "`model.forward = torch.compile(model.forward, dynamic=True)`, its load time includes "
        f"the compilation at the first `generate`. Load average at start: {load_start}, at "
        f"end: {load_average()} (2 cores shared with other work)."
    )
    return "\n\n".join([intro, *(section(task, results[task]) for task in TASKS)])


if __name__ == "__main__":
    print(json.dumps(worker(sys.argv[1], sys.argv[2], int(sys.argv[3]))))
