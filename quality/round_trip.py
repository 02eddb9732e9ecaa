"""The pipeline's audio back to text: how much of the translation a listener (Whisper) gets.

Computed locally after a job finishes (Whisper never runs in a function image) and written into
the saved result document as `quality`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .asr import ASR_PRESET, BEAM_SIZE, LANGUAGE, Transcriber
from .metrics import error_counts


def round_trip_quality(transcriber: Transcriber, wav: bytes, translation: str) -> dict[str, Any]:
    """{"asr_cer", "asr_wer", "asr_transcript", "asr_model"} of the audio against its text."""
    transcript = transcriber.transcribe(wav)
    counts = error_counts(translation, transcript)
    return {
        "asr_cer": round(counts.cer, 4),
        "asr_wer": round(counts.wer, 4),
        "asr_transcript": transcript,
        "asr_model": f"{ASR_PRESET} (faster-whisper, language={LANGUAGE}, beam {BEAM_SIZE})",
    }


def add_quality_to_result(result_path: Path, quality: dict[str, Any]) -> None:
    """Write `quality` into a saved result document (JSON) next to the pipeline's fields."""
    document = json.loads(result_path.read_text(encoding="utf-8"))
    document["quality"] = quality
    result_path.write_text(json.dumps(document, indent=2, ensure_ascii=False), encoding="utf-8")
