"""Generation parameters every generating model shares (captioners, translators): their
ranges, the Decoding they make up, and the one check.

Kept free of heavy imports: the request schemas import these limits too.
"""

from dataclasses import dataclass

from ..errors import InvalidParameterError

MIN_BEAMS, MAX_BEAMS = 1, 8
# Sampling: ranges wide enough to explore, narrow enough that every value gives text.
TEMPERATURE_RANGE = (0.05, 2.0)
TOP_K_RANGE = (1, 1000)
TOP_P_RANGE = (0.01, 1.0)
SEED_RANGE = (0, 2**32 - 1)


@dataclass(frozen=True)
class Sampling:
    """Draw tokens instead of taking the likeliest (inference/sampling.py does the drawing)."""

    temperature: float = 1.0
    top_k: int | None = None
    top_p: float | None = None
    seed: int | None = None


@dataclass(frozen=True)
class Decoding:
    """How a generating model picks its tokens: greedy (1 beam), beam search, or sampling."""

    num_beams: int = 1
    max_new_tokens: int | None = None
    sampling: Sampling | None = None


def check_generation_params(
    num_beams: int,
    max_new_tokens: int | None,
    *,
    max_new_tokens_limit: int,
    sampling: Sampling | None = None,
) -> None:
    """One check for every generating model: typed errors that list both allowed ranges."""
    allowed = {
        "num_beams": {"min": MIN_BEAMS, "max": MAX_BEAMS},
        "max_new_tokens": {"min": 1, "max": max_new_tokens_limit},
    }

    def refuse(name: str, value: object, upper: int, low: int = 1) -> InvalidParameterError:
        return InvalidParameterError(
            f"{name} must be an integer from {low} to {upper}, got {value!r}.", allowed=allowed
        )

    # bool is an int subclass: True must not sneak in as num_beams=1.
    if isinstance(num_beams, bool) or not isinstance(num_beams, int):
        raise refuse("num_beams", num_beams, MAX_BEAMS, MIN_BEAMS)
    if not MIN_BEAMS <= num_beams <= MAX_BEAMS:
        raise refuse("num_beams", num_beams, MAX_BEAMS, MIN_BEAMS)
    if max_new_tokens is not None and (
        isinstance(max_new_tokens, bool)
        or not isinstance(max_new_tokens, int)
        or not 1 <= max_new_tokens <= max_new_tokens_limit
    ):
        raise refuse("max_new_tokens", max_new_tokens, max_new_tokens_limit)
    if sampling is not None:
        check_sampling(sampling, num_beams)


def check_sampling(sampling: Sampling, num_beams: int) -> None:
    """Sampling draws one sequence (no beams) with parameters inside their ranges."""
    allowed = {
        "num_beams": 1,
        "temperature": {"min": TEMPERATURE_RANGE[0], "max": TEMPERATURE_RANGE[1]},
        "top_k": {"min": TOP_K_RANGE[0], "max": TOP_K_RANGE[1]},
        "top_p": {"min": TOP_P_RANGE[0], "max": TOP_P_RANGE[1]},
        "seed": {"min": SEED_RANGE[0], "max": SEED_RANGE[1]},
    }
    problems = []
    if num_beams != 1:
        problems.append(f"sampling draws one sequence: num_beams must be 1, got {num_beams}")
    checks = (
        ("temperature", sampling.temperature, TEMPERATURE_RANGE),
        ("top_k", sampling.top_k, TOP_K_RANGE),
        ("top_p", sampling.top_p, TOP_P_RANGE),
        ("seed", sampling.seed, SEED_RANGE),
    )
    for name, value, (low, high) in checks:
        if value is not None and not low <= value <= high:
            problems.append(f"{name} must be from {low} to {high}, got {value!r}")
    if problems:
        raise InvalidParameterError("; ".join(problems) + ".", allowed=allowed)
