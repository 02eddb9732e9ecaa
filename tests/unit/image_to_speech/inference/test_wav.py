"""WAV encoding: 16-bit PCM mono, clipping instead of wrap-around, and the test reader."""

from __future__ import annotations

import numpy as np
import pytest
from image_to_speech.inference.wav import float_to_pcm16, to_wav_bytes

from tests.helpers.audio import read_wav


def test_round_trip_keeps_rate_length_and_values() -> None:
    # GIVEN a 440 Hz tone WHEN written and read back THEN the samples survive to 16-bit precision
    tone = 0.5 * np.sin(2 * np.pi * 440 * np.arange(22050) / 22050).astype(np.float32)
    data = to_wav_bytes(tone, 22050)
    assert data[:4] == b"RIFF" and data[8:12] == b"WAVE"
    audio = read_wav(data)
    assert (audio.sample_rate, audio.channels, audio.sample_width) == (22050, 1, 2)
    assert audio.duration_s == pytest.approx(1.0)
    assert np.max(np.abs(audio.samples - tone)) < 1e-4
    assert audio.rms == pytest.approx(0.5 / np.sqrt(2), rel=1e-3)


def test_out_of_range_and_nan_samples_are_clipped_not_wrapped() -> None:
    pcm = float_to_pcm16(np.array([2.0, -3.0, np.nan, 1.0, -1.0], dtype=np.float32))
    assert pcm.tolist() == [32767, -32767, 0, 32767, -32767]


def test_reader_refuses_non_16_bit() -> None:
    import io
    import wave

    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as writer:
        writer.setnchannels(1)
        writer.setsampwidth(1)
        writer.setframerate(8000)
        writer.writeframes(b"\x80" * 10)
    with pytest.raises(ValueError, match="16-bit"):
        read_wav(buffer.getvalue())
