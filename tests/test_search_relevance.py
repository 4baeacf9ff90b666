"""Relevance gate: nDCG@10 and P@5 over the judged queries may not fall below baseline."""

from __future__ import annotations

import json

from crawler.es.relevance import evaluate_queries, ndcg_at_k, precision_at_k
from tests.conftest import PROJECT

DATA = PROJECT / "tests" / "data" / "relevance"
BASELINE = json.loads((DATA / "baseline.json").read_text(encoding="utf-8"))


def test_metrics() -> None:
    assert ndcg_at_k(["a", "b"], {"a", "b"}) == 1.0
    assert ndcg_at_k(["x", "a"], {"a"}) < 1.0
    assert precision_at_k(["a", "x", "b", "y", "z"], {"a", "b"}, 5) == 0.4


def test_relevance_does_not_fall_below_the_baseline(es, corpus_index) -> None:
    queries = json.loads((DATA / "queries.json").read_text(encoding="utf-8"))["queries"]
    assert len(queries) >= 25
    figures = evaluate_queries(es, corpus_index, queries)
    assert figures["ndcg@10"] >= BASELINE["ndcg@10"], figures["queries"]
    assert figures["p@5"] >= BASELINE["p@5"], figures["queries"]
