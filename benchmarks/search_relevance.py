"""Search quality over judged queries, on two corpora.

1. The 256 template articles (testkit/relevance_corpus.py, tests/data/relevance/
   queries.json): nDCG@10 and P@5.
2. Real police news: the 60 shared real excerpts (police_dev.jsonl, kept outside the
   repository: $VN_NEWS_DATA, else ../shared/research/data; skipped, saying so, where it
   is not) and the judged multi-syllable queries of tests/data/relevance/real_queries.json,
   each typed with and without diacritics: P@10, P@10 within reach (precision in the top
   min(10, R) for R relevant articles), recall, nDCG@10.

Usage (a local Elasticsearch must be up; ES_URL, default http://127.0.0.1:9200):
    .venv/bin/python benchmarks/search_relevance.py [--verbose]
Each corpus goes into a throwaway alias, removed at the end.
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
from testkit.real_corpus import index_real_corpus, real_corpus_path  # noqa: E402
from testkit.relevance_corpus import corpus, index_corpus  # noqa: E402

DATA = PROJECT / "tests" / "data" / "relevance"


def drop(client: Elasticsearch, alias: str) -> None:
    client.indices.delete(index=list(client.indices.get_alias(name=alias)))


def template_set(client: Elasticsearch, verbose: bool) -> None:
    alias = f"bench-relevance-{uuid.uuid4().hex[:8]}"
    failed = index_corpus(client, alias)
    queries = json.loads((DATA / "queries.json").read_text())["queries"]
    try:
        figures = evaluate_queries(client, alias, queries)
    finally:
        drop(client, alias)
    if verbose:
        for row in figures["queries"]:
            print(f"{row['ndcg@10']:.3f}  {row['p@5']:.2f}  {row['query']}")
    print(f"template corpus: {len(corpus())} articles ({len(failed)} failed), "
          f"{len(queries)} queries: nDCG@10 {figures['ndcg@10']:.3f}, "
          f"P@5 {figures['p@5']:.3f}")  # fmt: skip


def real_set(client: Elasticsearch, verbose: bool) -> None:
    path = real_corpus_path()
    if path is None:
        print("real corpus: skipped, police_dev.jsonl is not on this machine "
              "(set VN_NEWS_DATA or keep it in ../shared/research/data)")  # fmt: skip
        return
    alias = f"bench-real-{uuid.uuid4().hex[:8]}"
    failed = index_real_corpus(client, alias, path)
    queries = json.loads((DATA / "real_queries.json").read_text())["queries"]
    try:
        figures = evaluate_queries(client, alias, queries)
    finally:
        drop(client, alias)
    print("  P@10  reach recall nDCG  query")
    for row in figures["queries"]:
        line = (f"  {row['p@10']:.2f}  {row['rp@10']:.2f}  {row['recall']:.2f}  "
                f"{row['ndcg@10']:.3f} {row['query']}")  # fmt: skip
        if verbose:
            line += "  " + " ".join(d.removeprefix("real-") for d in row["top"])
        print(line)
    print(f"real corpus: {path} ({len(failed)} failed), {len(queries)} queries: "
          f"P@10 {figures['p@10']:.3f}, P@10 within reach {figures['rp@10']:.3f}, "
          f"recall {figures['recall']:.3f}, nDCG@10 {figures['ndcg@10']:.3f}")  # fmt: skip


def main() -> None:
    verbose = "--verbose" in sys.argv[1:]
    client = Elasticsearch(os.environ.get("ES_URL", "http://127.0.0.1:9200"))
    template_set(client, verbose)
    real_set(client, verbose)


if __name__ == "__main__":
    main()
