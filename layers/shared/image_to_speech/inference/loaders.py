"""Load the model of a task from its bundle, picking the implementation by the bundle's "kind".

Implementations are imported only when their kind is loaded, so a function image imports only
the code (and the libraries) of the one model it ships.
"""

from __future__ import annotations

import time
from pathlib import Path

from ..errors import BundleIntegrityError
from .bundle import Bundle, load_bundle, resolve_bundle_dir
from .captioning import Captioner
from .speech import Synthesizer
from .translation import BaseTranslator, Translator


def _bundle(task: str, bundle_dir: Path | str | None) -> Bundle:
    path = Path(bundle_dir) if bundle_dir is not None else resolve_bundle_dir(task)
    return load_bundle(path, task=task)


def _unknown_kind(bundle: Bundle, expected: tuple[str, ...]) -> BundleIntegrityError:
    return BundleIntegrityError(
        f"{bundle.path}: {bundle.task} bundle kind '{bundle.kind}' is unknown; "
        f"expected one of {list(expected)}"
    )


def load_captioner(
    bundle_dir: Path | str | None = None, *, threads: int | None = None
) -> Captioner:
    """Verify the caption bundle (None: the configured one) and load its model."""
    started = time.perf_counter()
    bundle = _bundle("caption", bundle_dir)
    captioner: Captioner
    if bundle.kind == "image-classifier":
        from .classifier_captioner import ClassifierCaptioner

        captioner = ClassifierCaptioner(bundle, threads)
    elif bundle.kind == "vision-encoder-decoder":
        from .vision_encoder_decoder import EncoderDecoderCaptioner

        captioner = EncoderDecoderCaptioner(bundle, threads)
    else:
        raise _unknown_kind(bundle, ("image-classifier", "vision-encoder-decoder"))
    captioner.load_ms = (time.perf_counter() - started) * 1000
    return captioner


def load_translator(
    bundle_dir: Path | str | None = None, *, threads: int | None = None
) -> Translator:
    """Verify the translate bundle (None: the configured one) and load its model."""
    started = time.perf_counter()
    bundle = _bundle("translate", bundle_dir)
    translator: BaseTranslator  # both implementations share the validation path
    if bundle.kind == "marian":
        from .marian import MarianTranslator

        translator = MarianTranslator(bundle, threads=threads)
    elif bundle.kind == "bergamot":
        from .bergamot import BergamotTranslator

        translator = BergamotTranslator(bundle, threads=threads)
    else:
        raise _unknown_kind(bundle, ("marian", "bergamot"))
    translator.load_ms = (time.perf_counter() - started) * 1000
    return translator


def load_synthesizer(
    bundle_dir: Path | str | None = None, *, threads: int | None = None
) -> Synthesizer:
    """Verify the speak bundle (None: the configured one) and open its voice."""
    started = time.perf_counter()
    bundle = _bundle("speak", bundle_dir)
    if bundle.kind != "piper-vits":
        raise _unknown_kind(bundle, ("piper-vits",))
    from .synthesizer import PiperSynthesizer

    synthesizer = PiperSynthesizer.open(bundle, threads)
    synthesizer.load_ms = (time.perf_counter() - started) * 1000
    return synthesizer
