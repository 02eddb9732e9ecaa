"""What a speech model is to the rest of the package: its result, its protocol, its limits.

The implementation is synthesizer.py (Piper VITS voices); loaders.py loads it. No numpy or
onnxruntime here, so the request schemas can import the limits.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from .bundle import Bundle

# Two limits, one per path. The pipeline's speak task (Step Functions) takes up to
# MAX_SPEAK_CHARS. POST /speak must answer inside the HTTP API's 30 s, cold start included:
# 3,000 characters took 21.6 s on 2 cores (about 7 ms a character), 1,000 take about 7 s.
MAX_SPEAK_CHARS = 3000
MAX_SYNC_SPEAK_CHARS = 1000
# Speech controls and their safe ranges (outside them VITS mumbles, rushes or drones).
LENGTH_SCALE_RANGE = (0.5, 2.0)  # 2x faster .. 2x slower than the voice's natural pace
NOISE_SCALE_RANGE = (0.0, 1.5)  # 0 = flat, deterministic timbre; Piper voices use ~0.667
NOISE_W_RANGE = (0.0, 1.5)  # phoneme-duration variation; Piper voices use ~0.8
SENTENCE_SILENCE_RANGE = (0.0, 2.0)  # seconds between sentences


@dataclass(frozen=True)
class SpeechResult:
    wav: bytes  # RIFF/WAVE, 16-bit PCM mono
    sample_rate: int
    duration_s: float
    ms: float


class Synthesizer(Protocol):
    bundle: Bundle
    load_ms: float

    @property
    def languages(self) -> tuple[str, ...]: ...  # ("pt-BR", ...)

    def synthesize(
        self,
        text: str,
        *,
        language: str = "pt-BR",
        length_scale: float | None = None,
        noise_scale: float | None = None,
        noise_w: float | None = None,
        sentence_silence_s: float | None = None,
    ) -> SpeechResult: ...
