"""Captions from an ImageNet classifier: the top labels phrased as one plain sentence.

An offline stand-in for a real captioning model: it names the main object ("A photo of a
tabby cat.") and, when the runner-up is nearly as likely, both ("... an Egyptian cat or a tiger
cat."). Everything it needs (preprocessing, labels, phrasing) comes from the bundle's config.
"""

from __future__ import annotations

import json
import time
from typing import Any

import numpy as np
from PIL import Image

from ..errors import BundleIntegrityError
from . import images
from .bundle import Bundle
from .captioning import CaptionResult, validate_generation_params
from .limits import Sampling
from .sampling import generator, sample_index
from .session import create_session

RESAMPLING = {
    "nearest": Image.Resampling.NEAREST,
    "bilinear": Image.Resampling.BILINEAR,
    "bicubic": Image.Resampling.BICUBIC,
    "lanczos": Image.Resampling.LANCZOS,
}
# Labels that start with a vowel letter but a consonant sound, and the reverse.
_A_BEFORE = ("uni", "use", "usu", "ute", "eu", "one", "once", "ukulele")
_AN_BEFORE = ("hour", "honest", "honor", "honour", "heir")
_VOWEL_SOUND_LETTERS = set("AEFHILMNORSX")  # initialisms read letter by letter: "an SUV"


def with_article(label: str) -> str:
    """'a' or 'an' by the sound of the label's first word ('an Egyptian cat', 'a unicycle')."""
    first = label.split()[0] if label.split() else label
    lower = first.lower()
    if len(first) > 1 and first.isupper():
        article = "an" if first[0] in _VOWEL_SOUND_LETTERS else "a"
    elif lower.startswith(_AN_BEFORE):
        article = "an"
    elif lower.startswith(_A_BEFORE):
        article = "a"
    else:
        article = "an" if lower[:1] in set("aeiou") else "a"
    return f"{article} {label}"


def phrase_caption(ranked: list[tuple[str, float]], rules: dict[str, Any]) -> str:
    """One sentence from labels ranked by probability, per the bundle's caption rules.

    The runner-up is named too when its probability is at least `alternative_ratio` of the
    winner's; below `min_confidence` the sentence hedges instead of asserting.
    """
    top_label, top_score = ranked[0]
    named = [top_label]
    for label, score in ranked[1:2]:
        if score >= rules["alternative_ratio"] * top_score and label not in named:
            named.append(label)
    labels = " or ".join(with_article(label) for label in named)
    template = (
        rules["template"] if top_score >= rules["min_confidence"] else rules["uncertain_template"]
    )
    sentence = template.format(labels=labels)
    return sentence[:1].upper() + sentence[1:]


def center_square(image: Image.Image) -> Image.Image:
    """The largest centred square: keeps the aspect ratio instead of squashing the photo."""
    width, height = image.size
    side = min(width, height)
    left, top = (width - side) // 2, (height - side) // 2
    return image.crop((left, top, left + side, top + side))


def preprocess(image: Image.Image, spec: dict[str, Any]) -> np.ndarray:
    """NCHW float32 input for the classifier, as the bundle's `preprocessing` config says."""
    if spec.get("crop") == "center-square":
        image = center_square(image)
    height, width = spec["size"]
    return images.to_tensor(
        image,
        size=(height, width),
        mean=spec["mean"],
        std=spec["std"],
        resample=RESAMPLING[spec["resample"]],
        rescale=spec["rescale"],
    )


def softmax(logits: np.ndarray) -> np.ndarray:
    shifted = logits.astype(np.float64) - np.max(logits)
    exp = np.exp(shifted)
    return exp / exp.sum()


class ClassifierCaptioner:
    """Captioner for bundles of kind "image-classifier" (e.g. caption/efficientnet-lite0)."""

    def __init__(self, bundle: Bundle, threads: int | None = None) -> None:
        started = time.perf_counter()
        self.bundle = bundle
        config = bundle.config
        try:
            self.preprocessing: dict[str, Any] = config["preprocessing"]
            self.rules: dict[str, Any] = config["caption"]
            self.input_name: str = config["input_name"]
            self.output_name: str = config["output_name"]
            model_file = bundle.file(config["model_file"])
            labels_file = bundle.file(config["labels_file"])
            if self.preprocessing["resample"] not in RESAMPLING:
                raise KeyError(f"resample {self.preprocessing['resample']!r}")
        except KeyError as exc:
            raise BundleIntegrityError(
                f"{bundle.path}: incomplete classifier config: {exc}"
            ) from exc
        self.labels: list[str] = json.loads(labels_file.read_text())
        self.session = create_session(model_file, threads)
        classes = self.session.get_outputs()[0].shape[-1]
        if classes != len(self.labels):
            raise BundleIntegrityError(
                f"{bundle.path}: model has {classes} classes but labels file has {len(self.labels)}"
            )
        self.load_ms = bundle.verify_ms + (time.perf_counter() - started) * 1000

    def logits(self, image: bytes) -> np.ndarray:
        """The classifier's logits for one image. Raises typed errors for bad bytes."""
        tensor = preprocess(images.decode_image(image), self.preprocessing)
        logits: np.ndarray = self.session.run([self.output_name], {self.input_name: tensor})[0][0]
        return logits

    def classify(self, image: bytes, sampling: Sampling | None = None) -> list[tuple[str, float]]:
        """The top_k (label, probability) pairs, best first; with sampling, the first label is
        drawn from the (tempered, top-k/top-p filtered) distribution instead."""
        logits = self.logits(image)
        probabilities = softmax(logits)
        top = [int(i) for i in np.argsort(-probabilities)[: int(self.rules["top_k"])]]
        if sampling is not None:
            drawn = sample_index(logits, sampling, generator(sampling))
            top = [drawn, *(i for i in top if i != drawn)][: len(top)]
        return [(self.labels[i], float(probabilities[i])) for i in top]

    def caption(
        self,
        image: bytes,
        *,
        max_new_tokens: int | None = None,
        num_beams: int = 1,
        sampling: Sampling | None = None,
    ) -> CaptionResult:
        # A classifier does not generate tokens: max_new_tokens and num_beams are checked, then
        # unused, so a request valid for one caption model is valid for every other. Sampling
        # draws the named label.
        validate_generation_params(max_new_tokens, num_beams, sampling)
        started = time.perf_counter()
        ranked = self.classify(image, sampling)
        sentence = phrase_caption(ranked, self.rules)
        ms = (time.perf_counter() - started) * 1000
        labels = [{"label": label, "score": round(score, 4)} for label, score in ranked]
        return CaptionResult(caption=sentence, ms=ms, details={"labels": labels})
