"""The translation facade: one validation/splitting path, dispatch, and MarianTranslator."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from image_to_speech.errors import (
    BundleIntegrityError,
    EmptyTextError,
    InvalidParameterError,
    TextTooLongError,
    UnsupportedLanguageError,
)
from image_to_speech.inference.limits import Decoding
from image_to_speech.inference.loaders import load_translator
from image_to_speech.inference.marian import MarianTranslator
from image_to_speech.inference.translation import (
    MAX_TRANSLATE_CHARS,
    BaseTranslator,
    TranslationResult,
)

from tests.conftest import bundle_path


class RecordingTranslator(BaseTranslator):
    """Upper-cases each sentence and records the batches it was given."""

    batch_size = 2

    def __init__(self) -> None:
        self.batches: list[list[str]] = []
        self.load_ms = 0.0

    def _translate_batch(self, sentences: list[str], decoding: Decoding) -> list[str]:
        self.batches.append(list(sentences))
        return [s.upper() for s in sentences]


@pytest.fixture(scope="module")
def marian() -> MarianTranslator:
    translator = load_translator(bundle_path("translate", "tiny-random"), threads=1)
    assert isinstance(translator, MarianTranslator)
    return translator


def test_long_text_is_split_into_sentences_and_batched_in_order() -> None:
    """GIVEN 5 sentences WHEN translated with batch size 2 THEN 3 batches, order kept."""
    translator = RecordingTranslator()
    text = "One cat. Two dogs! Dr. Silva came? Four birds. Five fish"
    result = translator.translate(text, target="pt-br")
    assert translator.batches == [
        ["One cat.", "Two dogs!"],
        ["Dr. Silva came?", "Four birds."],
        ["Five fish"],
    ]
    assert result.text == "ONE CAT. TWO DOGS! DR. SILVA CAME? FOUR BIRDS. FIVE FISH"
    assert result.sentences == 5
    assert result.ms >= 0


def test_a_sentence_longer_than_the_chunk_limit_is_cut() -> None:
    translator = RecordingTranslator()
    translator.max_sentence_chars = 50
    translator.translate("word " * 40)
    chunks = [s for batch in translator.batches for s in batch]
    assert len(chunks) > 1 and all(len(c) <= 50 for c in chunks)


@pytest.mark.parametrize("text", ["", "   \n\t "])
def test_empty_text_is_refused(text: str) -> None:
    with pytest.raises(EmptyTextError) as error:
        RecordingTranslator().translate(text)
    assert error.value.allowed == {"min_chars": 1, "max_chars": MAX_TRANSLATE_CHARS}


def test_text_over_the_limit_is_refused() -> None:
    with pytest.raises(TextTooLongError) as error:
        RecordingTranslator().translate("a" * (MAX_TRANSLATE_CHARS + 1))
    assert error.value.http_status == 413


@pytest.mark.parametrize(("source", "target"), [("fr", "pt-BR"), ("en", "es"), ("en", "pt-PT")])
def test_unknown_languages_are_refused_listing_the_supported_ones(source: str, target: str) -> None:
    with pytest.raises(UnsupportedLanguageError) as error:
        RecordingTranslator().translate("Hello.", source=source, target=target)
    assert error.value.allowed in (["en"], ["pt-BR"])
    assert error.value.to_dict()["error"] == "unsupported_language"


@pytest.mark.parametrize("num_beams", [0, 9, -1, True, 2.0, "2"])
def test_invalid_num_beams_is_refused(num_beams: object) -> None:
    with pytest.raises(InvalidParameterError) as error:
        RecordingTranslator().translate("Hello.", num_beams=num_beams)  # type: ignore[arg-type]
    assert error.value.allowed["num_beams"] == {"min": 1, "max": 8}


@pytest.mark.parametrize("max_new_tokens", [0, 513, False])
def test_invalid_max_new_tokens_is_refused(max_new_tokens: object) -> None:
    with pytest.raises(InvalidParameterError):
        RecordingTranslator().translate("Hello.", max_new_tokens=max_new_tokens)  # type: ignore[arg-type]


def test_nothing_runs_when_validation_fails() -> None:
    translator = RecordingTranslator()
    with pytest.raises(InvalidParameterError):
        translator.translate("Hello.", num_beams=0)
    assert translator.batches == []


@pytest.mark.models
def test_load_translator_dispatches_marian_bundles(marian: MarianTranslator) -> None:
    assert marian.bundle.kind == "marian"
    assert marian.source_languages == ("en",) and marian.target_languages == ("pt-BR",)
    assert marian.load_ms > 0


@pytest.mark.models
def test_load_translator_refuses_an_unknown_kind(tmp_path: Path) -> None:
    """GIVEN a verified bundle whose manifest says kind 'nonsense' THEN a BundleIntegrityError."""
    copy = tmp_path / "bundle"
    shutil.copytree(bundle_path("translate", "tiny-random"), copy)
    manifest = json.loads((copy / "manifest.json").read_text())
    manifest["kind"] = "nonsense"
    (copy / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(BundleIntegrityError, match="nonsense"):
        load_translator(copy)


@pytest.mark.models
def test_marian_translates_several_sentences_through_the_full_loop(
    marian: MarianTranslator,
) -> None:
    """GIVEN the tiny random Marian WHEN translating 3 sentences (greedy and beam) THEN a
    TranslationResult with text (random words: the model is untrained) and 3 sentences."""
    text = "A cat is sleeping on the sofa. Where is the bus stop? Thank you very much."
    for beams in (1, 3):
        result = marian.translate(text, num_beams=beams, max_new_tokens=12)
        assert isinstance(result, TranslationResult)
        assert result.sentences == 3
        assert result.text.strip()


@pytest.mark.models
def test_marian_respects_max_new_tokens(marian: MarianTranslator) -> None:
    sentences = ["A cat is sleeping on the sofa.", "Hello"]
    for budget in (1, 5, 9):
        for beams in (1, 4):
            for ids in marian.generate_ids(sentences, num_beams=beams, max_new_tokens=budget):
                assert len(ids) <= budget


@pytest.mark.models
def test_marian_validation_uses_the_shared_path(marian: MarianTranslator) -> None:
    with pytest.raises(UnsupportedLanguageError):
        marian.translate("Hello.", target="de")
    with pytest.raises(InvalidParameterError):
        marian.translate("Hello.", num_beams=9)
    with pytest.raises(InvalidParameterError):  # the tiny model has 128 positions
        marian.translate("Hello.", max_new_tokens=200)
    with pytest.raises(EmptyTextError):
        marian.translate(" ")
