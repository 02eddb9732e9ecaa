"""The generation-parameter check every generating model shares (captioners, translators).

Kept free of heavy imports: the request schemas import these limits too.
"""

from ..errors import InvalidParameterError

MIN_BEAMS, MAX_BEAMS = 1, 8


def check_generation_params(
    num_beams: int, max_new_tokens: int | None, *, max_new_tokens_limit: int
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
    if max_new_tokens is None:
        return
    if isinstance(max_new_tokens, bool) or not isinstance(max_new_tokens, int):
        raise refuse("max_new_tokens", max_new_tokens, max_new_tokens_limit)
    if not 1 <= max_new_tokens <= max_new_tokens_limit:
        raise refuse("max_new_tokens", max_new_tokens, max_new_tokens_limit)
