"""Test-only audio helpers: parse the WAVs the synthesizer makes (never shipped in an image)."""

from __future__ import annotations

import io
import wave
from dataclasses import dataclass

import numpy as np
from image_to_speech.inference.wav import PCM_MAX


@dataclass(frozen=True)
class WavAudio:
    samples: np.ndarray  # float32 in [-1, 1], mono (channels averaged)
    sample_rate: int
    channels: int
    sample_width: int

    @property
    def duration_s(self) -> float:
        return len(self.samples) / self.sample_rate if self.sample_rate else 0.0

    @property
    def rms(self) -> float:
        return float(np.sqrt(np.mean(np.square(self.samples)))) if len(self.samples) else 0.0


def read_wav(data: bytes) -> WavAudio:
    """Parse 16-bit PCM WAV bytes (raises wave.Error / ValueError on anything else)."""
    with wave.open(io.BytesIO(data), "rb") as reader:
        channels, width, rate = reader.getnchannels(), reader.getsampwidth(), reader.getframerate()
        if width != 2:
            raise ValueError(f"expected 16-bit PCM, got {8 * width}-bit")
        frames = reader.readframes(reader.getnframes())
    pcm = np.frombuffer(frames, dtype="<i2").astype(np.float32) / PCM_MAX
    samples = pcm.reshape(-1, channels).mean(axis=1) if channels > 1 else pcm
    return WavAudio(samples, rate, channels, width)
