"""What a caption model is to the rest of the package: its result, its protocol, its limits.

Implementations: classifier_captioner.py (an ImageNet classifier phrasing its top labels) and
vision_encoder_decoder.py (ViT + GPT-2 writing the caption token by token); loaders.py picks
one by the bundle's "kind". Kept free of numpy and onnxruntime so schemas can import the limits.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from .bundle import Bundle
from .limits import Sampling, check_generation_params

# The most caption tokens a client may ask for, whatever the model, so a request means the
# same thing for every caption model.
MAX_NEW_TOKENS = 64


@dataclass(frozen=True)
class CaptionResult:
    caption: str  # one English sentence, capitalised, ending with "."
    ms: float  # decode + preprocess + inference, milliseconds
    details: dict[str, Any] = field(default_factory=dict)


class Captioner(Protocol):
    bundle: Bundle
    load_ms: float  # bundle verify + session creation

    def caption(
        self,
        image: bytes,
        *,
        max_new_tokens: int | None = None,
        num_beams: int = 1,
        sampling: Sampling | None = None,
    ) -> CaptionResult: ...


def validate_generation_params(
    max_new_tokens: int | None, num_beams: int, sampling: Sampling | None = None
) -> None:
    """Refuse out-of-range generation parameters with a typed error saying what is allowed."""
    check_generation_params(
        num_beams, max_new_tokens, max_new_tokens_limit=MAX_NEW_TOKENS, sampling=sampling
    )
