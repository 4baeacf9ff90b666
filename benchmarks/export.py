"""`crawler export` speed and memory: articles/s and peak RSS of the command per format,
on a tenth of the articles and on all of them (memory must not grow with the count).

Usage (a local Elasticsearch given by ES_URL, default http://127.0.0.1:9200, or --own-node
to start a throwaway one; `ES_HEAP=1g crawler es up` is kinder to 100k):
    .venv/bin/python benchmarks/export.py [--articles 100000] [--distinct 10000] [--own-node]

Generates seed-size articles (about 6,500 characters, testkit/corpus.py; the first
--distinct no two alike, the rest their texts again under other ids, addresses and dates)
spread over ten sites, with entities from a template (not NER, to keep the set-up to
minutes), bulk-indexes them into a throwaway alias, then runs `crawler export` as a user
would: one site (a tenth) and everything, in each format, reading the command's peak
resident memory from /proc while it runs.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

from elasticsearch import Elasticsearch  # noqa: E402
from elasticsearch.helpers import parallel_bulk  # noqa: E402

from benchmarks.memory import tree_peaks  # noqa: E402
from crawler.es.document import article_document  # noqa: E402
from crawler.es.index import ensure_index  # noqa: E402
from crawler.items import Article  # noqa: E402
from testkit.corpus import article  # noqa: E402
from testkit.relevance_corpus import MERGED, OFFICERS, PROVINCES  # noqa: E402

SITES = 10  # the one-site export is a tenth of the articles


def documents(count: int, distinct: int):
    """``count`` articles; past the first ``distinct`` ones, their texts again under new
    ids, addresses and dates (making one takes 25 ms: 100,000 would take most of an hour)."""
    made: list[dict] = []
    for number in range(count):
        if number >= distinct:
            doc = dict(made[number % distinct])
            slug = doc["url"].split(".")[1]
            doc["id"], doc["url"] = (
                f"exp-{number}",
                f"https://congan.{slug}.gov.vn/tin/{number}.html",
            )
            doc["published"] = _published(number)
            yield doc
            continue
        slug, province, district = PROVINCES[number % SITES % len(PROVINCES)]
        site = f"{slug}{number % SITES}"
        title, paragraphs = article(number)
        officer = OFFICERS[number % len(OFFICERS)]
        item = Article(
            id=f"exp-{number}", url=f"https://congan.{slug}.gov.vn/tin/{number}.html",
            source="site", site=site, province=province,
            province_current=MERGED.get(slug, province), title=title, lead=paragraphs[0],
            body=paragraphs[1:], authors=["Thái Hoà"], category=["An ninh trật tự"],
            published=_published(number),
            entities=[{"type": "PER", "normalized": officer},
                      {"type": "LOC", "normalized": district},
                      {"type": "ORG", "normalized": f"Công an tỉnh {province}"}],
        )  # fmt: skip
        made.append(article_document(item))
        yield made[-1]


def _published(number: int) -> str:
    year, month, day = 2015 + number % 11, 1 + number % 12, 1 + number % 28
    return f"{year}-{month:02d}-{day:02d}T{number % 24:02d}:00:00+07:00"


def index_articles(client: Elasticsearch, alias: str, count: int, distinct: int) -> None:
    ensure_index(client, alias)
    client.indices.put_settings(index=alias, settings={"refresh_interval": "-1"})
    started = time.perf_counter()
    actions = ({"_index": alias, "_id": d["id"], "_source": d} for d in documents(count, distinct))
    failed = sum(1 for ok, _ in parallel_bulk(client, actions, thread_count=2, chunk_size=500)
                 if not ok)  # fmt: skip
    client.indices.put_settings(index=alias, settings={"refresh_interval": "1s"})
    client.indices.refresh(index=alias)
    indexed = client.count(index=alias)["count"]
    print(f"indexed {indexed} articles ({failed} failed) in "
          f"{time.perf_counter() - started:.0f} s", flush=True)  # fmt: skip


def export(env: dict[str, str], fmt: str, folder: Path, *filters: str) -> tuple[float, int, int]:
    """(seconds, peak RSS in kB of the command and what it started, file size in bytes)."""
    target = folder / f"export.{fmt}"
    command = [sys.executable, "-m", "crawler", "export", *filters, "-o", str(target)]
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=PROJECT, env=env, text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)  # fmt: skip
    peak = 0
    while process.poll() is None:
        peak = max(peak, sum(tree_peaks(process.pid).values()))
        time.sleep(0.1)
    elapsed = time.perf_counter() - started
    _, stderr = process.communicate()
    if process.returncode:
        raise SystemExit(f"export failed ({process.returncode}): {stderr[-2000:]}")
    size = target.stat().st_size
    target.unlink()
    return elapsed, peak, size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--distinct", type=int, default=10_000,
                        help="articles with texts of their own; the others reuse them "
                        "(a multiple of 10 keeps each site's share)")  # fmt: skip
    parser.add_argument("--own-node", action="store_true",
                        help="start a throwaway Elasticsearch node for the run")  # fmt: skip
    parser.add_argument("--keep", action="store_true", help="keep the index afterwards")
    args = parser.parse_args()
    node = None
    url = os.environ.get("ES_URL", "http://127.0.0.1:9200")
    if args.own_node:
        from crawler.es.server import LocalNode, default_base

        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        node = LocalNode(base=default_base(PROJECT, os.environ.get("ES_LOCAL_DIR")),
                         name=f"bench-export-{os.getpid()}", port=port, heap="1g",
                         die_with_parent=True)  # fmt: skip
        node.up()
        url = node.url
    client = Elasticsearch(url, request_timeout=300)
    alias = f"bench-export-{uuid.uuid4().hex[:8]}"
    try:
        index_articles(client, alias, args.articles, args.distinct)
        env = {**os.environ, "ES_URL": url, "ES_INDEX": alias}
        one_site = PROVINCES[0][0] + "0"
        tenth = client.count(index=alias, query={"term": {"site": one_site}})["count"]
        print(f"{'format':<6} {'articles':>9} {'seconds':>8} {'articles/s':>11} "
              f"{'peak RSS MB':>12} {'file MB':>8}")  # fmt: skip
        with tempfile.TemporaryDirectory() as folder:
            for fmt in ("csv", "jsonl", "xlsx"):
                for count, filters in ((tenth, ["--site", one_site]), (args.articles, [])):
                    seconds, peak, size = export(env, fmt, Path(folder), *filters)
                    print(f"{fmt:<6} {count:>9} {seconds:>8.1f} {count / seconds:>11.0f} "
                          f"{peak / 1024:>12.0f} {size / 1e6:>8.0f}", flush=True)  # fmt: skip
    finally:
        if not args.keep and client.indices.exists_alias(name=alias):
            client.indices.delete(index=list(client.indices.get_alias(name=alias)))
        if node:
            node.down()
            shutil.rmtree(node.home, ignore_errors=True)


if __name__ == "__main__":
    main()
