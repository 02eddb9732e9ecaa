"""Speak preset `piper-en_US-joe-medium-ptbr`: the Joe voice tuned to speak pt-BR intelligibly.

Joe (an en_US Piper voice) was trained only on espeak-ng en-us phoneme sequences. Fed espeak-ng's
pt-br phonemes as they are, it meets symbols it never saw (nasal vowels, x, ɲ, ʎ, y for final -e,
æ for final -a) and pt vowels without English length/diphthongs, and a recogniser understands
little of it. This preset keeps Joe's weights and carries, as DATA in its manifest:

- `config["phoneme_rewrites"]["pt-br"]`: ordered [regex, replacement] rules that map espeak-ng's
  pt-br phonemes onto the inventory Joe was trained on (EN_US_INVENTORY, measured with espeak-ng
  en-us), applied by the runtime's generic `inference.phonemize.rewrite_phonemes` before the
  phoneme ids are made;
- `config["inference"]`: length/noise scales chosen by measurement (the runtime also reads an
  optional `config["sentence_silence_s"]`; this preset keeps the default 0.2 s);
- `config["intelligibility"]`: the CER/WER measured on quality/data/pt_sentences.txt and the
  guard the CER test (tests/unit/speak/test_intelligibility.py) holds the voice to.

Every choice was measured with the intelligibility benchmark (`python -m benchmarks
intelligibility`); docs/models.md has the table of what was tried.
"""

from __future__ import annotations

from typing import Any

from .context import BuildContext
from .piper import build_joe_voice

# Symbols espeak-ng en-us emits (phonemizing ~0.9 MB of English prose), i.e. what Joe was trained
# on, plus Piper's punctuation and specials. Every rewritten pt-br phoneme must be in here.
EN_US_INVENTORY = frozenset("abdefhijklmnoprstuvwzæðŋɐɑɔəɚɛɜɡɪɹɾʃʊʌʒʔθᵻˈˌː\u0329") | frozenset(
    " .,;:!?"
)

# Ordered rules; regexes run on the NFD phoneme string (a nasal vowel is vowel + U+0303).
# espeak-ng puts the stress mark right before the stressed VOWEL, so "ˈa" is a stressed a.
PHONEME_REWRITES_PT_BR: list[list[str]] = [
    # nasal vowels: English has none; a vowel and a nasal consonant is what Joe can say
    ["ɐ̃ʊ̃", "aʊŋ"],  # -ão
    ["ɐ̃", "ʌ"],  # -an-/-am- (espeak already writes the following ŋ/n/m)
    ["ũ", "ʊ"],  # um
    ["õ", "oʊ"],
    ["ĩ", "iː"],
    ["ẽ", "eɪ"],
    ["\u0303", ""],  # any other nasal mark
    # consonants Joe never heard
    ["x", "h"],  # rr / initial r: [h] in most of Brazil
    ["ɾə", "ɹ"],  # coda r: espeak writes a tap plus an epenthetic schwa ("dormindo")
    ["r", "ɹ"],  # r in clusters (prato, três) and word-final r
    ["ɲ", "nj"],
    ["ʎ", "lj"],
    # stressed vowels: en-us writes them long or as diphthongs, never bare
    ["ˈa(?![ɪʊ])", "ˈɑː"],
    ["ˈi", "ˈiː"],
    ["ˈu", "ˈuː"],
    ["ˈɔ", "ˈɔː"],
    ["oɪ", "ɔɪ"],
    ["ˈo(?![ʊɪ])", "ˈoʊ"],
    ["ˈe(?![ɪ])", "ˈeɪ"],
    # unstressed vowels espeak-ng pt-br writes with symbols en-us uses otherwise
    ["æ", "ə"],  # final -a
    ["y", "i"],  # final -e
    ["(?<![ˈˌ])a(?![ɪʊ])", "ɐ"],
    # espeak-ng pt-br marks secondary stress on most unstressed syllables ("ˌumæ" for "uma");
    # Joe reads it as English secondary stress and the words come out over-stressed.
    ["ˌ", ""],
]

# Slower than Joe's English pace, and noise off: the mean rendering is as intelligible as any
# sampled one (noise 0.333-0.667 measured no better) and the same every time, which lets the
# CER guard test use a tight margin. A caller may still pass noise_scale per request.
INFERENCE = {"noise_scale": 0.0, "length_scale": 1.35, "noise_w": 0.0}

# Measured with `python -m benchmarks intelligibility` (all 61 sentences, 2026-12-01) and, for
# the guard, the first GUARD_SENTENCES of them; docs/models.md "speak /
# piper-en_US-joe-medium-ptbr" tells what was tried. The issue's target (CER <= 0.25 and below
# espeak-ng pt-br) is NOT reached: better than raw phonemes, still behind espeak-ng's voice.
GUARD_SENTENCES = 20
INTELLIGIBILITY: dict[str, Any] = {
    "asr": "whisper-base (faster-whisper 1.2.1, int8, language pt, beam 5, temperature 0)",
    "sentence_set": "quality/data/pt_sentences.txt",
    "sentences": 61,
    "cer": 0.483,
    "wer": 0.864,
    "espeak_ng_pt_br_cer": 0.430,
    "espeak_ng_pt_br_wer": 0.742,
    "raw_pt_br_phonemes_cer": 0.573,  # piper-en_US-joe-medium, Joe's default scales
    "raw_pt_br_phonemes_wer": 0.924,
    "target": {"cer_max": 0.25, "must_beat_espeak_ng": True, "reached": False},
    "guard": {
        "sentences": GUARD_SENTENCES,
        "cer": 0.478,  # deterministic rendering (noise 0): the same on every run of a machine
        "espeak_ng_pt_br_cer": 0.428,
        # Covers numeric differences between CPUs / builds, estimated by re-rendering the 20
        # sentences with a little noise (noise_scale 0.1) twice: CER 0.495 (+0.017) and 0.452
        # (-0.026). 0.05 is about twice the largest change seen.
        "margin": 0.05,
    },
    "measured_with": "python -m benchmarks intelligibility; tests/unit/speak/test_intelligibility",
}


def build_joe_ptbr(ctx: BuildContext) -> None:
    build_joe_voice(
        ctx,
        language_notes=(
            "An en_US voice speaking pt-BR through phoneme rewrites onto its trained inventory "
            "(config.phoneme_rewrites) and slower, noise-free scales: easier to follow than raw "
            "pt-br phonemes (Whisper base CER 0.48 vs 0.57) but still heavily accented and "
            "behind espeak-ng's own pt-br voice (0.43): see config.intelligibility. Use the "
            "faber preset for native pt-BR."
        ),
        config_overrides={
            "inference": dict(INFERENCE),
            "phoneme_rewrites": {"pt-br": [list(rule) for rule in PHONEME_REWRITES_PT_BR]},
            "intelligibility": dict(INTELLIGIBILITY),
        },
        notes=(
            "Joe's weights unchanged; pt-BR phonemes rewritten onto the en-US inventory and "
            "scales tuned for intelligibility, measured by Whisper base (model_build/joe_ptbr.py)."
        ),
    )
