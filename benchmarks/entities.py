"""Entity extraction quality and speed: our extractor against plain underthesea.ner.

Usage: .venv/bin/python benchmarks/entities.py
Prints precision, recall and F1 per type and overall, for police news and general news
apart, on tests/data/entities/dev.jsonl and heldout.jsonl, and sentences per second.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

from underthesea import sent_tokenize  # noqa: E402

from crawler.nlp.evaluation import TYPES, evaluate, load_set, ours, plain_underthesea  # noqa: E402

DATA = PROJECT / "tests" / "data" / "entities"


def table(name: str, rows: list[dict]) -> None:
    print(f"\n{name} ({len(rows)} paragraphs)")
    header = f"{'ours P':>7} {'R':>6} {'F1':>6}   {'underthesea P':>13} {'R':>6} {'F1':>6}"
    print(f"{'type':<6} {header}")
    mine, base = evaluate(rows, ours), evaluate(rows, plain_underthesea)
    for kind in (*TYPES, "ALL"):
        a, b = mine[kind], base[kind]
        print(
            f"{kind:<6} {a.precision:>7.3f} {a.recall:>6.3f} {a.f1:>6.3f}   "
            f"{b.precision:>13.3f} {b.recall:>6.3f} {b.f1:>6.3f}"
        )
    core = [m for k, m in mine.items() if k in ("PER", "ORG", "LOC")]
    tp, fp, fn = (sum(getattr(s, f) for s in core) for f in ("tp", "fp", "fn"))
    p, r = tp / (tp + fp or 1), tp / (tp + fn or 1)
    print(f"ours on PER+ORG+LOC: F1 {2 * p * r / (p + r or 1):.3f}")


def speed(rows: list[dict], repeats: int = 3) -> None:
    texts = [row["text"] for row in rows]
    sentences = sum(len(sent_tokenize(t)) for t in texts) * repeats
    for name, extractor in (("ours", ours), ("underthesea.ner", plain_underthesea)):
        extractor(texts[0])  # load models outside the timing
        started = time.perf_counter()
        for _ in range(repeats):
            for text in texts:
                extractor(text)
        elapsed = time.perf_counter() - started
        print(f"{name:<16} {sentences / elapsed:8.1f} sentences/s")


def main() -> None:
    rows = load_set(DATA / "dev.jsonl")
    table("dev set, police news", [r for r in rows if r["domain"] == "police"])
    table("dev set, general news", [r for r in rows if r["domain"] == "general"])
    table("dev set, all", rows)
    # Written after the rules and never used to tune them: the honest figure.
    table("held-out set", load_set(DATA / "heldout.jsonl"))
    print()
    speed(rows)


if __name__ == "__main__":
    main()
