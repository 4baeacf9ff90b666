"""Search quality figures over judged queries: nDCG@10 and P@5 (binary relevance)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from crawler.es.search import SearchRequest, search

if TYPE_CHECKING:
    from elasticsearch import Elasticsearch


def ndcg_at_k(ranked: list[str], relevant: set[str], k: int = 10) -> float:
    gains = sum(1 / math.log2(i + 2) for i, doc in enumerate(ranked[:k]) if doc in relevant)
    ideal = sum(1 / math.log2(i + 2) for i in range(min(len(relevant), k)))
    return gains / ideal if ideal else 0.0


def precision_at_k(ranked: list[str], relevant: set[str], k: int = 5) -> float:
    return sum(1 for doc in ranked[:k] if doc in relevant) / k


def evaluate_queries(
    client: Elasticsearch, index: str, queries: list[dict[str, Any]]
) -> dict[str, Any]:
    """Per-query and mean nDCG@10 and P@5; republications are not grouped here, so every
    judged article can be ranked."""
    rows = []
    for judged in queries:
        request = SearchRequest(q=judged["query"], size=10, group=False)
        ranked = [hit["id"] for hit in search(client, index, request)["hits"]]
        relevant = set(judged["relevant"])
        rows.append({
            "query": judged["query"],
            "ndcg@10": ndcg_at_k(ranked, relevant),
            "p@5": precision_at_k(ranked, relevant, 5),
        })  # fmt: skip
    count = len(rows) or 1
    return {
        "queries": rows,
        "ndcg@10": sum(r["ndcg@10"] for r in rows) / count,
        "p@5": sum(r["p@5"] for r in rows) / count,
    }
