"""inference/text.py: sentence splitting that keeps quotations, abbreviations, decimals and
ellipses whole; text and language checks."""

from __future__ import annotations

import pytest
from image_to_speech.errors import EmptyTextError, TextTooLongError, UnsupportedLanguageError
from image_to_speech.inference.text import (
    chunk_sentences,
    normalize_language,
    require_text,
    split_sentences,
)


@pytest.mark.parametrize(
    "text, sentences",
    [
        # a quotation ending in ? or ! goes on with a lowercase word: one sentence
        (
            '"Where are you going?" she asked. He left.',
            ['"Where are you going?" she asked.', "He left."],
        ),
        ('"Stop!" he shouted at the dog.', ['"Stop!" he shouted at the dog.']),
        ('"Stop!" He ran.', ['"Stop!"', "He ran."]),
        # abbreviations and initials
        ("Dr. Silva arrived. She sat down.", ["Dr. Silva arrived.", "She sat down."]),
        (
            "I like cats, e.g. Tom and Felix. They purr!",
            ["I like cats, e.g. Tom and Felix.", "They purr!"],
        ),
        (
            "He met J. Smith at 5 p.m. Tuesday. Fine.",
            ["He met J. Smith at 5 p.m. Tuesday.", "Fine."],
        ),
        ("O Sr. João chegou. Ele sorriu.", ["O Sr. João chegou.", "Ele sorriu."]),
        # decimals
        (
            "It weighs 3.5 kg. The box is 0.75 m wide.",
            ["It weighs 3.5 kg.", "The box is 0.75 m wide."],
        ),
        # ellipses: a lowercase continuation stays, a capital starts a new sentence
        ("Wait... then he came. Yes.", ["Wait... then he came.", "Yes."]),
        ("Wait… Then he came.", ["Wait…", "Then he came."]),
        ("A cat sleeps", ["A cat sleeps"]),
    ],
)
def test_split_sentences(text: str, sentences: list[str]) -> None:
    assert split_sentences(text) == sentences


def test_no_word_is_lost_by_splitting() -> None:
    text = '"Where are you going?" she asked... Dr. Brown said 2.5 km, e.g. far. OK!'
    assert " ".join(split_sentences(text)).split() == text.split()


def test_chunks_stay_under_the_limit_and_keep_every_word() -> None:
    sentence = ", ".join(["a long clause"] * 40) + "."
    chunks = chunk_sentences([sentence], 100)
    assert all(len(chunk) <= 100 for chunk in chunks)
    assert " ".join(chunks).split() == sentence.split()


def test_text_checks() -> None:
    assert require_text("  Oi.  ", max_chars=10) == "Oi."
    with pytest.raises(EmptyTextError):
        require_text(" \n ", max_chars=10)
    with pytest.raises(TextTooLongError) as caught:
        require_text("x" * 11, max_chars=10)
    assert caught.value.allowed == {"max_chars": 10}
    assert normalize_language("pt_br", ("pt-BR",)) == "pt-BR"
    with pytest.raises(UnsupportedLanguageError):
        normalize_language("fr", ("pt-BR",))
