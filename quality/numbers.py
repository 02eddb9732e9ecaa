"""Cardinal numbers in Brazilian Portuguese words, so "42" and "quarenta e dois" score the same.

A recogniser writes a spoken number either way; the error rates compare words, so both the
reference and the transcript have their digits spelled out before scoring.
"""

from __future__ import annotations

import re

_UNITS = [
    "zero",
    "um",
    "dois",
    "três",
    "quatro",
    "cinco",
    "seis",
    "sete",
    "oito",
    "nove",
    "dez",
    "onze",
    "doze",
    "treze",
    "catorze",
    "quinze",
    "dezesseis",
    "dezessete",
    "dezoito",
    "dezenove",
]
_TENS = [
    "-",
    "-",
    "vinte",
    "trinta",
    "quarenta",
    "cinquenta",
    "sessenta",
    "setenta",
    "oitenta",
    "noventa",
]
_HUNDREDS = [
    "-",
    "cento",
    "duzentos",
    "trezentos",
    "quatrocentos",
    "quinhentos",
    "seiscentos",
    "setecentos",
    "oitocentos",
    "novecentos",
]
_SCALES = ((1_000_000_000, "bilhão", "bilhões"), (1_000_000, "milhão", "milhões"))
# "1.500" and "10.000" (pt thousands separators) or plain digit runs; not decimals like "3,5".
_NUMBER = re.compile(r"\d{1,3}(?:\.\d{3})+(?!\d)|\d+")


def _below_thousand(n: int) -> str:
    if n < 20:
        return _UNITS[n]
    if n < 100:
        tens, unit = divmod(n, 10)
        return _TENS[tens] + (f" e {_UNITS[unit]}" if unit else "")
    if n == 100:
        return "cem"
    hundreds, rest = divmod(n, 100)
    return _HUNDREDS[hundreds] + (f" e {_below_thousand(rest)}" if rest else "")


def number_words(n: int) -> str:
    """0 <= n < 10**12 in words: 1998 -> "mil novecentos e noventa e oito"."""
    if n < 0 or n >= 10**12:
        raise ValueError(f"{n} is out of range")
    if n < 1000:
        return _below_thousand(n)
    parts: list[str] = []
    rest = n
    for value, singular, plural in _SCALES:
        count, rest = divmod(rest, value)
        if count:
            parts.append(f"{number_words(count)} {singular if count == 1 else plural}")
    thousands, rest = divmod(rest, 1000)
    if thousands:
        parts.append("mil" if thousands == 1 else f"{_below_thousand(thousands)} mil")
    if rest:
        # "e" before the last group when it is below 100 or a round hundred: "mil e vinte".
        joiner = "e " if rest < 100 or rest % 100 == 0 else ""
        parts.append(joiner + _below_thousand(rest))
    return " ".join(parts)


def spell_numbers(text: str) -> str:
    def spell(match: re.Match[str]) -> str:
        digits = match.group(0).replace(".", "")
        if len(digits) > 12:
            return match.group(0)
        return f" {number_words(int(digits))} "

    return _NUMBER.sub(spell, text)
