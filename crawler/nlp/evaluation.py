"""Precision, recall and F1 of entity mentions against a hand-annotated set."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

Extractor = Callable[[str], list[tuple[str, str]]]
TYPES = ("PER", "ORG", "LOC", "TITLE", "RANK", "DATE")


@dataclass
class Scores:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def load_set(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def evaluate(rows: Iterable[dict], extractor: Extractor) -> dict[str, Scores]:
    """Scores per type and "ALL" over (type, text) multisets, paragraph by paragraph."""
    scores = {kind: Scores() for kind in (*TYPES, "ALL")}
    for row in rows:
        gold = Counter((kind, text) for kind, text in row["entities"])
        found = Counter(pair for pair in extractor(row["text"]) if pair[0] in TYPES)
        for kind in TYPES:
            g = Counter({k: v for k, v in gold.items() if k[0] == kind})
            f = Counter({k: v for k, v in found.items() if k[0] == kind})
            hit = sum((g & f).values())
            for key in (kind, "ALL"):
                scores[key].tp += hit
                scores[key].fp += sum(f.values()) - hit
                scores[key].fn += sum(g.values()) - hit
    return scores


def ours(text: str) -> list[tuple[str, str]]:
    from crawler.nlp.entities import extract

    return [(m.type, m.text) for m in extract(text)]


def plain_underthesea(text: str) -> list[tuple[str, str]]:
    """underthesea.ner as it ships, its BIO tags joined into spans."""
    from underthesea import ner

    spans: list[tuple[str, str]] = []
    kind, words = "", []
    for word, _pos, _chunk, tag in [*ner(text), ("", "", "", "O")]:
        if tag.startswith("I-") and tag[2:] == kind:
            words.append(word)
            continue
        if words:
            spans.append((kind, " ".join(words)))
        kind, words = (tag[2:], [word]) if tag != "O" else ("", [])
    return spans
