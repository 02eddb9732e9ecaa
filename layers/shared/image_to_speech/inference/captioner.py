"""The caption facade: one `Captioner` protocol, whichever kind of model the bundle holds.

`load_captioner()` reads the bundle's manifest and picks the implementation by its "kind":
an ImageNet classifier that phrases its top labels as a sentence ("image-classifier"), or a
vision encoder-decoder that writes the caption token by token ("vision-encoder-decoder").
Implementations are imported lazily so a function image only loads the one it ships.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from .bundle import Bundle, load_bundle, resolve_bundle_dir
from .errors import BundleIntegrityError
from .limits import check_generation_params

# Limits every captioner enforces, so a request means the same thing for every model.
MIN_NEW_TOKENS, MAX_NEW_TOKENS = 1, 64


@dataclass(frozen=True)
class CaptionResult:
    caption: str  # one English sentence, capitalised, ending with "."
    ms: float  # decode + preprocess + inference, milliseconds
    details: dict[str, Any] = field(default_factory=dict)


class Captioner(Protocol):
    bundle: Bundle
    load_ms: float  # bundle verify + session creation

    def caption(
        self, image: bytes, *, max_new_tokens: int | None = None, num_beams: int = 1
    ) -> CaptionResult: ...


def validate_generation_params(max_new_tokens: int | None, num_beams: int) -> None:
    """Refuse out-of-range generation parameters with a typed error saying what is allowed."""
    check_generation_params(num_beams, max_new_tokens, max_new_tokens_limit=MAX_NEW_TOKENS)


def load_captioner(
    bundle_dir: Path | str | None = None, *, threads: int | None = None
) -> Captioner:
    """Verify the caption bundle (None -> resolve_bundle_dir("caption")) and load its model."""
    path = Path(bundle_dir) if bundle_dir is not None else resolve_bundle_dir("caption")
    bundle = load_bundle(path, task="caption")
    if bundle.kind == "image-classifier":
        from .classifier_captioner import ClassifierCaptioner

        return ClassifierCaptioner(bundle, threads)
    if bundle.kind == "vision-encoder-decoder":
        from .vision_encoder_decoder import EncoderDecoderCaptioner

        return EncoderDecoderCaptioner(bundle, threads)
    raise BundleIntegrityError(
        f"{path}: caption bundle kind '{bundle.kind}' is unknown; "
        "expected 'image-classifier' or 'vision-encoder-decoder'"
    )
