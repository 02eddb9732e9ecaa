"""Text -> speech (16-bit PCM WAV) with a Piper VITS voice in onnxruntime.

Text is validated, split into sentences (long ones into chunks), phonemized by the espeak-ng
program in one call, and each sentence runs through the VITS graph separately (the model was
trained on sentences); a short silence joins them into one WAV.
"""

from __future__ import annotations

import json
import math
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import onnxruntime as ort

from .bundle import Bundle, load_bundle, resolve_bundle_dir
from .errors import BundleIntegrityError, EmptyTextError, InvalidParameterError
from .limits import MAX_SPEAK_CHARS
from .phonemize import phoneme_ids, phonemize_sentences, rewrite_phonemes
from .session import create_session
from .text import chunk_sentences, normalize_language, require_text, split_sentences
from .wav import to_wav_bytes

# Longest piece given to VITS at once: longer sentences are cut at commas/spaces.
MAX_CHUNK_CHARS = 400
SENTENCE_SILENCE_S = 0.2
LENGTH_SCALE_RANGE = (0.5, 2.0)  # 2x faster .. 2x slower than the voice's natural pace
NOISE_SCALE_RANGE = (0.0, 1.5)  # 0 = flat, deterministic timbre; Piper voices use ~0.667
SUPPORTED_KINDS = ("piper-vits",)


@dataclass(frozen=True)
class SpeechResult:
    wav: bytes  # RIFF/WAVE, 16-bit PCM mono
    sample_rate: int
    duration_s: float
    ms: float


@dataclass(frozen=True)
class Scales:
    noise_scale: float
    length_scale: float
    noise_w: float

    def as_array(self) -> np.ndarray:
        return np.array([self.noise_scale, self.length_scale, self.noise_w], dtype=np.float32)


class Synthesizer:
    """One Piper voice: its ONNX session, phoneme id map, languages and default scales."""

    def __init__(self, bundle: Bundle, session: ort.InferenceSession, load_ms: float) -> None:
        config = bundle.config
        self.bundle = bundle
        self.session = session
        self.load_ms = load_ms
        self.sample_rate = int(config["sample_rate"])
        # language tag -> espeak-ng voice, e.g. {"en-US": "en-us", "pt-BR": "pt-br"}
        self.voices: dict[str, str] = dict(config["languages"])
        self.languages: tuple[str, ...] = tuple(self.voices)
        inference = config.get("inference", {})
        self.default_scales = Scales(
            noise_scale=float(inference.get("noise_scale", 0.667)),
            length_scale=float(inference.get("length_scale", 1.0)),
            noise_w=float(inference.get("noise_w", 0.8)),
        )
        id_map = json.loads(bundle.file(config["phoneme_id_map_file"]).read_text())
        self.id_map: dict[str, list[int]] = {key: list(ids) for key, ids in id_map.items()}
        # Optional per-bundle data (model_build/piper.py): phoneme rewrites per espeak-ng voice
        # and the silence between sentences.
        self.phoneme_rewrites: dict[str, list[list[str]]] = dict(config.get("phoneme_rewrites", {}))
        self.sentence_silence_s = float(config.get("sentence_silence_s", SENTENCE_SILENCE_S))
        self._input_names = {i.name for i in session.get_inputs()}

    def synthesize(
        self,
        text: str,
        *,
        language: str = "pt-BR",
        length_scale: float | None = None,
        noise_scale: float | None = None,
    ) -> SpeechResult:
        started = time.perf_counter()
        cleaned = require_text(text, max_chars=MAX_SPEAK_CHARS)
        language = normalize_language(language, self.languages)
        scales = Scales(
            noise_scale=_checked(
                "noise_scale", noise_scale, self.default_scales.noise_scale, NOISE_SCALE_RANGE
            ),
            length_scale=_checked(
                "length_scale", length_scale, self.default_scales.length_scale, LENGTH_SCALE_RANGE
            ),
            noise_w=self.default_scales.noise_w,
        )
        chunks = chunk_sentences(split_sentences(cleaned), MAX_CHUNK_CHARS)
        voice = self.voices[language]
        rewrites = self.phoneme_rewrites.get(voice, [])
        phonemes = [rewrite_phonemes(p, rewrites) for p in phonemize_sentences(chunks, voice) if p]
        if not phonemes:
            raise EmptyTextError(
                "'text' has nothing that can be spoken (no letters or digits).",
                allowed={"min_chars": 1, "max_chars": MAX_SPEAK_CHARS},
            )
        audio = self.speak_phonemes(phonemes, scales)
        return SpeechResult(
            wav=to_wav_bytes(audio, self.sample_rate),
            sample_rate=self.sample_rate,
            duration_s=len(audio) / self.sample_rate,
            ms=(time.perf_counter() - started) * 1000,
        )

    def speak_phonemes(self, phonemes: list[str], scales: Scales) -> np.ndarray:
        """Float audio for phoneme strings (one per sentence), joined by short silences."""
        silence = np.zeros(int(self.sample_rate * self.sentence_silence_s), dtype=np.float32)
        pieces: list[np.ndarray] = []
        for index, sentence in enumerate(phonemes):
            if index:
                pieces.append(silence)
            pieces.append(self.run_ids(phoneme_ids(sentence, self.id_map), scales))
        return np.concatenate(pieces)

    def run_ids(self, ids: list[int], scales: Scales) -> np.ndarray:
        """One VITS run: phoneme ids -> float32 mono samples."""
        feeds: dict[str, Any] = {
            "input": np.array([ids], dtype=np.int64),
            "input_lengths": np.array([len(ids)], dtype=np.int64),
            "scales": scales.as_array(),
        }
        if "sid" in self._input_names:  # multi-speaker voices: first speaker
            feeds["sid"] = np.array([0], dtype=np.int64)
        audio = self.session.run(None, feeds)[0]
        return np.asarray(audio, dtype=np.float32).reshape(-1)


def _checked(name: str, value: float | None, default: float, allowed: tuple[float, float]) -> float:
    if value is None:
        return default
    low, high = allowed
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not math.isfinite(value)
        or not low <= value <= high
    ):
        raise InvalidParameterError(
            f"'{name}' must be a number from {low} to {high}, got {value!r}.",
            allowed={"min": low, "max": high},
        )
    return float(value)


def load_synthesizer(
    bundle_dir: Path | str | None = None, *, threads: int | None = None
) -> Synthesizer:
    """Verify the speak bundle and open its ONNX session (None -> the configured preset)."""
    started = time.perf_counter()
    bundle = load_bundle(bundle_dir or resolve_bundle_dir("speak"), task="speak")
    if bundle.kind not in SUPPORTED_KINDS:
        raise BundleIntegrityError(
            f"{bundle.path}: kind '{bundle.kind}' is not a speech model ({SUPPORTED_KINDS})"
        )
    # config["session"]: per-bundle options measured at build time (model_build/piper.py).
    session = create_session(
        bundle.file(bundle.config["model_file"]), threads, bundle.config.get("session")
    )
    return Synthesizer(bundle, session, load_ms=(time.perf_counter() - started) * 1000)
