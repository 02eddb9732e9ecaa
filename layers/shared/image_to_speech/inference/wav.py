"""Float audio -> 16-bit PCM mono WAV bytes, with the standard library's `wave` module."""

from __future__ import annotations

import io
import wave

import numpy as np

PCM_MAX = 32767


def float_to_pcm16(audio: np.ndarray) -> np.ndarray:
    """[-1, 1] floats -> int16; out-of-range samples are clipped, never wrapped around."""
    clipped = np.clip(np.nan_to_num(audio.astype(np.float32).reshape(-1)), -1.0, 1.0)
    return np.round(clipped * PCM_MAX).astype("<i2")


def to_wav_bytes(audio: np.ndarray, sample_rate: int) -> bytes:
    """RIFF/WAVE bytes: 16-bit PCM, mono, at sample_rate."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as writer:
        writer.setnchannels(1)
        writer.setsampwidth(2)
        writer.setframerate(sample_rate)
        writer.writeframes(float_to_pcm16(audio).tobytes())
    return buffer.getvalue()
