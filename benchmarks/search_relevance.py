"""nDCG@10 and P@5 of search over the judged queries, on the 256-article corpus.

Usage (a local Elasticsearch must be up): .venv/bin/python benchmarks/search_relevance.py
Indexes testkit/relevance_corpus.py into a throwaway alias, runs tests/data/relevance/
queries.json, prints per-query and mean figures, and removes the alias.
"""

from __future__ import annotations

import json
import os
import sys
import uuid
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

from elasticsearch import Elasticsearch  # noqa: E402

from crawler.es.relevance import evaluate_queries  # noqa: E402
from testkit.relevance_corpus import corpus, index_corpus  # noqa: E402


def main() -> None:
    client = Elasticsearch(os.environ.get("ES_URL", "http://127.0.0.1:9200"))
    alias = f"bench-relevance-{uuid.uuid4().hex[:8]}"
    failed = index_corpus(client, alias)
    queries = json.loads((PROJECT / "tests/data/relevance/queries.json").read_text())["queries"]
    try:
        figures = evaluate_queries(client, alias, queries)
    finally:
        client.indices.delete(index=list(client.indices.get_alias(name=alias)))
    for row in figures["queries"]:
        print(f"{row['ndcg@10']:.3f}  {row['p@5']:.2f}  {row['query']}")
    print(f"\n{len(corpus())} articles ({len(failed)} failed), {len(queries)} queries: "
          f"nDCG@10 {figures['ndcg@10']:.3f}, P@5 {figures['p@5']:.3f}")  # fmt: skip


if __name__ == "__main__":
    main()
