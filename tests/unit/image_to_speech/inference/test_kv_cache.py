"""The KV-cache decoding path against a cache-free recomputation, on real tiny ONNX bundles.

fp32 bundles: the cached and cache-free paths must give the same tokens (and logits to float
precision). int8 bundles quantize activations per tensor, so a different tensor shape may
legitimately move a near-tie; there we check the full loop runs and respects its budget.
"""

from __future__ import annotations

import numpy as np
import pytest
from image_to_speech.errors import InvalidParameterError, NotAnImageError
from image_to_speech.inference.captioning import CaptionResult
from image_to_speech.inference.generation import MergedDecoder
from image_to_speech.inference.loaders import load_captioner, load_translator
from image_to_speech.inference.marian import MarianTranslator
from image_to_speech.inference.vision_encoder_decoder import EncoderDecoderCaptioner, as_sentence

from tests.conftest import bundle_path, photo_bytes

# Every test here runs a real model bundle (`make models`).
pytestmark = pytest.mark.models

SENTENCES = [
    "A cat is sleeping on the sofa.",
    "Where is the nearest bus stop?",
    "Hello",
    "Two children are playing with a red ball in the park.",
]


@pytest.fixture(scope="module")
def marian_fp32() -> MarianTranslator:
    translator = load_translator(bundle_path("translate", "tiny-random-fp32"), threads=1)
    assert isinstance(translator, MarianTranslator)
    return translator


@pytest.fixture(scope="module")
def captioner_fp32() -> EncoderDecoderCaptioner:
    captioner = load_captioner(bundle_path("caption", "tiny-random-fp32"), threads=1)
    assert isinstance(captioner, EncoderDecoderCaptioner)
    return captioner


@pytest.fixture(scope="module")
def images(captioner_fp32: EncoderDecoderCaptioner) -> np.ndarray:
    photos = [photo_bytes(name) for name in ("chelsea", "coffee", "astronaut")]
    return np.concatenate([captioner_fp32.pixel_values(photo) for photo in photos])


@pytest.mark.parametrize("num_beams", [1, 2, 4])
def test_marian_cache_gives_the_same_tokens_as_recomputation(
    marian_fp32: MarianTranslator, num_beams: int
) -> None:
    """GIVEN 4 sentences of different lengths (padded batch) WHEN generating with and without
    the KV cache THEN every token is the same."""
    cached = marian_fp32.generate_ids(SENTENCES, num_beams=num_beams, max_new_tokens=16)
    recomputed = marian_fp32.generate_ids(
        SENTENCES, num_beams=num_beams, max_new_tokens=16, use_cache=False
    )
    assert cached == recomputed
    assert len({tuple(ids) for ids in cached}) > 1  # the inputs matter: not a constant output


def test_caption_bundle_runs_cross_attention_once_per_image(
    captioner_fp32: EncoderDecoderCaptioner,
) -> None:
    """The build split GPT-2's cross-attention keys/values into their own graph."""
    assert captioner_fp32.cross_kv is not None
    config = captioner_fp32.bundle.config
    assert config["decoder"]["cross_attention_cached"] is True
    assert {o.name for o in captioner_fp32.cross_kv.get_outputs()} == set(
        config["cross_kv_outputs"]
    )
    step_inputs = {i.name for i in captioner_fp32.decoder.get_inputs()}
    assert "encoder_hidden_states" not in step_inputs  # nothing recomputed from it per step
    assert set(config["cross_kv_outputs"]) <= step_inputs


@pytest.mark.parametrize("num_beams", [1, 3])
def test_caption_cache_gives_the_same_tokens_as_recomputation(
    captioner_fp32: EncoderDecoderCaptioner, images: np.ndarray, num_beams: int
) -> None:
    cached = captioner_fp32.generate_ids(images, max_new_tokens=12, num_beams=num_beams)
    recomputed = captioner_fp32.generate_ids(
        images, max_new_tokens=12, num_beams=num_beams, use_cache=False
    )
    assert cached == recomputed
    assert len({tuple(ids) for ids in cached}) > 1


def test_cached_step_logits_match_recomputed_logits(marian_fp32: MarianTranslator) -> None:
    """Stronger than tokens: each step's logits, cached vs recomputed, agree to 1e-4."""
    input_ids, mask = marian_fp32.encode(SENTENCES)
    (hidden,) = marian_fp32.encoder.run(None, {"input_ids": input_ids, "attention_mask": mask})
    cached = MergedDecoder(marian_fp32.decoder, hidden, mask, use_cache=True)
    plain = MergedDecoder(marian_fp32.decoder, hidden, mask, use_cache=False)
    start = int(marian_fp32.generation["decoder_start_token_id"])
    sequences = np.full((len(SENTENCES), 1), start, dtype=np.int64)
    past = None
    for _ in range(6):
        logits, past = cached.step(sequences, past)
        reference, _ = plain.step(sequences, None)
        np.testing.assert_allclose(logits, reference, rtol=1e-4, atol=1e-4)
        sequences = np.concatenate([sequences, logits.argmax(-1)[:, None]], axis=1)


def test_batched_greedy_equals_one_sentence_at_a_time(marian_fp32: MarianTranslator) -> None:
    """GIVEN padding in a batch WHEN greedy THEN each row equals its single-sentence run."""
    batched = marian_fp32.generate_ids(SENTENCES, max_new_tokens=16)
    single = [marian_fp32.generate_ids([s], max_new_tokens=16)[0] for s in SENTENCES]
    assert batched == single


def test_beam_search_with_one_beam_equals_greedy(marian_fp32: MarianTranslator) -> None:
    from image_to_speech.inference.generation import GenerationConfig, beam_search, greedy_search

    input_ids, mask = marian_fp32.encode(SENTENCES)
    (hidden,) = marian_fp32.encoder.run(None, {"input_ids": input_ids, "attention_mask": mask})
    decoder = MergedDecoder(marian_fp32.decoder, hidden, mask)
    config = GenerationConfig.from_manifest(
        {**marian_fp32.generation, "length_penalty": 0.0}, max_new_tokens=16, num_beams=1
    )
    assert beam_search(decoder, len(SENTENCES), config) == greedy_search(
        decoder, len(SENTENCES), config
    )


def test_int8_caption_runs_the_full_loop(chelsea_jpeg: bytes) -> None:
    """GIVEN the int8 tiny bundle and a real photo WHEN captioning (greedy, beam) THEN a
    CaptionResult within the token budget, formatted as a sentence."""
    captioner = load_captioner(bundle_path("caption", "tiny-random"), threads=1)
    for beams in (1, 3):
        result = captioner.caption(chelsea_jpeg, max_new_tokens=8, num_beams=beams)
        assert isinstance(result, CaptionResult)
        assert result.details["tokens"] <= 8
        assert result.caption == as_sentence(result.caption)
        assert result.ms > 0
    with pytest.raises(InvalidParameterError):
        captioner.caption(chelsea_jpeg, num_beams=0)
    with pytest.raises(NotAnImageError):
        captioner.caption(b"definitely not an image")


def test_as_sentence() -> None:
    assert as_sentence(" a cat  laying on a couch ") == "A cat laying on a couch."
    assert as_sentence("is it?") == "Is it?"
    assert as_sentence("   ") == ""
