"""Phonemization through the espeak-ng program and Piper's phoneme-id conventions."""

from __future__ import annotations

import pytest
from image_to_speech.errors import PhonemizerError
from image_to_speech.inference import phonemize
from image_to_speech.inference.phonemize import (
    BOS,
    EOS,
    PAD,
    Clause,
    phoneme_ids,
    phonemize_sentences,
    split_clauses,
)

from tests.helpers.phonemes import missing_phonemes

# A tiny id map in Piper's layout: symbol -> [id]
ID_MAP = {PAD: [0], BOS: [1], EOS: [2], " ": [3], ".": [10], "a": [14], "b": [15], "ˈ": [120]}


def test_ids_start_with_bos_end_with_eos_and_intersperse_pad() -> None:
    # GIVEN phonemes WHEN mapped THEN BOS PAD (phoneme PAD)* EOS, as piper's phoneme_ids.cpp
    ids = phoneme_ids("ˈab a.", ID_MAP)
    assert ids[0] == 1 and ids[-1] == 2
    body = ids[1:-1]
    assert body[0::2] == [0] * 7  # a PAD after BOS and after every phoneme
    assert body[1::2] == [120, 14, 15, 3, 14, 10]


def test_unknown_phonemes_are_skipped_and_nfd_applied() -> None:
    # GIVEN a precomposed "á" WHEN mapped THEN it is decomposed (a + U+0301, not in the map)
    assert phoneme_ids("á", ID_MAP) == [1, 0, 14, 0, 2]
    assert missing_phonemes("áz", ID_MAP) == {"\u0301", "z"}


def test_split_clauses_keeps_clause_punctuation() -> None:
    assert split_clauses("Hello, world; it costs 1,000 dollars. Really?! ...") == [
        Clause("Hello", ","),
        Clause("world", ";"),
        Clause("it costs 1,000 dollars", "."),
        Clause("Really", "?"),
    ]
    assert split_clauses("  ...  ") == []


def test_english_sentence_phonemes_have_ipa_and_punctuation() -> None:
    # WHEN espeak-ng phonemizes two sentences in one call THEN each gets Piper-style IPA
    first, second = phonemize_sentences(["The cat sat, quietly.", "Is it?"], "en-us")
    assert first.startswith("ðə kˈæt") and ", " in first and first.endswith(".")
    assert second.endswith("?") and "ˈ" in second


def test_portuguese_voice_is_used() -> None:
    (phonemes,) = phonemize_sentences(["O gato está sentado."], "pt-br")
    assert "ɡˈatʊ" in phonemes or "ɡˈatw" in phonemes


def test_text_is_not_read_as_options_or_shell() -> None:
    # GIVEN text that looks like espeak-ng options and shell syntax THEN it is only spoken text
    (phonemes,) = phonemize_sentences(["-v fr --help; $(rm -rf /) `id`"], "en-us")
    assert phonemes and "help" not in phonemes


def test_nothing_pronounceable_gives_empty_phonemes() -> None:
    assert phonemize_sentences(["?!", "..."], "en-us") == ["", ""]


def test_missing_espeak_program_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(phonemize, "ESPEAK_PROGRAM", "espeak-ng-not-installed")
    with pytest.raises(PhonemizerError, match="apt-get install espeak-ng"):
        phonemize_sentences(["Hello."], "en-us")


def test_bad_voice_name_refused_before_running_anything() -> None:
    with pytest.raises(PhonemizerError, match="voice"):
        phonemize_sentences(["Hello."], "en-us; rm -rf /")


def test_falls_back_to_one_call_per_clause_when_paragraphs_merge(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # GIVEN espeak-ng output that does not split into one paragraph per clause
    real = phonemize._espeak_paragraphs
    calls: list[int] = []

    def merged_once(texts: list[str], voice: str, timeout_s: float) -> list[str]:
        calls.append(len(texts))
        result = real(texts, voice, timeout_s)
        return [" ".join(result)] if len(texts) > 1 else result

    monkeypatch.setattr(phonemize, "_espeak_paragraphs", merged_once)
    # WHEN phonemized THEN every clause is phonemized on its own and punctuation still lands right
    (phonemes,) = phonemize_sentences(["Hello, world."], "en-us")
    assert calls == [2, 1, 1]
    assert phonemes == "həlˈoʊ, wˈɜːld."


def test_unknown_espeak_voice_is_a_clear_error() -> None:
    # GIVEN a well-formed voice name espeak-ng does not have THEN its own error is reported
    with pytest.raises(PhonemizerError, match="voice does not exist"):
        phonemize_sentences(["Hello."], "xx-yy")


def test_clause_espeak_says_nothing_for_is_empty_not_an_error() -> None:
    # "a_b" is spoken; "%%%" and "___" are symbols only: no phonemes, no error
    assert phonemize_sentences(["___", "a_b, %%% ___ ok."], "en-us")[0] == ""
    assert phonemize.phonemize_sentences(["__x__"], "en-us")[0] != ""
    assert phonemize._espeak_paragraphs(["___"], "en-us", 5.0) == []
