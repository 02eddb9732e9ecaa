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
from typing import Any

import numpy as np
import onnxruntime as ort

from ..errors import BundleIntegrityError, EmptyTextError, InvalidParameterError
from .bundle import Bundle
from .phonemize import phoneme_ids, phonemize_sentences, rewrite_phonemes
from .session import create_session
from .speech import (
    LENGTH_SCALE_RANGE,
    MAX_SPEAK_CHARS,
    NOISE_SCALE_RANGE,
    NOISE_W_RANGE,
    SENTENCE_SILENCE_RANGE,
    SpeechResult,
)
from .text import chunk_sentences, normalize_language, require_text, split_sentences
from .wav import to_wav_bytes

# Longest piece given to VITS at once: longer sentences are cut at commas/spaces.
MAX_CHUNK_CHARS = 400
SENTENCE_SILENCE_S = 0.2
SUPPORTED_KINDS = ("piper-vits",)


@dataclass(frozen=True)
class Scales:
    noise_scale: float
    length_scale: float
    noise_w: float

    def as_array(self) -> np.ndarray:
        return np.array([self.noise_scale, self.length_scale, self.noise_w], dtype=np.float32)


class PiperSynthesizer:
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
        # Silence between sentences: the bundle's choice (its inference config), else 0.2 s.
        self.sentence_silence_s = float(
            inference.get(
                "sentence_silence_s", config.get("sentence_silence_s", SENTENCE_SILENCE_S)
            )
        )
        id_map = json.loads(bundle.file(config["phoneme_id_map_file"]).read_text())
        self.id_map: dict[str, list[int]] = {key: list(ids) for key, ids in id_map.items()}
        # Optional per-bundle data (model_build/piper.py): phoneme rewrites per espeak-ng voice
        # and the silence between sentences.
        self.phoneme_rewrites: dict[str, list[list[str]]] = dict(config.get("phoneme_rewrites", {}))
        self._input_names = {i.name for i in session.get_inputs()}

    @classmethod
    def open(cls, bundle: Bundle, threads: int | None = None) -> PiperSynthesizer:
        """Open the bundle's ONNX session (its config["session"]: options measured at build
        time, see model_build/piper.py)."""
        started = time.perf_counter()
        if bundle.kind not in SUPPORTED_KINDS:
            raise BundleIntegrityError(
                f"{bundle.path}: kind '{bundle.kind}' is not a speech model ({SUPPORTED_KINDS})"
            )
        session = create_session(
            bundle.file(bundle.config["model_file"]), threads, bundle.config.get("session")
        )
        return cls(bundle, session, load_ms=(time.perf_counter() - started) * 1000)

    def synthesize(
        self,
        text: str,
        *,
        language: str = "pt-BR",
        length_scale: float | None = None,
        noise_scale: float | None = None,
        noise_w: float | None = None,
        sentence_silence_s: float | None = None,
    ) -> SpeechResult:
        """WAV bytes of `text`; None for a control means the voice's own default."""
        started = time.perf_counter()
        cleaned = require_text(text, max_chars=MAX_SPEAK_CHARS)
        language = normalize_language(language, self.languages)
        defaults = self.default_scales
        scales = Scales(
            noise_scale=_checked(
                "noise_scale", noise_scale, defaults.noise_scale, NOISE_SCALE_RANGE
            ),
            length_scale=_checked(
                "length_scale", length_scale, defaults.length_scale, LENGTH_SCALE_RANGE
            ),
            noise_w=_checked("noise_w", noise_w, defaults.noise_w, NOISE_W_RANGE),
        )
        silence_s = _checked(
            "sentence_silence_s",
            sentence_silence_s,
            self.sentence_silence_s,
            SENTENCE_SILENCE_RANGE,
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
        audio = self.speak_phonemes(phonemes, scales, silence_s)
        return SpeechResult(
            wav=to_wav_bytes(audio, self.sample_rate),
            sample_rate=self.sample_rate,
            duration_s=len(audio) / self.sample_rate,
            ms=(time.perf_counter() - started) * 1000,
        )

    def speak_phonemes(
        self, phonemes: list[str], scales: Scales, silence_s: float | None = None
    ) -> np.ndarray:
        """Float audio for phoneme strings (one per sentence), joined by short silences."""
        gap = self.sentence_silence_s if silence_s is None else silence_s
        silence = np.zeros(int(self.sample_rate * gap), dtype=np.float32)
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
