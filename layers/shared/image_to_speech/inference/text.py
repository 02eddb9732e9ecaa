"""Text checks shared by translate and speak: limits, language tags, sentence splitting."""

from __future__ import annotations

import re
import unicodedata

from ..errors import EmptyTextError, TextTooLongError, UnsupportedLanguageError

# Common abbreviations that end in a period but do not end a sentence (en + pt).
_ABBREVIATIONS = {
    "mr",
    "mrs",
    "ms",
    "dr",
    "prof",
    "sr",
    "sra",
    "jr",
    "st",
    "vs",
    "etc",
    "e.g",
    "i.e",
    "no",
    "fig",
    "approx",
    "dept",
    "inc",
    "ltd",
    "co",
    "av",
    "u.s",
    "a.m",
    "p.m",
}
_SENTENCE_END = re.compile(r"([.!?…]+[\"')\]»”]*)\s+")


def require_text(text: str, *, max_chars: int, field: str = "text") -> str:
    """Normalised, non-empty text within the limit, or a typed error saying what is allowed."""
    cleaned = unicodedata.normalize("NFC", text).strip()
    if not cleaned:
        raise EmptyTextError(
            f"'{field}' is empty.", allowed={"min_chars": 1, "max_chars": max_chars}
        )
    if len(cleaned) > max_chars:
        raise TextTooLongError(
            f"'{field}' has {len(cleaned)} characters; at most {max_chars} are accepted.",
            allowed={"max_chars": max_chars},
        )
    return cleaned


def normalize_language(tag: str, supported: list[str] | tuple[str, ...]) -> str:
    """Map 'pt-br', 'pt_BR', 'PT-BR' onto the supported spelling ('pt-BR'); refuse the rest."""
    wanted = tag.strip().replace("_", "-").lower()
    for candidate in supported:
        if candidate.lower() == wanted:
            return candidate
    raise UnsupportedLanguageError(
        f"Language '{tag}' is not supported by this model.", allowed=list(supported)
    )


def split_sentences(text: str) -> list[str]:
    """Split at sentence-final punctuation, except where the sentence clearly goes on:
    after an abbreviation or an initial ('Dr. Silva', 'e.g. cats', 'J. Smith'), and before a
    lowercase word ('"Where to?" she asked', 'Wait... then'). Decimals ('3.5') never split,
    since the punctuation must be followed by whitespace."""
    sentences: list[str] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        end = match.end(1)
        if _continues(text[start:end], match.group(1), text[match.end() :]):
            continue
        sentence = text[start:end].strip()
        if sentence:
            sentences.append(sentence)
        start = match.end()
    tail = text[start:].strip()
    if tail:
        sentences.append(tail)
    return sentences


def _continues(sentence: str, punctuation: str, following: str) -> bool:
    """True when the punctuation ending `sentence` does not end the sentence."""
    if following[:1].islower():
        return True
    words = sentence.split()
    last_word = words[-1].rstrip(".").lower().lstrip("\"'(«“") if words else ""
    is_abbreviation = last_word in _ABBREVIATIONS or (len(last_word) == 1 and last_word.isalpha())
    return punctuation.startswith(".") and not punctuation.startswith("..") and is_abbreviation


def chunk_sentences(sentences: list[str], max_chars: int) -> list[str]:
    """Split sentences longer than max_chars at commas, then at spaces, so no chunk exceeds it."""
    chunks: list[str] = []
    for sentence in sentences:
        while len(sentence) > max_chars:
            cut = max(sentence.rfind(", ", 0, max_chars), sentence.rfind(" ", 0, max_chars))
            cut = cut if cut > 0 else max_chars
            chunks.append(sentence[: cut + 1].strip())
            sentence = sentence[cut + 1 :].strip()
        if sentence:
            chunks.append(sentence)
    return chunks
