"""Whisper base (CTranslate2) through faster-whisper: WAV bytes -> Portuguese text.

The bundle is built by `make models` (`python -m model_build build asr whisper-base`). Decoding
is deterministic: beam search (5 beams) at temperature 0 only. faster-whisper's default falls
back to SAMPLING at higher temperatures when a transcript looks unlikely, which is exactly what
unclear speech triggers; a measuring tool must give the same number twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from image_to_speech.inference.bundle import load_bundle, models_dir

from .audio import to_whisper_input

ASR_PRESET = "whisper-base"
LANGUAGE = "pt"
BEAM_SIZE = 5
THREADS = 2
MAX_NEW_TOKENS = 96


class AsrUnavailableError(RuntimeError):
    """The recogniser bundle or faster-whisper is missing (tests skip, tools explain)."""


def asr_bundle_dir() -> Path:
    return models_dir() / "asr" / ASR_PRESET


def asr_unavailable_reason() -> str | None:
    """None when the recogniser can be loaded, else a sentence saying what to do."""
    path = asr_bundle_dir()
    if not (path / "manifest.json").is_file():
        return (
            f"no ASR bundle at {path}: build it with "
            f"`python -m model_build build asr {ASR_PRESET}` (or `make models`)"
        )
    try:
        import faster_whisper  # noqa: F401
    except ImportError:
        return "faster-whisper is not installed: pip install -r requirements/quality.txt"
    return None


@dataclass
class Transcriber:
    model: Any  # faster_whisper.WhisperModel
    path: Path

    def transcribe(self, wav: bytes) -> str:
        """Text of a 16-bit PCM WAV (any sample rate)."""
        segments, _info = self.model.transcribe(
            to_whisper_input(wav),
            language=LANGUAGE,
            beam_size=BEAM_SIZE,
            temperature=0.0,
            condition_on_previous_text=False,
            vad_filter=False,
            # Never drop a segment as "no speech": unclear speech must count as errors.
            no_speech_threshold=None,
            # A caption is < 60 tokens; unclear audio can send Whisper into a repetition loop
            # ("Nubu Nubu Nubu ...") that would run to 448 tokens and cost seconds.
            max_new_tokens=MAX_NEW_TOKENS,
        )
        return " ".join(segment.text.strip() for segment in segments).strip()


def load_transcriber(path: Path | None = None, *, threads: int = THREADS) -> Transcriber:
    reason = asr_unavailable_reason() if path is None else None
    if reason:
        raise AsrUnavailableError(reason)
    bundle = load_bundle(path or asr_bundle_dir(), task="asr")
    from faster_whisper import WhisperModel

    model = WhisperModel(
        str(bundle.path), device="cpu", compute_type="int8", cpu_threads=threads, num_workers=1
    )
    return Transcriber(model=model, path=bundle.path)
