"""Intelligibility: speak each sentence, transcribe it with Whisper, score WER and CER."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .asr import Transcriber
from .audio import wav_seconds
from .metrics import ErrorCounts, corpus_counts
from .voices import Voice

SENTENCES_FILE = Path(__file__).resolve().parent / "data" / "pt_sentences.txt"


def load_sentences(path: Path = SENTENCES_FILE) -> list[str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


@dataclass
class SentenceResult:
    reference: str
    transcript: str
    audio_s: float


@dataclass
class VoiceScore:
    voice: str
    results: list[SentenceResult] = field(default_factory=list)
    synth_s: float = 0.0
    asr_s: float = 0.0

    @property
    def counts(self) -> ErrorCounts:
        return corpus_counts([(r.reference, r.transcript) for r in self.results])

    @property
    def wer(self) -> float:
        return self.counts.wer

    @property
    def cer(self) -> float:
        return self.counts.cer


def score_voice(
    voice: Voice,
    sentences: Sequence[str],
    transcriber: Transcriber,
    on_sentence: Callable[[SentenceResult], None] | None = None,
) -> VoiceScore:
    score = VoiceScore(voice.name)
    for sentence in sentences:
        started = time.perf_counter()
        wav = voice.speak(sentence)
        score.synth_s += time.perf_counter() - started
        started = time.perf_counter()
        transcript = transcriber.transcribe(wav)
        score.asr_s += time.perf_counter() - started
        result = SentenceResult(sentence, transcript, wav_seconds(wav))
        score.results.append(result)
        if on_sentence is not None:
            on_sentence(result)
    return score
