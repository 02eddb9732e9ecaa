"""chrF (Popović 2015) for the parity tests: character n-grams 1..6, beta = 2.

Whitespace is removed before counting (as sacrebleu does). Corpus level: n-gram counts are
summed over all sentences, precision and recall are averaged over the orders 1..6, and
chrF = (1 + b^2) P R / (b^2 P + R), in 0..100.
"""

from __future__ import annotations

from collections import Counter

MAX_ORDER = 6
BETA = 2.0


def char_ngrams(text: str, order: int) -> Counter[str]:
    chars = "".join(text.split())
    return Counter(chars[i : i + order] for i in range(len(chars) - order + 1))


def corpus_chrf(hypotheses: list[str], references: list[str]) -> float:
    if len(hypotheses) != len(references):
        raise ValueError("hypotheses and references differ in length")
    matches = [0] * MAX_ORDER
    hyp_total = [0] * MAX_ORDER
    ref_total = [0] * MAX_ORDER
    for hyp, ref in zip(hypotheses, references, strict=True):
        for n in range(1, MAX_ORDER + 1):
            hyp_grams, ref_grams = char_ngrams(hyp, n), char_ngrams(ref, n)
            matches[n - 1] += sum((hyp_grams & ref_grams).values())
            hyp_total[n - 1] += sum(hyp_grams.values())
            ref_total[n - 1] += sum(ref_grams.values())
    orders = [i for i in range(MAX_ORDER) if hyp_total[i] and ref_total[i]]
    if not orders:
        return 0.0
    precision = sum(matches[i] / hyp_total[i] for i in orders) / len(orders)
    recall = sum(matches[i] / ref_total[i] for i in orders) / len(orders)
    if precision + recall == 0:
        return 0.0
    beta2 = BETA**2
    return 100 * (1 + beta2) * precision * recall / (beta2 * precision + recall)


def sentence_chrf(hypothesis: str, reference: str) -> float:
    return corpus_chrf([hypothesis], [reference])
