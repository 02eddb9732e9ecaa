"""The chrF helper used by the parity test: known values, bounds, order sensitivity."""

from __future__ import annotations

import pytest

from .chrf import char_ngrams, corpus_chrf, sentence_chrf


def test_identical_text_scores_100() -> None:
    # GIVEN the same sentence as hypothesis and reference WHEN scored THEN chrF is 100
    assert sentence_chrf("As crianças brincam.", "As crianças brincam.") == pytest.approx(100.0)


def test_disjoint_text_scores_0() -> None:
    assert sentence_chrf("xyz", "abc") == 0.0


def test_hand_computed_value() -> None:
    # GIVEN "ab" vs "abc": P1=1, R1=2/3, P2=1, R2=1/2 (no 3-grams in the hypothesis)
    # THEN P=1, R=7/12 and F2 = 5*P*R / (4P + R) = 35/55
    assert sentence_chrf("ab", "abc") == pytest.approx(100 * 35 / 55)


def test_whitespace_is_ignored_and_ngrams_counted() -> None:
    assert char_ngrams("a b a", 1) == {"a": 2, "b": 1}
    assert sentence_chrf("a b c", "abc") == pytest.approx(100.0)


def test_recall_weighs_more_than_precision() -> None:
    # beta=2: dropping reference characters costs more than adding extra ones
    reference = "o gato dorme no sofá"
    missing = sentence_chrf("o gato dorme", reference)
    extra = sentence_chrf("o gato dorme no sofá hoje à tarde", reference)
    assert extra > missing


def test_corpus_level_sums_statistics() -> None:
    assert corpus_chrf(["abc", "xyz"], ["abc", "xyz"]) == pytest.approx(100.0)
    assert 0 < corpus_chrf(["abc", "xyq"], ["abc", "xyz"]) < 100
    with pytest.raises(ValueError):
        corpus_chrf(["a"], [])
