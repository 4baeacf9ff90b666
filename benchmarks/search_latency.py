"""Search latency p50/p95 over the judged relevance queries on a large generated index.

Usage (a local Elasticsearch must be up; `ES_HEAP=1g crawler es up` is kinder to 100k):
    .venv/bin/python benchmarks/search_latency.py [--articles 100000] [--keep]

Generates articles from the templates of testkit/relevance_corpus.py with varied provinces,
officers and dates (entities taken from the template, not from NER, to keep the set-up to
minutes), bulk-indexes them into a throwaway alias, then runs every judged query as the
search page does (grouping and facets on), several times, and prints client-side latency.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
import uuid
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

from elasticsearch import Elasticsearch  # noqa: E402
from elasticsearch.helpers import parallel_bulk  # noqa: E402

from crawler.es.document import article_document  # noqa: E402
from crawler.es.index import ensure_index  # noqa: E402
from crawler.es.search import SearchRequest, search  # noqa: E402
from crawler.items import Article  # noqa: E402
from pipelines.normalize import normalize_article  # noqa: E402
from testkit.relevance_corpus import MERGED, OFFICERS, PROVINCES, TOPICS, VARIANTS  # noqa: E402


def articles(count: int):
    topics = list(TOPICS.items())
    for number in range(count):
        topic, (title, lead) = topics[number % len(topics)]
        slug, province, district = PROVINCES[(number // len(topics)) % len(PROVINCES)]
        officer = OFFICERS[(number // 7) % len(OFFICERS)]
        names = {"province": province, "district": district, "officer": officer}
        year, month, day = 2020 + number % 6, 1 + number % 12, 1 + number % 28
        item = Article(
            id=f"gen-{number}", url=f"https://congan.{slug}.gov.vn/tin/{number}.html",
            source="site", site=slug, province=province,
            province_current=MERGED.get(slug, province),
            title=f"{title.format(**names)} (số {number})",
            body=[lead.format(**names), VARIANTS[number % 3].format(**names)],
            published=f"{year}-{month:02d}-{day:02d}T08:00:00+07:00", category=[topic],
            entities=[{"type": "PER", "normalized": officer}, {"type": "LOC",
                       "normalized": district}, {"type": "ORG",
                       "normalized": f"Công an tỉnh {province}"}],
        )  # fmt: skip
        yield article_document(normalize_article(item))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--keep", action="store_true", help="keep the index afterwards")
    args = parser.parse_args()
    client = Elasticsearch(os.environ.get("ES_URL", "http://127.0.0.1:9200"), request_timeout=120)
    alias = f"bench-latency-{uuid.uuid4().hex[:8]}"
    ensure_index(client, alias)
    client.indices.put_settings(index=alias, settings={"refresh_interval": "-1"})
    started = time.perf_counter()
    actions = ({"_index": alias, "_id": d["id"], "_source": d} for d in articles(args.articles))
    failed = sum(1 for ok, _ in parallel_bulk(client, actions, thread_count=2, chunk_size=1000)
                 if not ok)  # fmt: skip
    client.indices.put_settings(index=alias, settings={"refresh_interval": "1s"})
    client.indices.refresh(index=alias)
    client.indices.forcemerge(index=alias, max_num_segments=5)
    count = client.count(index=alias)["count"]
    print(f"indexed {count} articles ({failed} failed) in {time.perf_counter() - started:.0f} s")

    queries = json.loads((PROJECT / "tests/data/relevance/queries.json").read_text())["queries"]
    for judged in queries:  # warm-up
        search(client, alias, SearchRequest(q=judged["query"], facets=True))
    timings = []
    for _ in range(args.repeats):
        for judged in queries:
            begin = time.perf_counter()
            search(client, alias, SearchRequest(q=judged["query"], facets=True))
            timings.append((time.perf_counter() - begin) * 1000)
    timings.sort()
    p50 = statistics.median(timings)
    p95 = timings[int(len(timings) * 0.95) - 1]
    print(f"{len(timings)} searches ({len(queries)} queries x {args.repeats}, grouping and "
          f"facets on) over {count} articles: p50 {p50:.1f} ms, p95 {p95:.1f} ms, "
          f"max {timings[-1]:.1f} ms")  # fmt: skip
    if not args.keep:
        client.indices.delete(index=list(client.indices.get_alias(name=alias)))


if __name__ == "__main__":
    main()
