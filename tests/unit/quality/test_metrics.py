"""WER/CER arithmetic, text normalisation and pt-BR number words (no models needed)."""

from __future__ import annotations

import pytest

from quality.metrics import corpus_counts, edit_distance, error_counts, normalize
from quality.numbers import number_words, spell_numbers


def test_edit_distance_counts_substitutions_insertions_deletions() -> None:
    assert edit_distance("gato", "gato") == 0
    assert edit_distance("gato", "pato") == 1  # substitution
    assert edit_distance("gato", "gatos") == 1  # insertion
    assert edit_distance("gato", "ato") == 1  # deletion
    assert edit_distance("", "abc") == 3
    assert edit_distance(["um", "gato"], ["um", "pato", "preto"]) == 2


def test_normalize_drops_case_and_punctuation_but_keeps_accents() -> None:
    # GIVEN a caption with punctuation, a hyphenated word and an accent
    # THEN case and punctuation go, hyphens become spaces, accents stay (é is not e)
    assert normalize("O Guarda-chuva, é VERMELHO!") == "o guarda chuva é vermelho"
    assert normalize("  «Sim»?  ") == "sim"
    assert normalize("café") != normalize("cafe")


def test_numbers_are_spelled_out_on_both_sides() -> None:
    # GIVEN a recogniser that writes digits where the reference has words (or the reverse)
    # THEN they score as equal
    assert error_counts("O ônibus 42 chegou.", "o ônibus quarenta e dois chegou").cer == 0.0
    assert error_counts("Em 1998.", "em mil novecentos e noventa e oito").wer == 0.0


@pytest.mark.parametrize(
    ("number", "words"),
    [
        (0, "zero"),
        (16, "dezesseis"),
        (42, "quarenta e dois"),
        (100, "cem"),
        (101, "cento e um"),
        (1000, "mil"),
        (1020, "mil e vinte"),
        (1500, "mil e quinhentos"),
        (1950, "mil novecentos e cinquenta"),
        (2024, "dois mil e vinte e quatro"),
        (1_000_000, "um milhão"),
    ],
)
def test_number_words(number: int, words: str) -> None:
    assert number_words(number) == words


def test_thousands_separator_is_one_number() -> None:
    assert spell_numbers("1.500 pessoas").split() == ["mil", "e", "quinhentos", "pessoas"]


def test_rates_are_corpus_rates_and_one_sentence_counts_at_most_fully() -> None:
    # GIVEN one perfect sentence and one recognised as a long repetition loop
    pairs = [("um gato preto", "um gato preto"), ("o cão", "la " * 50)]
    counts = corpus_counts(pairs)
    # THEN the looping sentence adds its own length in edits, no more
    assert counts.words == 5 and counts.word_edits == 2
    assert counts.chars == len("um gato preto") + len("o cão")
    assert counts.char_edits == len("o cão")
    assert counts.cer == pytest.approx(5 / 18)


def test_empty_transcript_is_all_errors() -> None:
    counts = error_counts("Um gato dormindo no sofá.", "")
    assert counts.wer == 1.0 and counts.cer == 1.0
