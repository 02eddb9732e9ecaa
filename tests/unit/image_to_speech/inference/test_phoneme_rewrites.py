"""Phoneme rewrites carried by a bundle: the generic runtime function and the pt-BR Joe preset."""

from __future__ import annotations

import unicodedata
from typing import Any

import numpy as np
import pytest
from image_to_speech.inference.loaders import load_synthesizer
from image_to_speech.inference.phonemize import phonemize_sentences, rewrite_phonemes
from image_to_speech.inference.speech import Synthesizer
from image_to_speech.inference.synthesizer import SENTENCE_SILENCE_S

from model_build.joe_ptbr import EN_US_INVENTORY, PHONEME_REWRITES_PT_BR
from quality.intelligibility import load_sentences
from tests.conftest import bundle_path

PTBR = "piper-en_US-joe-medium-ptbr"


def test_rules_apply_in_order_as_regexes_on_nfd_text() -> None:
    # GIVEN a precomposed nasal vowel and ordered rules, the second seeing the first's output
    rules = [["ɐ̃ʊ̃", "aʊŋ"], ["ˈa(?!ʊ)", "ˈɑː"], ["x", "h"]]
    # THEN the nasal diphthong is rewritten first, so the stressed-a rule leaves it alone
    assert rewrite_phonemes("nˈɐ̃ʊ̃ xˈatʊ", rules) == "nˈaʊŋ hˈɑːtʊ"
    assert rewrite_phonemes(unicodedata.normalize("NFC", "ũŋ"), [["ũ", "ʊ"]]) == "ʊŋ"
    assert rewrite_phonemes("abc", []) == "abc"


def test_pt_rewrites_leave_only_phonemes_joe_was_trained_on() -> None:
    # GIVEN every sentence of the intelligibility set and words with each pt-BR special sound
    extra = ["Não, obrigado; prefiro pão, chá e limão.", "Ninguém põe a mãe, o filho e o rio."]
    for phonemes in phonemize_sentences([*load_sentences(), *extra], "pt-br"):
        # WHEN rewritten with the preset's rules THEN no symbol outside Joe's en-US inventory
        rewritten = rewrite_phonemes(phonemes, PHONEME_REWRITES_PT_BR)
        assert set(rewritten) <= EN_US_INVENTORY, (phonemes, rewritten)


@pytest.fixture(scope="module")
def ptbr() -> Synthesizer:
    return load_synthesizer(bundle_path("speak", PTBR), threads=2)


def test_synthesizer_applies_the_bundles_rewrites_to_portuguese_only(
    ptbr: Synthesizer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # GIVEN the preset's synthesizer, recording the phonemes it sends to the model
    seen: list[list[str]] = []

    def record(phonemes: list[str], scales: Any, silence_s: float | None = None) -> np.ndarray:
        seen.append(phonemes)
        return np.zeros(100, dtype=np.float32)

    monkeypatch.setattr(ptbr, "speak_phonemes", record)
    # WHEN it speaks Portuguese and English
    ptbr.synthesize("O cachorro corre na praia.", language="pt-BR")
    ptbr.synthesize("The dog runs on the beach.", language="en-US")
    # THEN the manifest's rules rewrote the pt-br phonemes, and English went through untouched
    (pt_raw,) = phonemize_sentences(["O cachorro corre na praia."], "pt-br")
    (en_raw,) = phonemize_sentences(["The dog runs on the beach."], "en-us")
    assert ptbr.phoneme_rewrites["pt-br"] == PHONEME_REWRITES_PT_BR
    assert seen == [[rewrite_phonemes(pt_raw, PHONEME_REWRITES_PT_BR)], [en_raw]]
    assert "x" in pt_raw and "x" not in seen[0][0]


def test_preset_records_tuned_scales_and_its_measured_intelligibility(ptbr: Synthesizer) -> None:
    config = ptbr.bundle.config
    assert ptbr.default_scales.length_scale == config["inference"]["length_scale"]
    assert ptbr.default_scales.noise_scale == config["inference"]["noise_scale"] == 0.0
    assert ptbr.sentence_silence_s == config.get("sentence_silence_s", SENTENCE_SILENCE_S)
    measured = config["intelligibility"]
    # the rewrites made Joe easier to understand than raw pt-br phonemes (same recogniser)
    assert 0 < measured["cer"] < measured["raw_pt_br_phonemes_cer"]
    assert measured["espeak_ng_pt_br_cer"] > 0 and measured["target"]["cer_max"] == 0.25
    assert measured["guard"]["sentences"] >= 10 and measured["guard"]["margin"] > 0
