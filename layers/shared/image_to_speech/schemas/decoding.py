"""How a caption or translation model picks its tokens (shared by both option models)."""

from __future__ import annotations

from pydantic import Field, ValidationInfo, field_validator

from ..inference.limits import SEED_RANGE, TEMPERATURE_RANGE, TOP_K_RANGE, TOP_P_RANGE, Sampling
from .common import NumBeams, _Request


class _Decoding(_Request):
    """How a caption or translation model picks its tokens: greedy (1 beam), beam search, or
    sampling (do_sample with temperature / top_k / top_p, deterministic for a given seed)."""

    num_beams: NumBeams = 1
    do_sample: bool = Field(default=False, description="Sample tokens instead of the likeliest")
    temperature: float | None = Field(
        default=None,
        ge=TEMPERATURE_RANGE[0],
        le=TEMPERATURE_RANGE[1],
        description="Sampling temperature (needs do_sample; default 1.0)",
    )
    top_k: int | None = Field(
        default=None,
        ge=TOP_K_RANGE[0],
        le=TOP_K_RANGE[1],
        description="Sample among the k likeliest (needs do_sample)",
    )
    top_p: float | None = Field(
        default=None,
        ge=TOP_P_RANGE[0],
        le=TOP_P_RANGE[1],
        description="Sample within the top-p probability mass (needs do_sample)",
    )
    seed: int | None = Field(
        default=None,
        ge=SEED_RANGE[0],
        le=SEED_RANGE[1],
        description="Seed for sampling: same seed, same output (needs do_sample)",
    )
    cache: bool = Field(default=True, description="Use and fill the result cache")

    @field_validator("do_sample")
    @classmethod
    def _one_beam_when_sampling(cls, value: bool, info: ValidationInfo) -> bool:
        if value and info.data.get("num_beams", 1) != 1:
            raise ValueError("sampling draws one sequence: use num_beams 1 with do_sample")
        return value

    @field_validator("temperature", "top_k", "top_p", "seed")
    @classmethod
    def _only_when_sampling(cls, value: object, info: ValidationInfo) -> object:
        if value is not None and not info.data.get("do_sample", False):
            raise ValueError(f"{info.field_name} only applies when do_sample is true")
        return value

    def sampling(self) -> Sampling | None:
        if not self.do_sample:
            return None
        return Sampling(
            temperature=1.0 if self.temperature is None else self.temperature,
            top_k=self.top_k,
            top_p=self.top_p,
            seed=self.seed,
        )

    @property
    def deterministic(self) -> bool:
        """Same input, same output: what may be cached."""
        return not self.do_sample or self.seed is not None
