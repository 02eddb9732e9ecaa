"""Word and character error rates between a reference text and a transcript.

Both texts are normalised the same way first: lower case, punctuation removed, hyphens and
apostrophes as spaces, runs of whitespace collapsed. Accents are KEPT: "e"/"é" and "avo"/"avó"
are different words in Portuguese. Numbers are spelled out in pt-BR words on both sides
("42" = "quarenta e dois"). Rates are corpus rates (total edits / total reference
length), so long sentences weigh more than short ones, as in common ASR practice. One sentence
counts at most as many edits as its reference has words / characters (a rate of 1.0 = nothing
recognised): a recogniser stuck in a repetition loop on one unclear sentence must not outweigh
the rest of the set.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from .numbers import spell_numbers

_SEPARATORS = re.compile(r"[-‐‑–—'’/]")
_NOT_WORD = re.compile(r"[^\w\s]")


def normalize(text: str) -> str:
    text = spell_numbers(unicodedata.normalize("NFC", text).lower())
    text = _SEPARATORS.sub(" ", text)
    text = _NOT_WORD.sub("", text).replace("_", " ")
    return " ".join(text.split())


def edit_distance(reference: Sequence[str], hypothesis: Sequence[str]) -> int:
    """Levenshtein distance (substitutions, insertions, deletions all cost 1)."""
    previous = list(range(len(hypothesis) + 1))
    for i, ref_item in enumerate(reference, start=1):
        current = [i]
        for j, hyp_item in enumerate(hypothesis, start=1):
            current.append(
                min(
                    previous[j] + 1,  # deletion
                    current[j - 1] + 1,  # insertion
                    previous[j - 1] + (ref_item != hyp_item),  # substitution / match
                )
            )
        previous = current
    return previous[-1]


@dataclass(frozen=True)
class ErrorCounts:
    word_edits: int
    words: int
    char_edits: int
    chars: int

    @property
    def wer(self) -> float:
        return self.word_edits / self.words if self.words else 0.0

    @property
    def cer(self) -> float:
        return self.char_edits / self.chars if self.chars else 0.0

    def __add__(self, other: ErrorCounts) -> ErrorCounts:
        return ErrorCounts(
            self.word_edits + other.word_edits,
            self.words + other.words,
            self.char_edits + other.char_edits,
            self.chars + other.chars,
        )


def error_counts(reference: str, hypothesis: str) -> ErrorCounts:
    """Edits (capped at the reference length) and lengths of one pair, after normalising both."""
    ref, hyp = normalize(reference), normalize(hypothesis)
    words, chars = len(ref.split()), len(ref)
    return ErrorCounts(
        word_edits=min(words, edit_distance(ref.split(), hyp.split())),
        words=words,
        char_edits=min(chars, edit_distance(ref, hyp)),
        chars=chars,
    )


def corpus_counts(pairs: Sequence[tuple[str, str]]) -> ErrorCounts:
    total = ErrorCounts(0, 0, 0, 0)
    for reference, hypothesis in pairs:
        total = total + error_counts(reference, hypothesis)
    return total
