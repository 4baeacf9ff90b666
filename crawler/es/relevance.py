"""Search quality figures over judged queries: nDCG@10, P@5, P@10 and recall (binary
relevance)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from crawler.es.search import MAX_SIZE, SearchRequest, search

if TYPE_CHECKING:
    from elasticsearch import Elasticsearch


def ndcg_at_k(ranked: list[str], relevant: set[str], k: int = 10) -> float:
    gains = sum(1 / math.log2(i + 2) for i, doc in enumerate(ranked[:k]) if doc in relevant)
    ideal = sum(1 / math.log2(i + 2) for i in range(min(len(relevant), k)))
    return gains / ideal if ideal else 0.0


def precision_at_k(ranked: list[str], relevant: set[str], k: int = 5) -> float:
    return sum(1 for doc in ranked[:k] if doc in relevant) / k


def reachable_precision(ranked: list[str], relevant: set[str], k: int = 10) -> float:
    """Precision in the top min(k, R) for R relevant articles: 1.0 when every place that
    can hold a relevant article holds one (a query with 3 relevant articles cannot reach
    P@10 above 0.3, so P@10 alone cannot tell good ranking from bad there)."""
    places = min(k, len(relevant))
    return precision_at_k(ranked, relevant, places) if places else 0.0


def recall(matched: list[str], relevant: set[str]) -> float:
    """The share of the relevant articles that the search finds at all."""
    return len(relevant & set(matched)) / len(relevant) if relevant else 0.0


def evaluate_queries(
    client: Elasticsearch, index: str, queries: list[dict[str, Any]]
) -> dict[str, Any]:
    """Per-query and mean nDCG@10, P@5, P@10, P@10 within reach (reachable_precision) and
    recall among the first MAX_SIZE hits; republications are not grouped here, so every
    judged article can be ranked."""
    rows = []
    for judged in queries:
        request = SearchRequest(q=judged["query"], size=MAX_SIZE, group=False)
        ranked = [hit["id"] for hit in search(client, index, request)["hits"]]
        relevant = set(judged["relevant"])
        rows.append({
            "query": judged["query"],
            "ndcg@10": ndcg_at_k(ranked, relevant),
            "p@5": precision_at_k(ranked, relevant, 5),
            "p@10": precision_at_k(ranked, relevant, 10),
            "rp@10": reachable_precision(ranked, relevant, 10),
            "recall": recall(ranked, relevant),
            "top": ranked[:10],
        })  # fmt: skip
    count = len(rows) or 1
    means = {m: sum(r[m] for r in rows) / count
             for m in ("ndcg@10", "p@5", "p@10", "rp@10", "recall")}  # fmt: skip
    return {"queries": rows, **means}
