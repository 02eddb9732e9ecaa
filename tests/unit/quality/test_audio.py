"""WAV reading for the recogniser: streamed espeak-ng WAVs and the synthesizer's WAVs."""

from __future__ import annotations

import shutil
import struct
import subprocess

import numpy as np
import pytest
from image_to_speech.inference.wav import to_wav_bytes

from quality.audio import WHISPER_RATE, read_wav, to_whisper_input, wav_seconds


def test_synthesizer_wav_round_trips() -> None:
    # GIVEN one second of a 440 Hz tone written by the runtime's WAV writer at 22.05 kHz
    t = np.arange(22050) / 22050
    wav = to_wav_bytes((0.5 * np.sin(2 * np.pi * 440 * t)).astype(np.float32), 22050)
    samples, rate = read_wav(wav)
    assert rate == 22050 and len(samples) == 22050
    assert float(np.abs(samples).max()) == pytest.approx(0.5, abs=0.01)
    # WHEN resampled for Whisper THEN 16 kHz, same duration, the tone's level kept
    resampled = to_whisper_input(wav)
    assert len(resampled) == WHISPER_RATE
    assert float(np.abs(resampled[1000:-1000]).max()) == pytest.approx(0.5, abs=0.02)
    assert wav_seconds(wav) == pytest.approx(1.0)


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng not installed")
def test_streamed_espeak_wav_with_placeholder_sizes_is_read() -> None:
    # GIVEN espeak-ng's --stdout WAV, whose RIFF/data sizes are 0x7fffffff placeholders
    wav = subprocess.run(
        ["espeak-ng", "-v", "pt-br", "--stdout"], input=b"Bom dia.", capture_output=True
    ).stdout
    assert struct.unpack("<I", wav[40:44])[0] > len(wav)
    # THEN the samples up to the end of the bytes are read
    samples, rate = read_wav(wav)
    assert rate == 22050 and 0.3 < len(samples) / rate < 3
    assert float(np.abs(samples).max()) > 0.05


def test_not_a_wav_is_refused() -> None:
    with pytest.raises(ValueError, match="RIFF"):
        read_wav(b"ID3 not a wav at all")
