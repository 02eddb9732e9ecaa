"""Text -> Piper phonemes -> phoneme ids, by running the `espeak-ng` PROGRAM.

espeak-ng (GPL-3.0) runs as a separate process: nothing of it is linked or imported here.

Piper voices were trained on espeak-ng IPA with the clause punctuation put back in (espeak's
own phoneme output drops it): "," ";" ":" become the mark plus a space, "." "!" "?" the mark.
So each sentence is split into clauses here, every clause is phonemized in ONE espeak-ng call
(one paragraph per clause: espeak-ng marks a paragraph end with an empty line), and the marks
are appended the way piper-phonemize does. Ids follow piper's phoneme_ids.cpp: BOS, PAD, then
every phoneme followed by PAD, then EOS; each phoneme is one Unicode code point after NFD.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ..errors import PhonemizerError, PhonemizerTimeoutError

BOS, EOS, PAD = "^", "$", "_"
ESPEAK_PROGRAM = "espeak-ng"
ESPEAK_TIMEOUT_S = 20.0

# A clause ends at , ; : . ! ? … followed by whitespace or the end (espeak's rule: "1,000" and
# "e.g" do not end one).
_CLAUSE_END = re.compile(r"([,;:]|[.!?…]+)[\"')\]»”]*(?=\s|$)")
# espeak-ng marks switches to another language inside a clause as "(en)": not phonemes.
_LANGUAGE_SWITCH = re.compile(r"\([a-z]{2,3}(?:-[a-z0-9]+)*\)")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_VOICE_NAME = re.compile(r"^[a-z]{2,3}(?:-[a-z0-9]+)*$")
_PRONOUNCEABLE = re.compile(r"[^\W_]")  # a letter or digit


@dataclass(frozen=True)
class Clause:
    text: str
    mark: str  # "" (none), ",", ";", ":", ".", "!" or "?"


def split_clauses(sentence: str) -> list[Clause]:
    """Clauses of one sentence with the punctuation that ended each (espeak's clause rules)."""
    clean = " ".join(_CONTROL.sub(" ", sentence).split())
    clauses: list[Clause] = []
    start = 0
    for match in _CLAUSE_END.finditer(clean):
        clauses.append(Clause(clean[start : match.start()].strip(), _mark(match.group(1))))
        start = match.end()
    tail = clean[start:].strip()
    if tail:
        clauses.append(Clause(tail, ""))
    return [c for c in clauses if _PRONOUNCEABLE.search(c.text)]


def _mark(punctuation: str) -> str:
    if punctuation in ",;:":
        return punctuation
    if "?" in punctuation:
        return "?"
    return "!" if "!" in punctuation else "."


def phonemize_sentences(
    sentences: Sequence[str], voice: str, *, timeout_s: float = ESPEAK_TIMEOUT_S
) -> list[str]:
    """Piper phoneme string for each sentence ("" for one with nothing pronounceable)."""
    clauses_per_sentence = [split_clauses(s) for s in sentences]
    all_clauses = [c for clauses in clauses_per_sentence for c in clauses]
    if not all_clauses:
        return ["" for _ in sentences]
    texts = [c.text for c in all_clauses]
    groups = _espeak_paragraphs(texts, voice, timeout_s)
    if len(groups) != len(texts):
        # espeak-ng merged or dropped a paragraph: fall back to one call per clause.
        groups = [" ".join(_espeak_paragraphs([t], voice, timeout_s)) for t in texts]
    phonemes_iter = iter(groups)
    result = []
    for clauses in clauses_per_sentence:
        parts = []
        for index, clause in enumerate(clauses):
            parts.append(next(phonemes_iter))
            last = index == len(clauses) - 1
            if clause.mark and clause.mark in ",;:":
                parts.append(clause.mark + " ")
            elif clause.mark:
                parts.append(clause.mark if last else clause.mark + " ")
            elif not last:
                parts.append(" ")
        result.append("".join(parts).strip())
    return result


def _espeak_paragraphs(texts: Sequence[str], voice: str, timeout_s: float) -> list[str]:
    """Phonemes of each text, given to espeak-ng as one paragraph each (one process)."""
    if not _VOICE_NAME.match(voice):
        raise PhonemizerError(f"invalid espeak-ng voice name {voice!r}")
    program = shutil.which(ESPEAK_PROGRAM)
    if program is None:
        raise PhonemizerError(
            f"'{ESPEAK_PROGRAM}' was not found on PATH. Speech needs the espeak-ng program "
            "(Debian/Ubuntu: apt-get install espeak-ng; Amazon Linux: dnf install espeak-ng)."
        )
    # Text goes through stdin, never argv: nothing in it can be read as an option. -b 1 = UTF-8.
    command = [program, "-q", "-b", "1", "--ipa", "-v", voice]
    try:
        completed = subprocess.run(
            command,
            input="\n\n".join(texts).encode("utf-8"),
            capture_output=True,
            timeout=timeout_s,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise PhonemizerTimeoutError(f"espeak-ng took longer than {timeout_s:.0f} s") from exc
    output = completed.stdout.decode("utf-8", "replace")
    # Warnings on stderr are not fatal; empty output is not either (e.g. a clause of symbols).
    if completed.returncode != 0:
        stderr = completed.stderr.decode("utf-8", "replace").strip()
        raise PhonemizerError(
            f"espeak-ng -v {voice} failed (exit code {completed.returncode}): {stderr}"
        )
    paragraphs = [p for p in re.split(r"\n[ \t]*\n", output.strip("\n")) if p.strip()]
    return [_LANGUAGE_SWITCH.sub("", " ".join(p.split())) for p in paragraphs]


def phoneme_ids(phonemes: str, id_map: Mapping[str, Sequence[int]]) -> list[int]:
    """Piper's ids: BOS PAD (phoneme PAD)* EOS; phonemes missing from the map are skipped."""
    ids = [*id_map[BOS], *id_map[PAD]]
    for phoneme in unicodedata.normalize("NFD", phonemes):
        if phoneme in id_map:
            ids.extend(id_map[phoneme])
            ids.extend(id_map[PAD])
    ids.extend(id_map[EOS])
    return ids


def rewrite_phonemes(phonemes: str, rewrites: Sequence[Sequence[str]]) -> str:
    """Apply a voice's ordered [pattern, replacement] regex rewrites to a phoneme string.

    A bundle can carry them (manifest config["phoneme_rewrites"][espeak voice]) to map one
    language's espeak-ng phonemes onto the inventory a voice was trained on, e.g. pt-BR onto an
    en-US voice. Both sides are compared in NFD, the form phoneme_ids() reads.
    """
    text = unicodedata.normalize("NFD", phonemes)
    for pattern, replacement in rewrites:
        text = re.sub(
            unicodedata.normalize("NFD", pattern), unicodedata.normalize("NFD", replacement), text
        )
    return text
