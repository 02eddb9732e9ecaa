"""Pure caption phrasing and label naming: no model needed, fast."""

from __future__ import annotations

import pytest
from image_to_speech.inference.classifier_captioner import phrase_caption, with_article

from model_build.classifier import CAPTION_RULES, short_label


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("tabby cat", "a tabby cat"),
        ("Egyptian cat", "an Egyptian cat"),
        ("espresso", "an espresso"),
        ("umbrella", "an umbrella"),
        ("unicycle", "a unicycle"),
        ("European fire salamander", "a European fire salamander"),
        ("hourglass", "an hourglass"),
        ("hammer", "a hammer"),
        ("CD player", "a CD player"),
        ("SLR camera", "an SLR camera"),
    ],
)
def test_article_follows_the_sound_of_the_first_word(label: str, expected: str) -> None:
    # GIVEN a label WHEN an article is added THEN a/an matches how the word is spoken
    assert with_article(label) == expected


def test_a_clear_winner_is_named_alone() -> None:
    # GIVEN a confident top label and a distant runner-up
    ranked = [("espresso", 0.92), ("cup", 0.02)]
    # WHEN phrased THEN only the winner is named, as one capitalised sentence
    assert phrase_caption(ranked, CAPTION_RULES) == "A photo of an espresso."


def test_a_close_runner_up_is_named_too() -> None:
    # GIVEN two labels with nearly the same probability
    ranked = [("Egyptian cat", 0.36), ("tiger cat", 0.33), ("tabby cat", 0.18)]
    # WHEN phrased THEN both are named, each with its own article
    assert phrase_caption(ranked, CAPTION_RULES) == "A photo of an Egyptian cat or a tiger cat."


def test_low_confidence_hedges_instead_of_asserting() -> None:
    # GIVEN a top label below the confidence threshold
    ranked = [("balloon", 0.19), ("ping-pong ball", 0.05)]
    # WHEN phrased THEN the sentence says "may show"
    assert phrase_caption(ranked, CAPTION_RULES) == "A photo that may show a balloon."


def test_phrasing_is_deterministic() -> None:
    ranked = [("tripod", 0.5), ("harmonica", 0.3)]
    assert phrase_caption(ranked, CAPTION_RULES) == phrase_caption(list(ranked), CAPTION_RULES)


@pytest.mark.parametrize(
    ("lemmas", "expected"),
    [
        ("tabby, tabby cat", "tabby cat"),
        ("tench, Tinca tinca", "tench"),
        ("cleaver, meat cleaver, chopper", "meat cleaver"),
        ("dingo, warrigal, warragal, Canis dingo", "dingo"),
        ("indri, indris, Indri indri, Indri brevicaudatus", "indri"),
        ("television, television system", "television"),
        ("Egyptian cat", "Egyptian cat"),
    ],
)
def test_short_label_prefers_a_plain_longer_name_never_latin(lemmas: str, expected: str) -> None:
    # GIVEN WordNet lemmas WHEN shortened THEN a readable English name comes out
    assert short_label(lemmas) == expected
