"""CER guard: the default offline voice stays as intelligible as its manifest says it is.

Whisper base transcribes the voice's rendering of the first sentences of the fixed pt-BR set;
the character error rate must stay within the manifest's margin of the value measured when the
preset was tuned (model_build/joe_ptbr.py). Skips, saying why, when the ASR bundle or
faster-whisper is missing; `make models` builds the bundle, so CI runs it.
"""

from __future__ import annotations

import json

import pytest
from image_to_speech.inference.bundle import DEFAULT_PRESETS, MANIFEST_NAME

from quality.asr import Transcriber, asr_unavailable_reason, load_transcriber
from quality.intelligibility import load_sentences, score_voice
from quality.metrics import error_counts
from quality.voices import bundle_voice
from tests.conftest import bundle_path

pytestmark = [pytest.mark.asr, pytest.mark.slow]


@pytest.fixture(scope="module")
def transcriber() -> Transcriber:
    reason = asr_unavailable_reason()
    if reason:
        pytest.skip(f"speech recogniser unavailable: {reason}")
    return load_transcriber()


def test_default_offline_voice_keeps_its_measured_cer(transcriber: Transcriber) -> None:
    # GIVEN the default offline speak bundle and the guard recorded in its manifest
    path = bundle_path("speak", DEFAULT_PRESETS["speak"])
    manifest = json.loads((path / MANIFEST_NAME).read_text())
    guard = manifest["config"]["intelligibility"]["guard"]
    sentences = load_sentences()[: guard["sentences"]]
    # WHEN it speaks the guard's sentences and Whisper transcribes them
    score = score_voice(bundle_voice(path), sentences, transcriber)
    # THEN the CER is no worse than measured, plus the margin that covers run-to-run noise
    worst = [
        f"{r.reference!r} -> {r.transcript!r}"
        for r in sorted(score.results, key=lambda r: -error_counts(r.reference, r.transcript).cer)
    ][:3]
    assert score.cer <= guard["cer"] + guard["margin"], (
        f"CER {score.cer:.3f} on {len(sentences)} sentences, recorded {guard['cer']:.3f} "
        f"+ margin {guard['margin']:.3f}. Some transcripts: {worst}"
    )
