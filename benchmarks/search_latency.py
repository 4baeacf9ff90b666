"""Search at scale: index N generated articles of real length, then search them as the
web page does (grouping, facets, highlighting) and say where the time goes.

Usage (a local Elasticsearch given by ES_URL, default http://127.0.0.1:9200, or --own-node;
for a million, a node with a 4 GB heap: `ES_HEAP=4g crawler es up`):
    .venv/bin/python benchmarks/search_latency.py [--articles 1000000] [--keep]
    .venv/bin/python benchmarks/search_latency.py --reuse ALIAS --steps   # search only
    .venv/bin/python benchmarks/search_latency.py --reuse ALIAS --merge   # merged first
    .venv/bin/python benchmarks/search_latency.py --reuse ALIAS --add 100000   # bulk rates

Articles: the title and lead of a relevance template (testkit/relevance_corpus.py, so the
judged queries find what they were written for) with varied provinces, officers and
dates, then a body of real-shaped paragraphs (testkit/corpus.py: real police news
sentences with new names and numbers) up to a length drawn between 600 and 5,000
characters, and up to three captions. Entities from the template, not NER (a million
NER runs would take a day).

Indexing alternates blocks written the crawler's way (the Elasticsearch pipeline's
batches: `stored_hashes` then `bulk_write`, ES_BULK_SIZE at a time) with blocks sent by
bare `parallel_bulk`, into the same index, so both meet the same index size; it prints
both rates and the benchmark's resident memory as the index grows. Then the index's size
on disk per article, and the judged queries' latency (p50/p95/max, client side, the
request cache emptied before each, after --warmup seconds of the same searches) through
`search`, as the web page asks. With --steps, the same without facets, without grouping;
each request alone (the ranking, without its rescore; the count, without the stories;
the page's text, without highlighting; the facets, sampled as sent and all counted); and
the profile API's breakdown of the slowest ranking. Each run also names its slowest
queries (the p95 of a few dozen searches is theirs) and how fast the machine was
(cpu_check), before and after.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import resource
import shutil
import socket
import statistics
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import replace
from itertools import islice
from pathlib import Path
from typing import Any

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

from elasticsearch import Elasticsearch  # noqa: E402
from elasticsearch.helpers import parallel_bulk  # noqa: E402

from crawler.es.bulk import bulk_write, index_action, stored_hashes  # noqa: E402
from crawler.es.document import article_document  # noqa: E402
from crawler.es.index import ensure_index, merge_segments  # noqa: E402
from crawler.es.search import (  # noqa: E402
    FETCH_PER_STORY,
    SAMPLE,
    STORIES,
    SearchRequest,
    count_body,
    counts_body,
    page_body,
    ranked_body,
    search,
)
from crawler.items import Article  # noqa: E402
from crawler.settings import ES_BULK_SIZE  # noqa: E402
from testkit.corpus import article  # noqa: E402
from testkit.relevance_corpus import MERGED, OFFICERS, PROVINCES, TOPICS, VARIANTS  # noqa: E402

SHORTEST, LONGEST = 600, 5000  # characters of a real article's text (the seed: 6,500)


def paragraph_pool(distinct: int) -> tuple[list[str], list[str]]:
    """(paragraphs, caption-length sentences) of ``distinct`` generated articles."""
    paragraphs: list[str] = []
    captions: list[str] = []
    for number in range(distinct):
        title, body = article(number, size=2500)
        paragraphs += body
        captions.append(title)
    return paragraphs, captions


def documents(count: int, pool: tuple[list[str], list[str]], first: int = 0):
    """Articles ``first`` to ``first + count``, as the index stores them."""
    paragraphs, captions = pool
    topics = list(TOPICS.items())
    for number in range(first, first + count):
        rng = random.Random(number)
        topic, (title, lead) = topics[number % len(topics)]
        slug, province, district = PROVINCES[(number // len(topics)) % len(PROVINCES)]
        officer = OFFICERS[(number // 7) % len(OFFICERS)]
        names = {"province": province, "district": district, "officer": officer}
        length = math.exp(rng.uniform(math.log(SHORTEST), math.log(LONGEST)))
        body = [VARIANTS[number % 3].format(**names)]
        while sum(map(len, body)) < length:
            body.append(rng.choice(paragraphs))
        year, month, day = 2016 + number % 10, 1 + number % 12, 1 + number % 28
        item = Article(
            id=f"gen-{number}", url=f"https://congan.{slug}.gov.vn/tin/{number}.html",
            source="site", site=slug, province=province,
            province_current=MERGED.get(slug, province),
            title=f"{title.format(**names)} (số {number})", lead=lead.format(**names),
            body=body, captions=rng.sample(captions, rng.randint(0, 3)),
            published=f"{year}-{month:02d}-{day:02d}T08:00:00+07:00", category=[topic],
            entities=[{"type": "PER", "normalized": officer}, {"type": "LOC",
                       "normalized": district}, {"type": "ORG",
                       "normalized": f"Công an tỉnh {province}"}],
        )  # fmt: skip
        yield article_document(item)


def bare(client: Elasticsearch, alias: str, docs: list[dict[str, Any]]) -> int:
    """Bare `parallel_bulk`, as its documentation shows it: failures."""
    actions = (index_action(alias, doc) for doc in docs)
    return sum(1 for ok, _ in parallel_bulk(client, actions, thread_count=2, chunk_size=500)
               if not ok)  # fmt: skip


def crawler_way(client: Elasticsearch, alias: str, docs: list[dict[str, Any]]) -> int:
    """What the Elasticsearch pipeline sends for new articles: failures."""
    failed = 0
    for start in range(0, len(docs), ES_BULK_SIZE):
        batch = docs[start : start + ES_BULK_SIZE]
        stored_hashes(client, alias, [doc["id"] for doc in batch])
        pairs = [(doc, index_action(alias, doc)) for doc in batch]
        failed += sum(1 for _, reason in bulk_write(client, alias, pairs) if reason)
    return failed


def index_articles(
    client: Elasticsearch, alias: str, count: int, block: int, first: int = 0
) -> None:
    """``count`` articles from number ``first`` on, blocks alternating the crawler's way
    and bare parallel_bulk."""
    ensure_index(client, alias)
    started = time.perf_counter()
    pool = paragraph_pool(2000)
    print(f"paragraph pool: {len(pool[0])} paragraphs in {time.perf_counter() - started:.0f} s",
          flush=True)  # fmt: skip
    docs = documents(count, pool, first)
    totals = {"crawler": [0, 0.0, 0], "bare": [0, 0.0, 0]}  # documents, seconds, failed
    characters = 0
    for number in range(math.ceil(count / block)):
        batch = list(islice(docs, block))
        characters += sum(len(" ".join([d["title"], d["lead"], *d["body"], *d["captions"]]))
                          for d in batch)  # fmt: skip
        way = ("crawler", "bare")[number % 2]
        begin = time.perf_counter()
        failed = (crawler_way if way == "crawler" else bare)(client, alias, batch)
        figures = totals[way]
        figures[0] += len(batch)
        figures[1] += time.perf_counter() - begin
        figures[2] += failed
        done = block * number + len(batch)
        if (number + 1) % max(1, count // block // 10) == 0 or done == count:
            rates = {w: f[0] / f[1] for w, f in totals.items() if f[1]}
            print(f"{done:>9} indexed: crawler {rates.get('crawler', 0):.0f} docs/s, bare "
                  f"parallel_bulk {rates.get('bare', 0):.0f} docs/s, benchmark RSS "
                  f"{rss_mb():.0f} MB", flush=True)  # fmt: skip
    client.indices.refresh(index=alias)
    indexed = client.count(index=alias)["count"]
    seconds = sum(f[1] for f in totals.values())
    crawler_rate, bare_rate = (totals[w][0] / totals[w][1] for w in ("crawler", "bare"))
    print(f"indexed {count} articles ({sum(f[2] for f in totals.values())} failed, "
          f"{characters / count:.0f} characters each on average) in {seconds:.0f} s of "
          f"indexing, {count / seconds:.0f} docs/s, {indexed} in the index; crawler's way "
          f"{crawler_rate:.0f} "
          f"docs/s = {crawler_rate / bare_rate:.2f} of bare parallel_bulk "
          f"({bare_rate:.0f})", flush=True)  # fmt: skip


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def describe(client: Elasticsearch, alias: str) -> None:
    """Documents, size on disk per article, segments (once merges are done: until then
    the merged segments' old files still take room)."""
    while client.indices.stats(index=alias, metric="merge")["_all"]["total"]["merges"]["current"]:
        time.sleep(5)
    stats = client.indices.stats(index=alias, metric=["docs", "store", "segments"])
    primaries = stats["_all"]["primaries"]
    docs = primaries["docs"]["count"]
    size = primaries["store"]["size_in_bytes"]
    print(f"index: {docs} articles, {size / 2**30:.2f} GiB on disk, "
          f"{size / max(docs, 1) / 1024:.1f} KiB per article, "
          f"{primaries['segments']['count']} segments", flush=True)  # fmt: skip


def timed_each(client: Elasticsearch, alias: str, run: Callable[[Any], Any], items: list,
               repeats: int) -> list[list[float]]:  # fmt: skip
    """Client-side milliseconds of ``run(item)``, ``repeats`` of them for each item, after
    one warm-up round; the shard request cache emptied before each (a search is timed as
    asked the first time, not answered from the cache)."""
    for item in items:
        run(item)
    timings: list[list[float]] = [[] for _ in items]
    for _ in range(repeats):
        for item, times in zip(items, timings, strict=True):
            client.indices.clear_cache(index=alias, request=True)
            begin = time.perf_counter()
            run(item)
            times.append((time.perf_counter() - begin) * 1000)
    return timings


def timed(client: Elasticsearch, alias: str, run: Callable[[Any], Any], items: list,
          repeats: int) -> list[float]:  # fmt: skip
    """Every item's milliseconds (timed_each), in one sorted list."""
    return sorted(t for times in timed_each(client, alias, run, items, repeats) for t in times)


def warm_up(client: Elasticsearch, alias: str, run: Callable[[Any], Any], items: list,
            seconds: float) -> str:  # fmt: skip
    """Run the items over and over for ``seconds``: a node just started answers its first
    few hundred searches two to three times slower than it will (the JVM compiles the code
    they run as it goes), more than one warm-up round covers. What it did, and how the
    first round compares with the last."""
    end = time.monotonic() + seconds
    rounds = [timed(client, alias, run, items, 1)]
    while time.monotonic() < end:
        rounds.append(timed(client, alias, run, items, 1))
    return (f"warm-up: {2 * len(rounds) * len(items)} searches in {seconds:.0f} s; p50 "
            f"{statistics.median(rounds[0]):.1f} ms in the first timed round, "
            f"{statistics.median(rounds[-1]):.1f} ms in the last")  # fmt: skip


def figures(timings: list[float]) -> str:
    p95 = timings[max(0, math.ceil(len(timings) * 0.95) - 1)]
    return f"p50 {statistics.median(timings):6.1f} ms, p95 {p95:6.1f} ms, max {timings[-1]:6.1f} ms"


def without(body: dict[str, Any], part: str) -> dict[str, Any]:
    """A request without one costly part: highlighting, the ranking rescore, the stories."""
    body = json.loads(json.dumps(body))
    body.pop(part, None)
    if part == STORIES:  # the count's, also under the faceted filters' aggregation
        for aggregation in [body["aggs"], *(a.get("aggs", {}) for a in body["aggs"].values())]:
            aggregation.pop(STORIES, None)
    return body


def profile(client: Elasticsearch, alias: str, body: dict[str, Any]) -> None:
    """Where the slowest query's time goes, by the profile API: query clauses, collectors,
    aggregations, fetch phase (highlighting, inner hits)."""
    shards = client.search(index=alias, profile=True, **body)["profile"]["shards"]
    for shard in shards:
        for searched in shard["searches"]:
            for query in searched["query"]:
                print(f"  query {query['type']}: {query['time_in_nanos'] / 1e6:.1f} ms")
                for child in query.get("children", [])[:8]:
                    print(f"    {child['type']} {child['description'][:60]}: "
                          f"{child['time_in_nanos'] / 1e6:.1f} ms")  # fmt: skip
            for collector in searched["collector"]:
                print(f"  collector {collector['name']}: {collector['time_in_nanos'] / 1e6:.1f} ms")
        for agg in shard.get("aggregations", []):
            print(f"  aggregation {agg['description']}: {agg['time_in_nanos'] / 1e6:.1f} ms")
        fetch = shard.get("fetch")
        if fetch:
            print(f"  fetch: {fetch['time_in_nanos'] / 1e6:.1f} ms")
            for child in fetch.get("children", []):
                print(f"    {child['type']}: {child['time_in_nanos'] / 1e6:.1f} ms")


def cpu_check() -> float:
    """Milliseconds of a fixed single-threaded loop, the best of three. This virtual
    machine's speed changes from hour to hour and day to day (the same index and code
    gave p50 70 and 117 ms twenty minutes apart), so each run says how fast the machine
    was: latencies of runs are comparable only at a like figure."""
    best = math.inf
    for _ in range(3):
        begin = time.perf_counter()
        sum(number * number % 7 for number in range(2_000_000))
        best = min(best, time.perf_counter() - begin)
    return best * 1000


def run_searches(
    client: Elasticsearch, alias: str, repeats: int, steps: bool, warmup: float
) -> None:
    queries = json.loads((PROJECT / "tests/data/relevance/queries.json").read_text())["queries"]
    requests = [SearchRequest(q=judged["query"], facets=True) for judged in queries]

    def searched(request: SearchRequest) -> dict[str, Any]:
        return search(client, alias, request)

    before = cpu_check()
    print(warm_up(client, alias, searched, requests, warmup), flush=True)

    def sent(body: dict[str, Any]) -> dict[str, Any]:
        return client.search(index=alias, **body)

    each = timed_each(client, alias, searched, requests, repeats)
    print(f"cpu check (a fixed Python loop): {before:.0f} ms before the warm-up, "
          f"{cpu_check():.0f} ms after the timed searches", flush=True)  # fmt: skip
    timings = sorted(t for times in each for t in times)
    print(f"{len(timings)} searches ({len(queries)} judged queries x {repeats}, as the web "
          f"page sends them: grouping, facets, highlighting): {figures(timings)}",
          flush=True)  # fmt: skip
    # The p95 of a few dozen searches is set by the slowest two or three queries.
    slowest = sorted(zip(each, requests, strict=True), key=lambda pair: -max(pair[0]))[:3]
    print(
        "  slowest: "
        + "; ".join(
            f"{request.q!r} {statistics.median(times):.1f} ms p50, {max(times):.1f} max"
            for times, request in slowest
        )
    )
    if not steps:
        return
    for name, changes in (("facets", {"facets": False}), ("grouping", {"group": False})):
        lighter = [replace(request, **changes) for request in requests]
        print(f"  without {name:<16} {figures(timed(client, alias, searched, lighter, repeats))}",
              flush=True)  # fmt: skip
    fetch = [FETCH_PER_STORY * request.size for request in requests]
    ranked = [ranked_body(request, 0, n) for request, n in zip(requests, fetch, strict=True)]
    counted = [count_body(request) for request in requests]
    firsts = [[hit["_id"] for hit in sent(body)["hits"]["hits"][: request.size]]
              for body, request in zip(ranked, requests, strict=True)]  # fmt: skip
    pages = [page_body(request, ids) for request, ids in zip(requests, firsts, strict=True)]
    matches = [sent(body)["hits"]["total"]["value"] for body in counted]
    facets = [counts_body(request, n) for request, n in zip(requests, matches, strict=True)]
    exact = [counts_body(request, 0) for request in requests]
    sampled = sum(SAMPLE in body["aggs"] for body in facets)
    for name, bodies, part in (
        ("the ranking", ranked, "rescore"),
        ("the count", counted, STORIES),
        ("the page's text", pages, "highlight"),
        (f"the facets ({sampled} of {len(facets)} sampled)", facets, None),
        ("  all counted", exact, None),
    ):
        print(f"  {name:<30} {figures(timed(client, alias, sent, bodies, repeats))}", flush=True)
        if part:
            lighter = [without(body, part) for body in bodies]
            print(f"    without {part:<20} {figures(timed(client, alias, sent, lighter, repeats))}",
                  flush=True)  # fmt: skip
    slowest = max(ranked, key=lambda body: timed(client, alias, sent, [body], 3)[1])
    print(f"profile of the slowest ranking ({slowest['query']['bool']['must'][0]}):")
    profile(client, alias, slowest)


def own_node(heap: str):
    """A throwaway node for this run, stopped when the benchmark ends."""
    from crawler.es.server import LocalNode, default_base

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    node = LocalNode(base=default_base(PROJECT, os.environ.get("ES_LOCAL_DIR")),
                     name=f"bench-latency-{os.getpid()}", port=port, heap=heap,
                     die_with_parent=True)  # fmt: skip
    node.up()
    return node


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument(
        "--block",
        type=int,
        default=10_000,
        help="documents per block (blocks alternate crawler's way and bare)",
    )
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--warmup", type=float, default=120, metavar="SECONDS",
                        help="search this long before timing (a node just started is "
                        "slower for its first few hundred searches)")  # fmt: skip
    parser.add_argument(
        "--steps",
        action="store_true",
        help="also time the searches without each costly part, and profile",
    )
    parser.add_argument("--reuse", metavar="ALIAS", help="search an index made by --keep")
    parser.add_argument("--add", type=int, default=0, metavar="N",
                        help="with --reuse: index N more articles first (bulk rates at that "
                        "size)")  # fmt: skip
    parser.add_argument("--merge", action="store_true",
                        help="merge its segments first, as `crawler index merge`")  # fmt: skip
    parser.add_argument("--keep", action="store_true", help="keep the index afterwards")
    parser.add_argument("--own-node", metavar="HEAP",
                        help="start a throwaway node with this heap, e.g. 4g")  # fmt: skip
    args = parser.parse_args()
    node = own_node(args.own_node) if args.own_node else None
    url = node.url if node else os.environ.get("ES_URL", "http://127.0.0.1:9200")
    client = Elasticsearch(url, request_timeout=600)
    alias = args.reuse or f"bench-latency-{uuid.uuid4().hex[:8]}"
    try:
        if not args.reuse:
            index_articles(client, alias, args.articles, args.block)
        elif args.add:
            first = client.count(index=alias)["count"]
            index_articles(client, alias, args.add, args.block, first)
        if args.merge:
            print(f"merged {merge_segments(client, alias)}", flush=True)
        describe(client, alias)
        run_searches(client, alias, args.repeats, args.steps, args.warmup)
    finally:
        if args.keep or args.reuse:
            print(f"kept: {alias} (search it again with --reuse {alias})")
        elif client.indices.exists_alias(name=alias):
            client.indices.delete(index=list(client.indices.get_alias(name=alias)))
        if node:
            node.down()
            shutil.rmtree(node.home, ignore_errors=True)


if __name__ == "__main__":
    main()
