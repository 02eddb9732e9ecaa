"""Image captioning with an encoder-decoder ONNX bundle (ViT encoder + GPT-2 decoder).

The bundle (model_build.seq2seq) carries encoder_model.onnx, decoder_model_merged.onnx,
tokenizer.json and, in its manifest config, the image preprocessing and generation settings.
Runs with onnxruntime, numpy, Pillow and `tokenizers` only.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np
from tokenizers import Tokenizer

from ..errors import InvalidParameterError
from .bundle import Bundle
from .captioning import MAX_NEW_TOKENS, CaptionResult, validate_generation_params
from .generation import (
    CrossCachedDecoder,
    Decoder,
    GenerationConfig,
    MergedDecoder,
    generate,
)
from .images import decode_image, to_tensor
from .limits import Sampling
from .session import create_session, open_encoder_decoder


class EncoderDecoderCaptioner:
    """Captioner protocol over a "vision-encoder-decoder" bundle."""

    def __init__(self, bundle: Bundle, threads: int | None = None) -> None:
        started = time.perf_counter()
        self.bundle = bundle
        config = bundle.config
        files = config["files"]
        self.encoder, self.decoder = open_encoder_decoder(bundle, threads)
        # Bundles built with the cross-attention split carry a once-per-image graph.
        cross_kv = files.get("cross_kv")
        self.cross_kv = None if cross_kv is None else create_session(bundle.file(cross_kv), threads)
        self.tokenizer = Tokenizer.from_file(str(bundle.file(files["tokenizer"])))
        self.preprocess: dict[str, Any] = config["preprocess"]
        self.generation: dict[str, Any] = config["generation"]
        max_positions = int(config["decoder"]["max_positions"])
        # transformers' max_length counts the start token: 16 means 15 new tokens.
        self.default_max_new_tokens = max(1, int(self.generation["max_length"]) - 1)
        self.max_new_tokens_limit = min(MAX_NEW_TOKENS, max_positions - 1)
        self.load_ms = bundle.verify_ms + (time.perf_counter() - started) * 1000

    def pixel_values(self, image: bytes) -> np.ndarray:
        height, width = self.preprocess["size"]
        return to_tensor(
            decode_image(image),
            size=(int(height), int(width)),
            mean=self.preprocess["mean"],
            std=self.preprocess["std"],
            resample=int(self.preprocess["resample"]),
            rescale=float(self.preprocess["rescale_factor"]),
        )

    def make_decoder(self, hidden: np.ndarray, *, use_cache: bool = True) -> Decoder:
        """The decoder-step driver for this bundle's layout, bound to encoder outputs."""
        if self.cross_kv is not None:
            return CrossCachedDecoder(self.decoder, self.cross_kv, hidden, use_cache=use_cache)
        return MergedDecoder(self.decoder, hidden, use_cache=use_cache)

    def generate_ids(
        self,
        pixel_values: np.ndarray,
        *,
        max_new_tokens: int,
        num_beams: int,
        use_cache: bool = True,
        sampling: Sampling | None = None,
    ) -> list[list[int]]:
        """Token ids for a batch of preprocessed images (use_cache=False: reference path)."""
        (hidden,) = self.encoder.run(["last_hidden_state"], {"pixel_values": pixel_values})
        decoder = self.make_decoder(hidden, use_cache=use_cache)
        config = GenerationConfig.from_manifest(
            self.generation, max_new_tokens=max_new_tokens, num_beams=num_beams, sampling=sampling
        )
        return generate(decoder, pixel_values.shape[0], config)

    def caption(
        self,
        image: bytes,
        *,
        max_new_tokens: int | None = None,
        num_beams: int = 1,
        sampling: Sampling | None = None,
    ) -> CaptionResult:
        started = time.perf_counter()
        validate_generation_params(max_new_tokens, num_beams, sampling)
        if max_new_tokens is not None and max_new_tokens > self.max_new_tokens_limit:
            raise InvalidParameterError(  # a tiny model with few positions
                f"max_new_tokens={max_new_tokens} exceeds this model's limit "
                f"{self.max_new_tokens_limit}.",
                allowed={"max_new_tokens": {"min": 1, "max": self.max_new_tokens_limit}},
            )
        budget = max_new_tokens or min(self.default_max_new_tokens, self.max_new_tokens_limit)
        (ids,) = self.generate_ids(
            self.pixel_values(image), max_new_tokens=budget, num_beams=num_beams, sampling=sampling
        )
        text = self.tokenizer.decode(ids, skip_special_tokens=True)
        return CaptionResult(
            caption=as_sentence(text),
            ms=(time.perf_counter() - started) * 1000,
            details={"tokens": len(ids), "num_beams": num_beams, "max_new_tokens": budget},
        )


def as_sentence(text: str) -> str:
    """'a cat laying on a couch ' -> 'A cat laying on a couch.' (empty stays empty)."""
    text = " ".join(text.split())
    if not text:
        return ""
    text = text[0].upper() + text[1:]
    return text if text[-1] in ".!?" else text + "."
