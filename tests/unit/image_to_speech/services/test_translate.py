"""services/translate.py with a fake translator."""

from __future__ import annotations

import pytest
from image_to_speech.errors import UnsupportedLanguageError
from image_to_speech.services.translate import translate_text

from tests.fakes import FakeTranslator


def test_languages_are_answered_in_their_canonical_spelling() -> None:
    answer = translate_text(FakeTranslator(), "A cat. A dog.", source="EN", target="pt_br")
    assert (answer.source, answer.target) == ("en", "pt-BR")
    assert answer.translation == "[pt-BR] A cat. [pt-BR] A dog."


def test_unknown_language_lists_the_supported_ones() -> None:
    translator = FakeTranslator()
    with pytest.raises(UnsupportedLanguageError) as caught:
        translate_text(translator, "Hi.", target="fr")
    assert caught.value.allowed == ["pt-BR"] and translator.batches == []
