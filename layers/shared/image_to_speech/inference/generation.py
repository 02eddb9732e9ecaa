"""Autoregressive generation for encoder-decoder ONNX models, in plain numpy.

One implementation serves captioning (ViT + GPT-2) and translation (Marian): greedy search
(batched: several sentences at once) and beam search (1..8 beams, length penalty), both over
optimum's merged decoder with its KV cache. `MergedDecoder` hides the model differences (which
inputs exist, which cache entries are per-source and never reordered).

Cross-attention: Marian's merged decoder returns the cross-attention keys/values on the first
step and takes them back as cache afterwards (computed once per sentence). optimum's
VisionEncoderDecoder (GPT-2) export only caches self-attention, so the build splits its decoder
(model_build/cross_cache.py) and `CrossCachedDecoder` runs the cross-attention part once per
image.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from .limits import Sampling
from .sampling import generator, sample_rows

Past = dict[str, np.ndarray]


@dataclass(frozen=True)
class GenerationConfig:
    decoder_start_token_id: int
    eos_token_id: int | None  # None: never stop early (benchmarks)
    pad_token_id: int
    max_new_tokens: int
    num_beams: int = 1
    length_penalty: float = 1.0
    suppress_token_ids: tuple[int, ...] = ()  # e.g. Marian's <pad> (bad_words_ids)
    forced_eos_token_id: int | None = None  # emitted at the last step (Marian's config)
    sampling: Sampling | None = None  # None: greedy (num_beams 1) or beam search

    @classmethod
    def from_manifest(
        cls,
        generation: Mapping[str, Any],
        *,
        max_new_tokens: int,
        num_beams: int,
        sampling: Sampling | None = None,
    ) -> GenerationConfig:
        """From a bundle's config["generation"] (written by model_build.seq2seq)."""
        eos = generation.get("eos_token_id")
        if isinstance(eos, list):  # transformers allows several; our models have one
            eos = eos[0] if eos else None
        suppressed = tuple(
            int(ids[0]) for ids in generation.get("bad_words_ids") or [] if len(ids) == 1
        )
        pad = generation.get("pad_token_id")
        return cls(
            decoder_start_token_id=int(generation["decoder_start_token_id"]),
            eos_token_id=None if eos is None else int(eos),
            pad_token_id=int(pad if pad is not None else eos if eos is not None else 0),
            max_new_tokens=max_new_tokens,
            num_beams=num_beams,
            length_penalty=float(generation.get("length_penalty", 1.0)),
            suppress_token_ids=suppressed,
            forced_eos_token_id=generation.get("forced_eos_token_id"),
            sampling=sampling,
        )


class Decoder(Protocol):
    """One decoder step over a batch of rows; the past (KV cache) is opaque to the search."""

    def repeat(self, factor: int) -> Decoder: ...

    def step(self, sequences: np.ndarray, past: Past | None) -> tuple[np.ndarray, Past | None]:
        """sequences: (rows, length) int64, all tokens so far -> last-position logits (rows, V)."""
        ...

    def reorder(self, past: Past | None, rows: np.ndarray) -> Past | None: ...


class MergedDecoder:
    """optimum's decoder_model_merged.onnx bound to one batch of encoder outputs.

    use_cache=False recomputes the whole prefix at every step (the cache-free reference the
    tests compare against); use_cache=True feeds one token and the returned cache.
    """

    def __init__(
        self,
        session: Any,
        encoder_hidden_states: np.ndarray,
        encoder_attention_mask: np.ndarray | None = None,
        *,
        use_cache: bool = True,
    ) -> None:
        self.session = session
        self.encoder_hidden_states = encoder_hidden_states
        self.encoder_attention_mask = encoder_attention_mask
        self.use_cache = use_cache
        self.input_names = {i.name for i in session.get_inputs()}
        self.past_inputs = [i for i in session.get_inputs() if i.name.startswith("past_key_values")]
        self.output_names = [o.name for o in session.get_outputs()]

    def repeat(self, factor: int) -> MergedDecoder:
        """Each encoder row repeated `factor` times in a row (beam search: rows b*K .. b*K+K-1)."""
        mask = self.encoder_attention_mask
        return MergedDecoder(
            self.session,
            np.repeat(self.encoder_hidden_states, factor, axis=0),
            None if mask is None else np.repeat(mask, factor, axis=0),
            use_cache=self.use_cache,
        )

    def _empty_past(self, rows: int) -> Past:
        # The no-cache branch ignores these, but every graph input must be fed.
        past = {}
        for meta in self.past_inputs:
            heads, head_dim = meta.shape[1], meta.shape[3]
            past[meta.name] = np.zeros((rows, heads, 0, head_dim), dtype=np.float32)
        return past

    def step(self, sequences: np.ndarray, past: Past | None) -> tuple[np.ndarray, Past | None]:
        rows = sequences.shape[0]
        cached = self.use_cache and past is not None
        feed: dict[str, Any] = {
            "input_ids": np.ascontiguousarray(sequences[:, -1:] if cached else sequences),
            "encoder_hidden_states": self.encoder_hidden_states,
            "use_cache_branch": np.array([cached]),
        }
        if "encoder_attention_mask" in self.input_names:
            assert self.encoder_attention_mask is not None, "this decoder needs the source mask"
            feed["encoder_attention_mask"] = self.encoder_attention_mask
        feed.update(past if cached and past is not None else self._empty_past(rows))
        outputs = self.session.run(self.output_names, feed)
        logits = outputs[0][:, -1, :]
        if not self.use_cache:
            return logits, None
        present = {
            name.replace("present", "past_key_values", 1): value
            for name, value in zip(self.output_names[1:], outputs[1:], strict=True)
        }
        if cached and past is not None:
            # The with-past branch returns placeholders for the cross-attention entries: the
            # ones computed on the first step stay valid for the whole generation.
            present.update({name: value for name, value in past.items() if ".encoder." in name})
        return logits, present

    def reorder(self, past: Past | None, rows: np.ndarray) -> Past | None:
        if past is None:
            return None
        # Cross-attention entries are per source sentence; beams only move within a sentence's
        # group of rows, so those rows are identical and need no copy.
        return {name: value if ".encoder." in name else value[rows] for name, value in past.items()}


class CrossCachedDecoder:
    """A decoder step graph whose cross-attention part was split out by the build.

    `cross_session` maps encoder_hidden_states to the tensors that depend only on them (the
    cross-attention keys/values, ...), run ONCE per input; `step_session` takes them as inputs
    next to input_ids and the self-attention cache. The first step feeds an empty cache;
    use_cache=False feeds the whole prefix with an empty cache every step (reference path).
    """

    def __init__(
        self,
        step_session: Any,
        cross_session: Any,
        encoder_hidden_states: np.ndarray,
        *,
        use_cache: bool = True,
    ) -> None:
        self.step_session = step_session
        self.cross_session = cross_session
        self.encoder_hidden_states = encoder_hidden_states
        self.use_cache = use_cache
        names = [o.name for o in cross_session.get_outputs()]
        values = cross_session.run(names, {"encoder_hidden_states": encoder_hidden_states})
        self.cross = dict(zip(names, values, strict=True))
        self.past_inputs = [
            i for i in step_session.get_inputs() if i.name.startswith("past_key_values")
        ]
        self.output_names = [o.name for o in step_session.get_outputs()]

    def repeat(self, factor: int) -> CrossCachedDecoder:
        # Recomputed rather than np.repeat-ed: some split tensors are shapes (batch size).
        return CrossCachedDecoder(
            self.step_session,
            self.cross_session,
            np.repeat(self.encoder_hidden_states, factor, axis=0),
            use_cache=self.use_cache,
        )

    def step(self, sequences: np.ndarray, past: Past | None) -> tuple[np.ndarray, Past | None]:
        cached = self.use_cache and past is not None
        feed: dict[str, Any] = {
            "input_ids": np.ascontiguousarray(sequences[:, -1:] if cached else sequences),
            **self.cross,
        }
        if cached and past is not None:
            feed.update(past)
        else:
            for meta in self.past_inputs:
                shape = (sequences.shape[0], meta.shape[1], 0, meta.shape[3])
                feed[meta.name] = np.zeros(shape, dtype=np.float32)
        outputs = self.step_session.run(self.output_names, feed)
        logits = outputs[0][:, -1, :]
        if not self.use_cache:
            return logits, None
        return logits, {
            name.replace("present", "past_key_values", 1): value
            for name, value in zip(self.output_names[1:], outputs[1:], strict=True)
        }

    def reorder(self, past: Past | None, rows: np.ndarray) -> Past | None:
        return None if past is None else {name: value[rows] for name, value in past.items()}


def check_config(config: GenerationConfig) -> None:
    if not 1 <= config.num_beams <= 8:
        raise ValueError(f"num_beams must be 1..8, got {config.num_beams}")
    if config.max_new_tokens < 1:
        raise ValueError(f"max_new_tokens must be >= 1, got {config.max_new_tokens}")
    if config.sampling is not None and config.num_beams > 1:
        raise ValueError("sampling draws one sequence: it needs num_beams == 1")


def generate(decoder: Decoder, batch_size: int, config: GenerationConfig) -> list[list[int]]:
    """Token ids generated for each of `batch_size` inputs (start and EOS tokens excluded)."""
    check_config(config)
    if config.num_beams == 1:
        return greedy_search(decoder, batch_size, config)
    return beam_search(decoder, batch_size, config)


def process_logits(logits: np.ndarray, step: int, config: GenerationConfig) -> np.ndarray:
    """Suppressed tokens get -inf; at the last step a forced EOS is the only choice."""
    if config.suppress_token_ids:
        logits = logits.copy()
        logits[:, list(config.suppress_token_ids)] = -np.inf
    if config.forced_eos_token_id is not None and step == config.max_new_tokens - 1:
        forced = np.full_like(logits, -np.inf)
        forced[:, config.forced_eos_token_id] = 0.0
        return forced
    return logits


def log_softmax(logits: np.ndarray) -> np.ndarray:
    shifted = logits.astype(np.float64) - logits.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def greedy_search(decoder: Decoder, batch_size: int, config: GenerationConfig) -> list[list[int]]:
    """One token per step for each row: the most likely one, or a sampled one (config.sampling)."""
    sequences = np.full((batch_size, 1), config.decoder_start_token_id, dtype=np.int64)
    finished = np.zeros(batch_size, dtype=bool)
    past: Past | None = None
    rng = generator(config.sampling) if config.sampling else None
    for step in range(config.max_new_tokens):
        logits, past = decoder.step(sequences, past)
        scores = process_logits(logits, step, config)
        if config.sampling is not None and rng is not None:
            tokens = sample_rows(scores, config.sampling, rng)
        else:
            tokens = scores.argmax(axis=-1).astype(np.int64)
        tokens = np.where(finished, config.pad_token_id, tokens)
        sequences = np.concatenate([sequences, tokens[:, None]], axis=1)
        if config.eos_token_id is not None:
            finished |= tokens == config.eos_token_id
            if finished.all():
                break
    return [strip_eos(row[1:].tolist(), config) for row in sequences]


def strip_eos(tokens: list[int], config: GenerationConfig) -> list[int]:
    if config.eos_token_id is not None and config.eos_token_id in tokens:
        return tokens[: tokens.index(config.eos_token_id)]
    return tokens


@dataclass
class Hypotheses:
    """The best finished hypotheses of one input, scored by sum(log p) / length**penalty."""

    num_beams: int
    length_penalty: float
    items: list[tuple[float, list[int]]]

    def normalised(self, score: float, length: int) -> float:
        return score / (max(length, 1) ** self.length_penalty)

    def add(self, tokens: list[int], score: float, length: int) -> None:
        self.items.append((self.normalised(score, length), tokens))
        self.items.sort(key=lambda item: item[0], reverse=True)
        del self.items[self.num_beams :]

    def is_done(self, best_running_score: float, length: int) -> bool:
        """No running beam can beat the worst kept hypothesis any more (transformers' rule)."""
        if len(self.items) < self.num_beams:
            return False
        return self.items[-1][0] >= self.normalised(best_running_score, length)


def beam_search(decoder: Decoder, batch_size: int, config: GenerationConfig) -> list[list[int]]:
    beams = config.num_beams
    decoder = decoder.repeat(beams)
    rows = batch_size * beams
    sequences = np.full((rows, 1), config.decoder_start_token_id, dtype=np.int64)
    # Only beam 0 starts alive, so the first step does not pick the same token K times.
    scores = np.full((batch_size, beams), -1e9)
    scores[:, 0] = 0.0
    hypotheses = [Hypotheses(beams, config.length_penalty, []) for _ in range(batch_size)]
    done = np.zeros(batch_size, dtype=bool)
    past: Past | None = None
    for step in range(config.max_new_tokens):
        logits, past = decoder.step(sequences, past)
        log_probs = log_softmax(process_logits(logits, step, config))
        vocab = log_probs.shape[-1]
        candidates = (scores.reshape(rows, 1) + log_probs).reshape(batch_size, beams * vocab)
        chosen = next_beams(candidates, sequences, hypotheses, done, step + 1, config)
        if done.all():
            break
        flat_rows = chosen.rows.reshape(-1)
        sequences = np.concatenate([sequences[flat_rows], chosen.tokens.reshape(-1, 1)], axis=1)
        past = decoder.reorder(past, flat_rows)
        scores = chosen.scores
    for b in np.flatnonzero(~done):  # budget exhausted: running beams compete with finished ones
        for k in range(beams):
            row = sequences[b * beams + k, 1:].tolist()
            hypotheses[b].add(row, float(scores[b, k]), len(row))
    return [strip_eos(hypothesis.items[0][1], config) for hypothesis in hypotheses]


@dataclass(frozen=True)
class NextBeams:
    """The beams kept after one step, each (batch, K): parent row, appended token, score."""

    rows: np.ndarray
    tokens: np.ndarray
    scores: np.ndarray


def next_beams(
    candidates: np.ndarray,
    sequences: np.ndarray,
    hypotheses: list[Hypotheses],
    done: np.ndarray,
    generated: int,
    config: GenerationConfig,
) -> NextBeams:
    """The K best running extensions of each input (candidates: (batch, K * vocab) scores).

    Extensions that end in EOS go to `hypotheses`; an input whose hypotheses no running beam
    can beat any more is marked in `done` (its beams then stay where they are).
    """
    batch_size, beams = len(hypotheses), config.num_beams
    chosen = NextBeams(
        rows=np.empty((batch_size, beams), dtype=np.int64),
        tokens=np.full((batch_size, beams), config.pad_token_id, dtype=np.int64),
        scores=np.full((batch_size, beams), -1e9),
    )
    # 2K candidates: up to K of them may end in EOS and still leave K running beams.
    top = np.argpartition(-candidates, 2 * beams, axis=1)[:, : 2 * beams]
    for b in range(batch_size):
        base = b * beams
        if done[b]:
            chosen.rows[b] = base + np.arange(beams)
            continue
        order = top[b][np.argsort(-candidates[b, top[b]], kind="stable")]
        ended, running = rank_extensions(order, candidates[b], candidates.shape[1] // beams, config)
        for beam, score in ended:
            hypotheses[b].add(sequences[base + beam, 1:].tolist(), score, generated)
        for k, (beam, token, score) in enumerate(running):
            chosen.rows[b, k], chosen.tokens[b, k], chosen.scores[b, k] = base + beam, token, score
        if hypotheses[b].is_done(float(chosen.scores[b].max()), generated):
            done[b] = True
    return chosen


def rank_extensions(
    order: np.ndarray, scores: np.ndarray, vocab: int, config: GenerationConfig
) -> tuple[list[tuple[int, float]], list[tuple[int, int, float]]]:
    """One input's candidates in `order` (best first) -> (ended, running).

    ended: (beam, score) of the EOS extensions among the top K; running: (beam, token, score)
    of the first K other extensions.
    """
    ended: list[tuple[int, float]] = []
    running: list[tuple[int, int, float]] = []
    for rank, flat in enumerate(order):
        beam, token = divmod(int(flat), vocab)
        score = float(scores[flat])
        if config.eos_token_id is not None and token == config.eos_token_id:
            if rank < config.num_beams:  # an EOS outside the top K is not a real contender
                ended.append((beam, score))
            continue
        running.append((beam, token, score))
        if len(running) == config.num_beams:
            break
    return ended, running
