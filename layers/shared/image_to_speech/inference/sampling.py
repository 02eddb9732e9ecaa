"""Sampling for every generating model: temperature, top-k, top-p (nucleus), seeded.

One implementation serves the seq2seq decoders (generation.py), Bergamot's step loop and the
classifier captioner's choice of label. With a seed the draws are deterministic: the same
request gives the same output (and can be cached); without one each request differs.
"""

from __future__ import annotations

import numpy as np

from .limits import Sampling


def generator(sampling: Sampling) -> np.random.Generator:
    """Seeded draws: the same seed gives the same sequence of choices."""
    return np.random.default_rng(sampling.seed)


def sample_rows(logits: np.ndarray, sampling: Sampling, rng: np.random.Generator) -> np.ndarray:
    """One index per row of `logits` (rows, vocab), drawn from the filtered distribution."""
    return np.array([sample_index(row, sampling, rng) for row in logits], dtype=np.int64)


def sample_index(logits: np.ndarray, sampling: Sampling, rng: np.random.Generator) -> int:
    """An index drawn from softmax(logits / temperature), kept to the top-k and the smallest
    set of most likely entries whose probability reaches top-p. -inf logits are never drawn."""
    scaled = logits.astype(np.float64) / sampling.temperature
    order = np.argsort(-scaled, kind="stable")
    finite = int(np.isfinite(scaled).sum())
    keep = order[: max(1, min(finite, sampling.top_k or finite))]
    probabilities = _softmax(scaled[keep])
    if sampling.top_p is not None:
        cumulative = np.cumsum(probabilities)
        cut = int(np.searchsorted(cumulative, sampling.top_p)) + 1
        keep, probabilities = keep[:cut], _softmax(scaled[keep[:cut]])
    return int(keep[rng.choice(len(keep), p=probabilities)])


def _softmax(values: np.ndarray) -> np.ndarray:
    shifted = np.exp(values - values.max())
    total: np.ndarray = shifted / shifted.sum()
    return total
