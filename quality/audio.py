"""WAV bytes -> 16 kHz float32 mono, the input Whisper expects.

espeak-ng's `--stdout` WAV is written as a stream: its RIFF and data sizes are 0x7fffffff
placeholders, which strict readers (the `wave` module, libav) refuse. This reader takes the
format from the `fmt ` chunk and the samples from the `data` chunk to the end of the bytes.
"""

from __future__ import annotations

import math
import struct

import numpy as np

WHISPER_RATE = 16000


def read_wav(wav: bytes) -> tuple[np.ndarray, int]:
    """16-bit PCM WAV (mono or multi-channel) -> float32 mono in [-1, 1] and its sample rate."""
    if wav[:4] != b"RIFF" or wav[8:12] != b"WAVE":
        raise ValueError("not a RIFF/WAVE file")
    offset, channels, rate, bits = 12, 0, 0, 0
    while offset + 8 <= len(wav):
        chunk, size = wav[offset : offset + 4], struct.unpack("<I", wav[offset + 4 : offset + 8])[0]
        body = offset + 8
        if chunk == b"fmt ":
            audio_format, channels, rate = struct.unpack("<HHI", wav[body : body + 8])
            bits = struct.unpack("<H", wav[body + 14 : body + 16])[0]
            if audio_format != 1 or bits != 16:
                raise ValueError(f"only 16-bit PCM is read (format {audio_format}, {bits} bits)")
        elif chunk == b"data":
            if not rate:
                raise ValueError("data chunk before fmt chunk")
            end = min(len(wav), body + size)
            end -= (end - body) % (2 * channels)
            samples = np.frombuffer(wav[body:end], dtype="<i2").astype(np.float32) / 32768.0
            return samples.reshape(-1, channels).mean(axis=1), rate
        offset = body + size + (size & 1)
    raise ValueError("no data chunk")


def to_whisper_input(wav: bytes) -> np.ndarray:
    """The WAV's audio resampled to 16 kHz (polyphase filter), float32 mono."""
    from scipy.signal import resample_poly

    samples, rate = read_wav(wav)
    if rate == WHISPER_RATE:
        return samples
    common = math.gcd(rate, WHISPER_RATE)
    return resample_poly(samples, WHISPER_RATE // common, rate // common).astype(np.float32)


def wav_seconds(wav: bytes) -> float:
    samples, rate = read_wav(wav)
    return len(samples) / rate
