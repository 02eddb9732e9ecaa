"""Greedy and beam search over scripted decoders: the search logic alone, no model files."""

from __future__ import annotations

import numpy as np
import pytest
from image_to_speech.inference.generation import (
    GenerationConfig,
    beam_search,
    generate,
    greedy_search,
)
from image_to_speech.inference.limits import Sampling

START, EOS, PAD = 0, 1, 2
VOCAB = 6


class ScriptedDecoder:
    """Next-token probabilities looked up from the tokens generated so far (no cache)."""

    def __init__(self, table: dict[tuple[int, ...], dict[int, float]], default_eos: bool = True):
        self.table = table
        self.default_eos = default_eos
        self.calls = 0

    def repeat(self, factor: int) -> ScriptedDecoder:
        return self

    def step(self, sequences: np.ndarray, past: object) -> tuple[np.ndarray, None]:
        self.calls += 1
        logits = np.full((sequences.shape[0], VOCAB), -30.0, dtype=np.float32)
        for row, sequence in enumerate(sequences):
            probabilities = self.table.get(tuple(sequence[1:].tolist()))
            if probabilities is None:
                probabilities = {EOS: 1.0} if self.default_eos else {3: 1.0}
            for token, p in probabilities.items():
                logits[row, token] = np.log(p)
        return logits, None

    def reorder(self, past: object, rows: np.ndarray) -> None:
        return None


def config(**overrides: object) -> GenerationConfig:
    values: dict = dict(
        decoder_start_token_id=START, eos_token_id=EOS, pad_token_id=PAD, max_new_tokens=10
    )
    values.update(overrides)
    return GenerationConfig(**values)


# The classic case where greedy is wrong: 3 looks best first (0.6), but every continuation
# after it is weak, while 4 (0.4) leads to a near-certain continuation.
TRAP = {
    (): {3: 0.6, 4: 0.4},
    (3,): {5: 0.3, 4: 0.3, EOS: 0.4},
    (4,): {5: 0.95, EOS: 0.05},
    (4, 5): {EOS: 1.0},
    (3, 5): {EOS: 1.0},
    (3, 4): {EOS: 1.0},
}


def test_greedy_takes_the_locally_best_token_and_stops_at_eos() -> None:
    """GIVEN the trap table WHEN greedy runs THEN it picks 3 then EOS (EOS not returned)."""
    assert greedy_search(ScriptedDecoder(TRAP), 1, config()) == [[3]]


def test_beam_search_finds_the_more_probable_sequence_greedy_misses() -> None:
    """GIVEN the trap table WHEN 2 beams search THEN 4,5 (p=0.38) beats 3,EOS (p=0.24)."""
    result = beam_search(ScriptedDecoder(TRAP), 1, config(num_beams=2, length_penalty=0.0))
    assert result == [[4, 5]]


def test_beam_search_with_one_beam_equals_greedy() -> None:
    """GIVEN one beam and no length penalty WHEN both searches run THEN same tokens."""
    for table in (TRAP, {(): {4: 0.9, 3: 0.1}, (4,): {5: 0.7, EOS: 0.3}}):
        greedy = greedy_search(ScriptedDecoder(table), 1, config())
        beam = beam_search(ScriptedDecoder(table), 1, config(num_beams=1, length_penalty=0.0))
        assert beam == greedy


def test_generate_with_one_beam_is_greedy() -> None:
    assert generate(ScriptedDecoder(TRAP), 1, config(num_beams=1)) == [[3]]
    assert generate(ScriptedDecoder(TRAP), 1, config(num_beams=2, length_penalty=0.0)) == [[4, 5]]


@pytest.mark.parametrize("num_beams", [1, 3])
def test_max_new_tokens_is_a_hard_budget(num_beams: int) -> None:
    """GIVEN a decoder that never emits EOS WHEN generating THEN exactly max_new_tokens come."""
    decoder = ScriptedDecoder({}, default_eos=False)
    result = generate(decoder, 2, config(max_new_tokens=7, num_beams=num_beams))
    assert [len(tokens) for tokens in result] == [7, 7]
    assert decoder.calls == 7


def test_forced_eos_ends_at_the_budget() -> None:
    """GIVEN forced_eos WHEN the budget runs out THEN the last step is EOS (so 6 real tokens)."""
    decoder = ScriptedDecoder({}, default_eos=False)
    result = greedy_search(decoder, 1, config(max_new_tokens=7, forced_eos_token_id=EOS))
    assert result == [[3] * 6]


def test_suppressed_tokens_are_never_generated() -> None:
    decoder = ScriptedDecoder({(): {3: 0.9, 4: 0.1}, (4,): {EOS: 1.0}})
    assert greedy_search(decoder, 1, config(suppress_token_ids=(3,))) == [[4]]


def test_batched_greedy_keeps_finished_rows_finished() -> None:
    """GIVEN two rows that end at different steps WHEN batched THEN each stops at its EOS."""

    class TwoRows(ScriptedDecoder):
        def step(self, sequences: np.ndarray, past: object) -> tuple[np.ndarray, None]:
            logits = np.full((2, VOCAB), -30.0, dtype=np.float32)
            length = sequences.shape[1]
            logits[0, EOS if length >= 2 else 3] = 0.0  # row 0: 3, EOS
            logits[1, EOS if length >= 4 else 4] = 0.0  # row 1: 4, 4, 4, EOS
            return logits, None

    assert greedy_search(TwoRows({}), 2, config()) == [[3], [4, 4, 4]]


def test_eos_disabled_runs_to_the_budget() -> None:
    result = greedy_search(ScriptedDecoder(TRAP), 1, config(eos_token_id=None, max_new_tokens=4))
    assert len(result[0]) == 4


def test_out_of_range_search_settings_are_refused() -> None:
    with pytest.raises(ValueError, match="num_beams"):
        generate(ScriptedDecoder(TRAP), 1, config(num_beams=9))
    with pytest.raises(ValueError, match="max_new_tokens"):
        generate(ScriptedDecoder(TRAP), 1, config(max_new_tokens=0))


def test_sampling_follows_the_distribution_and_is_repeatable_with_a_seed() -> None:
    # GIVEN the TRAP distribution (3: 0.6, 4: 0.4 at the first step)
    def first_token(sampling: Sampling) -> int:
        return greedy_search(ScriptedDecoder(TRAP), 1, config(sampling=sampling))[0][0]

    def first_tokens(sampling: Sampling, runs: int) -> list[int]:
        return [first_token(sampling) for _ in range(runs)]

    def seeded(runs: int, temperature: float = 1.0) -> list[int]:
        # one draw per seed: a fixed sample, so the test cannot fail by chance
        return [first_token(Sampling(temperature, seed=seed)) for seed in range(runs)]

    # WHEN sampled with 400 different seeds THEN both tokens appear, roughly 60/40
    draws = seeded(400)
    assert 0.5 < draws.count(3) / len(draws) < 0.7 and set(draws) == {3, 4}
    # THEN a seed repeats the same sequence; top_k=1 is greedy; a low temperature sharpens
    # (at 0.05 token 4 keeps (0.4/0.6)^20, about 3e-4, of token 3's odds)
    assert first_tokens(Sampling(seed=5), 3) == [first_token(Sampling(seed=5))] * 3
    assert set(first_tokens(Sampling(top_k=1), 20)) == {3}
    assert seeded(400, temperature=0.05).count(4) <= 1
    # top_p=0.5 keeps only the likeliest token (0.6 already covers half the mass)
    assert set(first_tokens(Sampling(top_p=0.5), 20)) == {3}


def test_sampling_needs_one_beam() -> None:
    with pytest.raises(ValueError, match="num_beams"):
        generate(ScriptedDecoder(TRAP), 1, config(num_beams=2, sampling=Sampling(seed=1)))
