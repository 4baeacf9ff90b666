"""Relevance gate: the judged queries' figures may not fall below the baseline, on the
template corpus (always) and on the shared real police excerpts (where they are kept)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator

import pytest
from elasticsearch import Elasticsearch

from crawler.es.relevance import (
    evaluate_queries,
    ndcg_at_k,
    precision_at_k,
    reachable_precision,
    recall,
)
from testkit.real_corpus import index_real_corpus, real_corpus_path
from tests.conftest import PROJECT, drop_alias

DATA = PROJECT / "tests" / "data" / "relevance"
BASELINE = json.loads((DATA / "baseline.json").read_text(encoding="utf-8"))


def test_metrics() -> None:
    assert ndcg_at_k(["a", "b"], {"a", "b"}) == 1.0
    assert ndcg_at_k(["x", "a"], {"a"}) < 1.0
    assert precision_at_k(["a", "x", "b", "y", "z"], {"a", "b"}, 5) == 0.4
    assert reachable_precision(["a", "b", "x"], {"a", "b"}) == 1.0
    assert reachable_precision(["a", "x", "b"], {"a", "b"}) == 0.5
    assert recall(["a", "x"], {"a", "b"}) == 0.5


def test_relevance_does_not_fall_below_the_baseline(es, corpus_index) -> None:
    queries = json.loads((DATA / "queries.json").read_text(encoding="utf-8"))["queries"]
    assert len(queries) >= 25
    figures = evaluate_queries(es, corpus_index, queries)
    assert figures["ndcg@10"] >= BASELINE["ndcg@10"], figures["queries"]
    assert figures["p@5"] >= BASELINE["p@5"], figures["queries"]


@pytest.fixture(scope="module")
def real_index(es_url: str) -> Iterator[str]:
    """The shared real police excerpts in an alias of their own (kept outside the
    repository: third-party news)."""
    path = real_corpus_path()
    if path is None:
        pytest.skip("police_dev.jsonl: real text kept outside the repository, not on this "
                    "machine ($VN_NEWS_DATA or ../shared/research/data)")  # fmt: skip
    alias = f"test-real-{uuid.uuid4().hex[:8]}"
    with Elasticsearch(es_url) as client:
        failed = index_real_corpus(client, alias, path)
    assert not failed, failed[:3]
    yield alias
    drop_alias(es_url, alias)


def test_words_written_together_rank_first_on_real_news(es, real_index) -> None:
    queries = json.loads((DATA / "real_queries.json").read_text(encoding="utf-8"))["queries"]
    assert len(queries) >= 40
    figures = evaluate_queries(es, real_index, queries)
    floors = BASELINE["real"]
    short = {m: round(figures[m], 3) for m, floor in floors.items() if figures[m] < floor}
    worst = sorted(figures["queries"], key=lambda row: row["rp@10"])[:5]
    assert not short, (short, [(r["query"], round(r["rp@10"], 2), r["top"]) for r in worst])
