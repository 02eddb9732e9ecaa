"""Marian (opus-mt) translation with an encoder-decoder ONNX bundle.

Validation, sentence splitting and batching come from translator.BaseTranslator; this module
only turns a batch of sentences into ids, runs the encoder and the shared generation loop, and
decodes. Runs with onnxruntime, numpy and `tokenizers` only.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np
from tokenizers import Tokenizer

from .bundle import Bundle
from .generation import GenerationConfig, MergedDecoder, generate
from .limits import Decoding, Sampling
from .session import open_encoder_decoder
from .translation import MAX_NEW_TOKENS_LIMIT, BaseTranslator


class MarianTranslator(BaseTranslator):
    """Translator protocol over a "marian" bundle (en -> pt-BR)."""

    def __init__(self, bundle: Bundle, threads: int | None = None) -> None:
        started = time.perf_counter()
        self.bundle = bundle
        config = bundle.config
        files = config["files"]
        self.encoder, self.decoder = open_encoder_decoder(bundle, threads)
        self.tokenizer = Tokenizer.from_file(str(bundle.file(files["tokenizer"])))
        # Source and target pieces differ (two SentencePiece models over one vocabulary).
        self.target_tokenizer = Tokenizer.from_file(str(bundle.file(files["target_tokenizer"])))
        self.source_languages = tuple(config["source_languages"])
        self.target_languages = tuple(config["target_languages"])
        self.generation: dict[str, Any] = config["generation"]
        self.pad_id = int(self.generation["pad_token_id"])
        token = config.get("target_token")
        self.prefix_ids = [] if token is None else [self._token_id(token)]
        self.max_source_tokens = int(config["max_source_tokens"])
        self.max_new_tokens_limit = min(
            MAX_NEW_TOKENS_LIMIT, int(config["decoder"]["max_positions"]) - 1
        )
        self.load_ms = bundle.verify_ms + (time.perf_counter() - started) * 1000

    def _token_id(self, token: str) -> int:
        token_id = self.tokenizer.token_to_id(token)
        if token_id is None:
            raise ValueError(f"{self.bundle.path}: tokenizer has no {token}")
        return int(token_id)

    def encode(self, sentences: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """Right-padded source ids (target-language token first, </s> last) and their mask."""
        rows = []
        for encoding in self.tokenizer.encode_batch(sentences):
            ids = self.prefix_ids + encoding.ids
            if len(ids) > self.max_source_tokens:  # keep the closing </s>
                ids = ids[: self.max_source_tokens - 1] + ids[-1:]
            rows.append(ids)
        width = max(len(ids) for ids in rows)
        input_ids = np.full((len(rows), width), self.pad_id, dtype=np.int64)
        mask = np.zeros((len(rows), width), dtype=np.int64)
        for index, ids in enumerate(rows):
            input_ids[index, : len(ids)] = ids
            mask[index, : len(ids)] = 1
        return input_ids, mask

    def default_max_new_tokens(self, mask: np.ndarray) -> int:
        # A translation rarely needs more than twice its source tokens; the cap stops a
        # degenerate repetition early instead of running to the model's 512 positions.
        return min(self.max_new_tokens_limit, 2 * int(mask.sum(axis=1).max()) + 8)

    def generate_ids(
        self,
        sentences: list[str],
        *,
        num_beams: int = 1,
        max_new_tokens: int | None = None,
        use_cache: bool = True,
        sampling: Sampling | None = None,
    ) -> list[list[int]]:
        """Target ids for each sentence (use_cache=False: the cache-free reference path)."""
        input_ids, mask = self.encode(sentences)
        (hidden,) = self.encoder.run(
            ["last_hidden_state"], {"input_ids": input_ids, "attention_mask": mask}
        )
        decoder = MergedDecoder(self.decoder, hidden, mask, use_cache=use_cache)
        config = GenerationConfig.from_manifest(
            self.generation,
            max_new_tokens=max_new_tokens or self.default_max_new_tokens(mask),
            num_beams=num_beams,
            sampling=sampling,
        )
        return generate(decoder, len(sentences), config)

    def _translate_batch(self, sentences: list[str], decoding: Decoding) -> list[str]:
        ids = self.generate_ids(
            sentences,
            num_beams=decoding.num_beams,
            max_new_tokens=decoding.max_new_tokens,
            sampling=decoding.sampling,
        )
        return [self.target_tokenizer.decode(row, skip_special_tokens=True) for row in ids]
