"""Test-only phoneme helpers (diagnostics the runtime does not need)."""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence


def missing_phonemes(phonemes: str, id_map: Mapping[str, Sequence[int]]) -> set[str]:
    """Phonemes the voice has no id for (skipped by phoneme_ids): useful for diagnostics."""
    return {p for p in unicodedata.normalize("NFD", phonemes) if p not in id_map}
