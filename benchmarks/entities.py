"""Entity extraction quality and speed: ours against plain underthesea.ner, per set.

Usage: .venv/bin/python benchmarks/entities.py [--sets NAME ...] [--no-underthesea]
       .venv/bin/python benchmarks/entities.py --baseline   (figures for baseline.json)

Sets: the team's own paragraphs (tests/data/entities/), and real text kept outside the
repository (third-party news, see crawler.nlp.evaluation.data_dirs): the shared real police
set (police_dev), our real police held-out set (police_heldout), real general news
(general_news), and the VLSP 2016 NER test split (vlsp, general news, never tuned on).
Prints P/R/F1 per type, strict and with places matched loosely, micro PER+ORG+LOC, the
nested entities' F1, and sentences per second of the whole entity step.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

from underthesea import sent_tokenize  # noqa: E402

from crawler.nlp import crf  # noqa: E402
from crawler.nlp.evaluation import (  # noqa: E402
    CORE,
    TYPES,
    entity_sets,
    find_set,
    load_named,
    load_set,
    micro,
    ours,
    plain_underthesea,
    score,
)

TEAM = PROJECT / "tests" / "data" / "entities"


def table(name: str, rows: list[dict], baseline: bool) -> None:
    kinds = CORE if name == "vlsp" else TYPES
    present = [k for k in kinds if any(g["type"] == k for r in rows for g in r["gold"])]
    print(f"\n{name} ({len(rows)} records)")
    for loose in (False, True):
        mine, nested = score(rows, ours, loose)
        base = score(rows, plain_underthesea, loose)[0] if baseline else None
        label = "places loose" if loose else "strict"
        header = f"{'ours P':>7} {'R':>6} {'F1':>6}" + ("   underthesea F1" if base else "")
        print(f"  {label:<13} {header}")
        for kind in present:
            a = mine[kind]
            line = f"  {kind:<13} {a.precision:>7.3f} {a.recall:>6.3f} {a.f1:>6.3f}"
            print(line + (f"   {base[kind].f1:>15.3f}" if base else ""))
        a = micro(mine)
        line = f"  {'PER+ORG+LOC':<13} {a.precision:>7.3f} {a.recall:>6.3f} {a.f1:>6.3f}"
        print(line + (f"   {micro(base).f1:>15.3f}" if base else ""))
        if nested.tp + nested.fn and not loose:
            n = nested
            print(f"  {'nested':<13} {n.precision:>7.3f} {n.recall:>6.3f} {n.f1:>6.3f}")


def figures(rows: list[dict]) -> dict[str, float]:
    """F1 per annotated type, micro PER+ORG+LOC ("ALL") and nested, floored to 0.01: the
    quality gate's floor (tests/test_nlp_quality.py)."""
    mine, nested = score(rows, ours)
    present = [k for k in TYPES if any(g["type"] == k for r in rows for g in r["gold"])]
    found = {kind: mine[kind].f1 for kind in present} | {"ALL": micro(mine).f1}
    if nested.tp + nested.fn:
        found["nested"] = nested.f1
    return {kind: int(f1 * 100) / 100 for kind, f1 in found.items()}


def speed(rows: list[dict]) -> None:
    """Sentences/s of the whole entity step (rules and models) against underthesea.ner:
    with the decoder's memo of word windows empty, and on a second pass (steady state)."""
    texts = [row["text"] for row in rows]
    sentences = sum(len(sent_tokenize(t)) for t in texts)

    def rate(extractor) -> float:
        started = time.perf_counter()
        for text in texts:
            extractor(text)
        return sentences / (time.perf_counter() - started)

    ours(texts[0]), plain_underthesea(texts[0])  # load models outside the timing
    plain = rate(plain_underthesea)
    crf.forget()
    cold, warm = rate(ours), rate(ours)
    print(f"{'underthesea.ner':<24} {plain:8.1f} sentences/s")
    for label, figure in (("ours, memo empty", cold), ("ours, second pass", warm)):
        print(f"{label:<24} {figure:8.1f} sentences/s  {figure / plain:5.1f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", nargs="*", help="only these sets")
    parser.add_argument("--no-underthesea", action="store_true", help="skip the baseline")
    parser.add_argument("--baseline", action="store_true", help="print the gate's floors")
    args = parser.parse_args()
    if args.baseline:
        chosen = {n: p for n, p in entity_sets().items() if p and (not args.sets or n in args.sets)}
        print(json.dumps({n: figures(load_named(n, p)) for n, p in chosen.items()}, indent=1))
        return
    for name, path in entity_sets().items():
        if args.sets and name not in args.sets:
            continue
        if path is None:
            print(f"\n{name}: not here (real text is kept outside the repository)")
            continue
        table(name, load_named(name, path), not args.no_underthesea)
    police = find_set("police_dev.jsonl")
    print("\nspeed on", "the real police set" if police else "the team's set")
    speed(load_set(police or TEAM / "dev.jsonl"))


if __name__ == "__main__":
    main()
