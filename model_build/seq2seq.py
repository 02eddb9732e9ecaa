"""Encoder-decoder bundles: image captioning (ViT + GPT-2) and translation (Marian / opus-mt).

Hub presets and tiny-random presets share ONE path, `build_from_local_dir`: a local directory in
Hugging Face layout (a Hub snapshot, `--source-dir`, or a random model saved with
`save_pretrained`) -> optimum ONNX export (encoder + merged decoder with KV cache) -> int8
dynamic quantization (subgraphs included) -> tokenizer.json -> manifest. The tiny-random presets
exist so that this path runs on every machine and in CI without the Hub.
"""

from __future__ import annotations

import json
import shutil
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .context import BuildContext, hub_snapshot
from .manifest import write_manifest

ENCODER_FILE = "encoder_model.onnx"
DECODER_FILE = "decoder_model_merged.onnx"
TOKENIZER_FILE = "tokenizer.json"
TARGET_TOKENIZER_FILE = "target_tokenizer.json"  # Marian: decodes target ids
STEP_DECODER_FILE = "decoder_step.onnx"  # captioning: decoder step, cross-attention as inputs
CROSS_KV_FILE = "decoder_cross_kv.onnx"  # captioning: cross-attention keys/values, once per image
INTEGER_OPS = ("MatMulInteger", "DynamicQuantizeLinear", "ConvInteger", "DynamicQuantizeMatMul")

CAPTION_KIND = "vision-encoder-decoder"
TRANSLATE_KIND = "marian"
CAPTION_TASK = "image-to-text-with-past"
TRANSLATE_TASK = "text2text-generation-with-past"

VIT_GPT2_REPO = "nlpconnect/vit-gpt2-image-captioning"
# opus-mt-en-ROMANCE (base Marian 6+6, d=512) with the >>pt_BR<< target token: see docs/models.md
# for why not opus-mt-tc-big-en-pt.
OPUS_MT_REPO = "Helsinki-NLP/opus-mt-en-ROMANCE"
OPUS_MT_TARGET_TOKEN = ">>pt_BR<<"
# No commit is known offline: "main" is resolved to a commit by the download and recorded.
HUB_REVISION = "main"

WEIGHT_PATTERNS = ["*.json", "*.txt", "*.spm", "*.safetensors", "pytorch_model.bin", "README.md"]


@dataclass(frozen=True)
class ModelSpec:
    """What differs between the captioning and translation paths."""

    task: str  # bundle task: "caption" / "translate"
    kind: str  # manifest kind read by the runtime dispatch
    export_task: str  # optimum task
    source: dict[str, Any]
    license: dict[str, Any]
    target_token: str | None = None  # Marian multi-target models: token prepended to the source

    @classmethod
    def caption(cls, source: dict[str, Any], license: dict[str, Any]) -> ModelSpec:
        return cls("caption", CAPTION_KIND, CAPTION_TASK, source, license)

    @classmethod
    def translation(
        cls, source: dict[str, Any], license: dict[str, Any], target_token: str
    ) -> ModelSpec:
        return cls("translate", TRANSLATE_KIND, TRANSLATE_TASK, source, license, target_token)


# --------------------------------------------------------------------------------------------
# Preset builders
# --------------------------------------------------------------------------------------------


def build_vit_gpt2(ctx: BuildContext) -> None:
    local = hub_snapshot(ctx, VIT_GPT2_REPO, HUB_REVISION, WEIGHT_PATTERNS)
    spec = ModelSpec.caption(
        source=hub_source(VIT_GPT2_REPO, local, ctx),
        license=model_license(local, "apache-2.0", VIT_GPT2_REPO),
    )
    build_from_local_dir(ctx, local, spec)


def build_opus_mt(ctx: BuildContext) -> None:
    local = hub_snapshot(ctx, OPUS_MT_REPO, HUB_REVISION, WEIGHT_PATTERNS)
    spec = ModelSpec.translation(
        source=hub_source(OPUS_MT_REPO, local, ctx),
        license=model_license(local, "apache-2.0", OPUS_MT_REPO),
        target_token=OPUS_MT_TARGET_TOKEN,
    )
    build_from_local_dir(ctx, local, spec)


def build_tiny_random_vit_gpt2(ctx: BuildContext) -> None:
    from .seq2seq_random import save_tiny_vit_gpt2

    local = save_tiny_vit_gpt2(ctx.cache_dir / "tiny-random" / "vit-gpt2")
    spec = ModelSpec.caption(
        source=random_source("tiny ViT + GPT-2 (seeded)", local), license=RANDOM_WEIGHTS_LICENSE
    )
    build_from_local_dir(ctx, local, spec)


def build_tiny_random_marian(ctx: BuildContext) -> None:
    from .seq2seq_random import save_tiny_marian

    local = save_tiny_marian(ctx.cache_dir / "tiny-random" / "marian")
    spec = ModelSpec.translation(
        source=random_source("tiny Marian (seeded)", local),
        license=RANDOM_WEIGHTS_LICENSE,
        target_token=OPUS_MT_TARGET_TOKEN,
    )
    build_from_local_dir(ctx, local, spec)


def hub_source(repo_id: str, local: Path, ctx: BuildContext) -> dict[str, Any]:
    # snapshot_download stores files under .../snapshots/<commit>/: record that commit.
    revision = local.name if local.parent.name == "snapshots" else HUB_REVISION
    source: dict[str, Any] = {"type": "hub", "repo_id": repo_id, "revision": revision}
    if ctx.source_dir is not None:
        source["source_dir"] = str(ctx.source_dir)
        source["revision"] = "unknown (built from --source-dir)"
    return source


def model_license(local: Path, expected: str, repo_id: str) -> dict[str, Any]:
    """The license from the model card's front matter when the card is there, else `expected`."""
    card = local / "README.md"
    if card.is_file():
        for line in card.read_text(errors="replace").splitlines()[:40]:
            if line.strip().lower().startswith("license:"):
                found = line.split(":", 1)[1].strip()
                return {"id": found, "verified_from": f"{repo_id} README.md front matter"}
    return {
        "id": expected,
        "verified_from": "not verifiable offline (no model card in the source directory); "
        "value from the Hub model page",
    }


RANDOM_WEIGHTS_LICENSE = {"id": "Apache-2.0", "note": "random weights generated by this project"}


def random_source(config: str, local: Path) -> dict[str, Any]:
    return {"type": "random", "config": config, "path": local.name}


# --------------------------------------------------------------------------------------------
# The shared local-directory path
# --------------------------------------------------------------------------------------------


def build_from_local_dir(ctx: BuildContext, local: Path, spec: ModelSpec) -> dict[str, Any]:
    """Export, quantize and package a Hugging Face-layout directory into ctx.out_dir."""
    export_dir = ctx.cache_dir / "exports" / f"{ctx.preset.task}-{ctx.preset.name}"
    onnx_files = export_onnx(local, export_dir, spec.export_task)
    opset = onnx_opset(onnx_files[DECODER_FILE])
    decoder_file = DECODER_FILE
    boundary: tuple[str, ...] = ()
    if spec.kind == CAPTION_KIND:
        # GPT-2's cross-attention keys/values move into a once-per-image graph (see
        # cross_cache.py); the step graph replaces the merged decoder.
        from .cross_cache import split_cross_attention

        split = split_cross_attention(
            export_dir / "decoder_with_past_model.onnx", ctx.cache_dir / "split" / ctx.preset.name
        )
        boundary = split.boundary
        decoder_file = STEP_DECODER_FILE
        onnx_files = {
            ENCODER_FILE: onnx_files[ENCODER_FILE],
            STEP_DECODER_FILE: split.decoder,
            CROSS_KV_FILE: split.cross_kv,
        }

    quantization: dict[str, Any] | None = None
    if ctx.precision == "fp32":
        for name, path in onnx_files.items():
            shutil.copyfile(path, ctx.out_dir / name)
    else:
        counts = {
            name: quantize_int8(path, ctx.out_dir / name) for name, path in onnx_files.items()
        }
        quantization = {
            "method": "dynamic",
            "weight_type": "QInt8",
            "op_types": "onnxruntime defaults",
            "per_channel": False,
            "subgraphs": True,
            "integer_ops": counts,
            "notes": "EnableSubgraph: a merged decoder keeps its compute inside If branches, "
            "which quantize_dynamic skips by default. Per-tensor QInt8 was the fastest setting "
            "measured for ViT-GPT2 and Marian (per-channel never faster).",
        }

    if spec.kind == CAPTION_KIND:
        config = caption_config(local, ctx.out_dir)
    else:
        config = marian_config(local, ctx.out_dir, spec.target_token)
    config["files"] = {
        "encoder": ENCODER_FILE,
        "decoder": decoder_file,
        "tokenizer": TOKENIZER_FILE,
    }
    if spec.kind == TRANSLATE_KIND:
        config["files"]["target_tokenizer"] = TARGET_TOKENIZER_FILE
    else:
        config["files"]["cross_kv"] = CROSS_KV_FILE
        config["cross_kv_outputs"] = list(boundary)
    config["decoder_io"] = decoder_io(ctx.out_dir / decoder_file)

    return write_manifest(
        ctx.out_dir,
        task=spec.task,
        kind=spec.kind,
        preset=ctx.preset.name,
        precision=ctx.precision,
        source=spec.source,
        license=spec.license,
        quantization=quantization,
        opset=opset,
        config=config,
        extra_tools=("tokenizers", "sentencepiece"),
        notes=f"optimum export ({spec.export_task}): encoder + merged decoder with KV cache.",
    )


def export_onnx(local: Path, export_dir: Path, export_task: str) -> dict[str, Path]:
    """optimum export of a local directory; returns the encoder and merged decoder files.

    The export is reused when the same source files were exported before (the int8 and fp32
    bundles of a preset share it; a real-size export takes minutes).
    """
    from optimum.exporters.onnx import main_export

    files = {ENCODER_FILE: export_dir / ENCODER_FILE, DECODER_FILE: export_dir / DECODER_FILE}
    stamp_path = export_dir / "export-stamp.json"
    stamp = export_stamp(local, export_task)
    reusable = stamp_path.is_file() and json.loads(stamp_path.read_text()) == stamp
    if reusable and all(path.is_file() for path in files.values()):
        print(f"reused      {export_dir} (same source files)")
        return files
    shutil.rmtree(export_dir, ignore_errors=True)
    export_dir.mkdir(parents=True)
    started = time.perf_counter()
    main_export(
        str(local),
        output=export_dir,
        task=export_task,
        device="cpu",
        local_files_only=True,  # never reach for the Hub from here: hub_snapshot already did
        do_validation=True,
    )
    print(f"exported    {local} -> {export_dir} ({time.perf_counter() - started:.1f} s)")
    missing = [name for name, path in files.items() if not path.is_file()]
    if missing:
        found = sorted(p.name for p in export_dir.iterdir())
        raise SystemExit(f"optimum export of {local} produced no {missing}; found {found}")
    for path in files.values():
        if path.with_name(path.name + "_data").exists():
            raise SystemExit(f"{path} uses external data; bundles expect single-file models")
    stamp_path.write_text(json.dumps(stamp))
    return files


def export_stamp(local: Path, export_task: str) -> dict[str, Any]:
    """What an export depends on: the task, the tools and every source file's size and mtime."""
    from .manifest import tool_versions

    return {
        "task": export_task,
        "source": str(local.resolve()),
        "tools": tool_versions(),
        "files": {
            p.name: [p.stat().st_size, p.stat().st_mtime_ns]
            for p in sorted(local.iterdir())
            if p.is_file()
        },
    }


def onnx_opset(path: Path) -> int:
    import onnx

    model = onnx.load(str(path), load_external_data=False)
    return max(o.version for o in model.opset_import if o.domain in ("", "ai.onnx"))


def count_ops(path: Path) -> Counter[str]:
    """Every node's op type, including nodes inside If/Loop subgraphs."""
    import onnx

    counts: Counter[str] = Counter()

    def walk(graph: onnx.GraphProto) -> None:
        for node in graph.node:
            counts[node.op_type] += 1
            for attribute in node.attribute:
                if attribute.type == onnx.AttributeProto.GRAPH:
                    walk(attribute.g)
                elif attribute.type == onnx.AttributeProto.GRAPHS:
                    for sub in attribute.graphs:
                        walk(sub)

    walk(onnx.load(str(path), load_external_data=False).graph)
    return counts


def quantize_int8(source: Path, target: Path) -> dict[str, int]:
    """Dynamic int8 (QInt8 weights) including subgraphs; fails if nothing got quantized."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    started = time.perf_counter()
    quantize_dynamic(
        str(source),
        str(target),
        weight_type=QuantType.QInt8,
        extra_options={"EnableSubgraph": True},
    )
    counts = count_ops(target)
    integer = {op: counts[op] for op in INTEGER_OPS if counts[op]}
    print(
        f"quantized   {source.name}: {source.stat().st_size / 1e6:.1f} MB -> "
        f"{target.stat().st_size / 1e6:.1f} MB, {integer} ({time.perf_counter() - started:.1f} s)"
    )
    if not integer.get("MatMulInteger") and not integer.get("DynamicQuantizeLinear"):
        raise SystemExit(
            f"int8 quantization of {source.name} produced 0 MatMulInteger/DynamicQuantizeLinear "
            "nodes: the model would silently stay fp32"
        )
    return integer


def decoder_io(path: Path) -> dict[str, Any]:
    """The merged decoder's input/output names, so the runtime can check what it feeds."""
    import onnx

    graph = onnx.load(str(path), load_external_data=False).graph
    return {
        "inputs": [i.name for i in graph.input],
        "outputs": [o.name for o in graph.output],
    }


# --------------------------------------------------------------------------------------------
# Tokenizers and generation settings
# --------------------------------------------------------------------------------------------


def read_json(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text()) if path.is_file() else {}


def generation_settings(local: Path, model_config: dict[str, Any]) -> dict[str, Any]:
    """generation_config.json wins over config.json (that is how transformers reads them)."""
    gen = {**model_config, **read_json(local / "generation_config.json")}
    return {
        "decoder_start_token_id": gen.get("decoder_start_token_id"),
        "bos_token_id": gen.get("bos_token_id"),
        "eos_token_id": gen.get("eos_token_id"),
        "pad_token_id": gen.get("pad_token_id"),
        "max_length": gen.get("max_length") or 20,
        "num_beams": gen.get("num_beams") or 1,
        "length_penalty": gen.get("length_penalty", 1.0),
        "forced_bos_token_id": gen.get("forced_bos_token_id"),
        "forced_eos_token_id": gen.get("forced_eos_token_id"),
        "bad_words_ids": gen.get("bad_words_ids") or [],
    }


def caption_config(local: Path, out_dir: Path) -> dict[str, Any]:
    from transformers import AutoTokenizer

    model_config = read_json(local / "config.json")
    decoder = model_config["decoder"]
    encoder = model_config["encoder"]
    tokenizer = AutoTokenizer.from_pretrained(str(local), use_fast=True)
    tokenizer.backend_tokenizer.save(str(out_dir / TOKENIZER_FILE))
    check_vocab(len(tokenizer), decoder["vocab_size"], local)

    pre = read_json(local / "preprocessor_config.json")
    height, width = image_size(pre, int(encoder.get("image_size", 224)))
    gen = generation_settings(local, model_config)
    # GPT-2 has no decoder_start token of its own: VisionEncoderDecoder uses BOS.
    if gen["decoder_start_token_id"] is None:
        gen["decoder_start_token_id"] = decoder.get("bos_token_id")
    if gen["pad_token_id"] is None:
        gen["pad_token_id"] = gen["eos_token_id"]
    return {
        "architecture": "VisionEncoderDecoder",
        "encoder_type": encoder.get("model_type"),
        "decoder_type": decoder.get("model_type"),
        "preprocess": {
            "size": [int(height), int(width)],
            "mean": pre.get("image_mean", [0.5, 0.5, 0.5]),
            "std": pre.get("image_std", [0.5, 0.5, 0.5]),
            "resample": pre.get("resample", 2),
            "rescale_factor": pre.get("rescale_factor", 1 / 255),
        },
        "generation": gen,
        "decoder": {
            "num_layers": decoder["n_layer"],
            "num_heads": decoder["n_head"],
            "hidden_size": decoder["n_embd"],
            "vocab_size": decoder["vocab_size"],
            "max_positions": decoder.get("n_positions", 1024),
            "cross_attention_cached": True,
        },
        "encoder_tokens": (encoder["image_size"] // encoder["patch_size"]) ** 2 + 1,
    }


def image_size(preprocessor: dict[str, Any], default: int) -> tuple[int, int]:
    """(height, width) from preprocessor_config.json ("size" is an int or a dict)."""
    size = preprocessor.get("size", default)
    if isinstance(size, dict):
        height = int(size.get("height") or size.get("shortest_edge") or default)
        return height, int(size.get("width") or height)
    return int(size), int(size)


def marian_config(local: Path, out_dir: Path, target_token: str | None) -> dict[str, Any]:
    model_config = read_json(local / "config.json")
    tokenizer_config = read_json(local / "tokenizer_config.json")
    if tokenizer_config.get("separate_vocabs"):
        raise SystemExit(f"{local}: Marian models with separate vocabularies are not supported")
    vocab = read_json(local / "vocab.json")
    check_vocab(len(vocab), model_config["vocab_size"], local)
    # Source side encodes, target side decodes (its pieces are the ones the model writes).
    marian_tokenizer(local / "source.spm", vocab).save(str(out_dir / TOKENIZER_FILE))
    marian_tokenizer(local / "target.spm", vocab).save(str(out_dir / TARGET_TOKENIZER_FILE))
    if target_token is not None and target_token not in vocab:
        target_token = None  # single-target models (e.g. opus-mt-en-de) need no token
    gen = generation_settings(local, model_config)
    return {
        "architecture": "MarianMT",
        "source_languages": ["en"],
        "target_languages": ["pt-BR"],
        "target_token": target_token,
        "max_source_tokens": int(tokenizer_config.get("model_max_length", 512)),
        "generation": gen,
        "decoder": {
            "num_layers": model_config["decoder_layers"],
            "num_heads": model_config["decoder_attention_heads"],
            "hidden_size": model_config["d_model"],
            "vocab_size": model_config["vocab_size"],
            "max_positions": model_config.get("max_position_embeddings", 512),
            "cross_attention_cached": True,
        },
    }


def check_vocab(tokenizer_size: int, model_size: int, local: Path) -> None:
    # GPT-2 style models may pad the embedding beyond the tokenizer; never the other way round.
    if tokenizer_size > model_size:
        raise SystemExit(
            f"{local}: tokenizer has {tokenizer_size} tokens but the model only {model_size}"
        )


def marian_tokenizer(spm_path: Path, vocab: dict[str, int]) -> Any:
    """tokenizer.json equivalent of one side of MarianTokenizer, for the `tokenizers` library.

    MarianTokenizer runs SentencePiece and then maps pieces through the shared vocab.json. A
    Unigram model whose vocabulary is vocab.json in id order, scored with this side's
    SentencePiece scores, gives the same pieces and ids. Pieces only the other side knows are
    renamed so that they can never be produced (MarianTokenizer cannot produce them either;
    giving them a low score is not enough: tokenizers' <unk> penalty follows the lowest score).
    >>xx<< language tokens become special tokens and "</s>" is appended.
    transformers has no Marian fast converter, so this reuses its SpmConverter parts.
    """
    from types import SimpleNamespace

    from tokenizers import AddedToken, Tokenizer, processors
    from tokenizers.models import Unigram
    from transformers.convert_slow_tokenizer import SpmConverter

    converter = SpmConverter(SimpleNamespace(vocab_file=str(spm_path), legacy=True))
    proto = converter.proto
    if proto.trainer_spec.model_type != 1:
        raise SystemExit(f"{spm_path}: expected a SentencePiece Unigram model")
    scores = {piece.piece: piece.score for piece in proto.pieces}
    floor = min(scores.values())
    ordered = sorted(vocab.items(), key=lambda item: item[1])
    if [i for _, i in ordered] != list(range(len(ordered))):
        raise SystemExit("vocab.json ids are not contiguous from 0")
    specials = ["</s>", "<unk>", "<pad>"]
    language_tokens = [p for p in vocab if p.startswith(">>") and p.endswith("<<")]
    kept = set(specials + language_tokens)
    pieces = [
        (piece, scores[piece])
        if piece in scores
        else (piece if piece in kept else f"<unreachable {index}>", floor)
        for piece, index in ordered
    ]
    tokenizer = Tokenizer(Unigram(pieces, unk_id=vocab.get("<unk>", 1)))
    tokenizer.normalizer = converter.normalizer(proto)
    tokenizer.pre_tokenizer = converter.pre_tokenizer("▁", True)
    tokenizer.decoder = converter.decoder("▁", True)
    tokenizer.add_special_tokens(
        [
            AddedToken(t, normalized=False, special=True)
            for t in specials + language_tokens
            if t in vocab
        ]
    )
    tokenizer.post_processor = processors.TemplateProcessing(
        single="$A </s>", pair="$A $B </s>", special_tokens=[("</s>", vocab["</s>"])]
    )
    return tokenizer
