"""The benchmark suite: one command, a table of our figures beside references measured
in the same run, and the targets.

Usage (a local Elasticsearch must be up: `crawler es up`):
    .venv/bin/python benchmarks/suite.py [--articles 5000] [--repeats 3]

Measures: entity tagging against plain underthesea.ner (and that the tags are the same);
end-to-end offline replay of generated seed-size articles through every pipeline into
Elasticsearch (peak RSS included); our bulk indexing against bare parallel_bulk; a crawl
of generated loopback sites against a bare Scrapy spider fetching the same pages.
"""

from __future__ import annotations

import argparse
import json
import os
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
from underthesea import ner, sent_tokenize  # noqa: E402

from benchmarks.memory import tree_peaks  # noqa: E402
from crawler.es.bulk import bulk_index  # noqa: E402
from crawler.es.document import article_document  # noqa: E402
from crawler.es.index import ensure_index  # noqa: E402
from crawler.items import Article  # noqa: E402
from crawler.nlp import crf  # noqa: E402
from crawler.text import split_paragraphs  # noqa: E402
from testkit import corpus  # noqa: E402
from testkit.corpus import article, seed_text  # noqa: E402
from testkit.sites.generated import build, registry_yaml  # noqa: E402
from testkit.sites.server import stop  # noqa: E402

SEED = PROJECT / "seeds" / "000_fc3363d4b09c08b0.txt"
ES_URL = os.environ.get("ES_URL", "http://127.0.0.1:9200")
ROWS: list[tuple[str, str, str, str, str]] = []


def best(run, repeats: int) -> float:
    """The best of several runs of a rate (per second): the least disturbed measurement."""
    return max(run() for _ in range(repeats))


def entity_tagging(repeats: int) -> None:
    """Sentences/s of the pipeline's entity tagging (a whole article per call) against
    plain underthesea.ner, with the decoder's memo of word windows empty (every window
    new to it) and after one pass (the steady state of a long run), and whether the tags
    are underthesea's on every benchmark text."""
    articles = [article(number)[1] for number in range(20)]
    sentences = sum(len(sent_tokenize(p)) for paragraphs in articles for p in paragraphs)

    def rate(function, cold: bool = False) -> float:
        if cold:
            crf.forget()
        start = time.perf_counter()
        for paragraphs in articles:
            function(paragraphs)
        return sentences / (time.perf_counter() - start)

    crf.models()  # loaded before the clock starts
    plain = best(lambda: rate(lambda paragraphs: [ner(p) for p in paragraphs]), repeats)
    cold = best(lambda: rate(crf.tag_many, cold=True), repeats)
    warm = best(lambda: rate(crf.tag_many), repeats)
    for label, ours in (("first pass, memo empty", cold), ("steady", warm)):
        ROWS.append((f"entity tagging, sentences/s ({label})", f"{ours:.0f}",
                     f"{plain:.0f} underthesea.ner", f"{ours / plain:.1f}x", ">= 10x"))  # fmt: skip
    texts = [p for paragraphs in articles for p in paragraphs] + corpus.sentences()
    same = sum(crf.tag(text) == crf.reference_tag(text) for text in texts)
    ROWS.append(("  same tags as underthesea's path", f"{same}/{len(texts)} texts",
                 "", "", "all"))  # fmt: skip


def seed_files(folder: Path, count: int) -> None:
    for number in range(count):
        (folder / f"{number:05d}_{uuid.uuid4().hex[:16]}.txt").write_text(
            seed_text(number), encoding="utf-8"
        )


def replay(count: int) -> None:
    alias = f"bench-replay-{uuid.uuid4().hex[:8]}"
    with tempfile.TemporaryDirectory() as folder:
        seed_files(Path(folder), count)
        env = {**os.environ, "ES_INDEX": alias}
        start = time.perf_counter()
        command = [sys.executable, "-m", "crawler", "replay", folder]
        process = subprocess.Popen(command, cwd=PROJECT, env=env, text=True,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE)  # fmt: skip
        peaks: dict[int, int] = {}
        while process.poll() is None:
            peaks.update(tree_peaks(process.pid))
            time.sleep(0.5)
        elapsed = time.perf_counter() - start
        stdout, stderr = process.communicate()
    main = peaks.pop(process.pid, 0)
    workers = max(peaks.values(), default=0)
    indexed = Elasticsearch(ES_URL).count(index=alias)["count"]
    ROWS.append((f"offline replay of {count} seed-size articles, articles/s",
                 f"{indexed / elapsed:.1f}", "", "", ">= 30"))  # fmt: skip
    ROWS.append(("  indexed / peak RSS: main process, largest worker",
                 f"{indexed} / {main // 1024} MB, {workers // 1024} MB", "", "",
                 "bounded"))  # fmt: skip
    if process.returncode:
        print(stdout[-500:], stderr[-2000:], file=sys.stderr)
    drop(alias)


def documents(count: int) -> list[dict]:
    paragraphs = split_paragraphs(SEED.read_text(encoding="utf-8"))[1:]
    return [
        article_document(Article(id=f"b{n}", url=f"https://congan.x.gov.vn/{n}.html",
                                 source="site", title=f"Tin số {n}", body=paragraphs))
        for n in range(count)
    ]  # fmt: skip


def bulk(count: int, repeats: int) -> None:
    client = Elasticsearch(ES_URL, request_timeout=120)
    docs = documents(count)

    def ours() -> float:
        alias = f"bench-bulk-{uuid.uuid4().hex[:8]}"
        ensure_index(client, alias)
        start = time.perf_counter()
        for offset in range(0, len(docs), 200):  # the pipeline's ES_BULK_SIZE
            bulk_index(client, alias, docs[offset : offset + 200])
        rate = len(docs) / (time.perf_counter() - start)
        drop(alias)
        return rate

    def bare() -> float:
        alias = f"bench-bulk-{uuid.uuid4().hex[:8]}"
        ensure_index(client, alias)
        actions = ({"_index": alias, "_id": d["id"], "_source": d} for d in docs)
        start = time.perf_counter()
        for _ in parallel_bulk(client, actions, thread_count=2, chunk_size=200):
            pass
        rate = len(docs) / (time.perf_counter() - start)
        drop(alias)
        return rate

    mine, reference = best(ours, repeats), best(bare, repeats)
    ROWS.append(
        (
            f"bulk indexing of {count} documents, docs/s",
            f"{mine:.0f}",
            f"{reference:.0f} parallel_bulk",
            f"{mine / reference:.2f}",
            ">= 0.80",
        )
    )


BARE_SPIDER = """
import scrapy
class Bare(scrapy.Spider):
    name = "bare"
    custom_settings = {"ROBOTSTXT_OBEY": False, "LOG_LEVEL": "ERROR"}
    def __init__(self, urls="", **kw):
        super().__init__(**kw)
        self.start_urls = open(urls).read().split()
    def parse(self, response):
        pass
"""


def crawl(per_site: int, repeats: int) -> None:
    """Pages/s of our crawl (every pipeline, and again without entity extraction) and of a
    bare Scrapy spider downloading the same pages, best of `repeats` runs each."""
    sites = [build("nukeviet", "127.0.0.2", per_site), build("wordpress", "127.0.0.3", per_site)]
    with tempfile.TemporaryDirectory() as folder:
        registry, urls, spider = (Path(folder) / n for n in ("s.yaml", "urls", "bare.py"))
        registry.write_text(registry_yaml(sites))
        urls.write_text("\n".join(s.base + path for s in sites for path in s.routes))
        spider.write_text(BARE_SPIDER)
        fast = ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=0",
                "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=8"]  # fmt: skip

        def ours(*settings: str) -> float:
            alias = f"bench-crawl-{uuid.uuid4().hex[:8]}"
            env = {**os.environ, "CRAWLER_SITES": str(registry), "ES_INDEX": alias}
            start = time.perf_counter()
            command = [sys.executable, "-m", "crawler", "crawl", "--json", *fast, *settings]
            result = subprocess.run(command, cwd=PROJECT, env=env, capture_output=True, text=True)
            rate = _pages(result) / (time.perf_counter() - start)
            drop(alias)
            return rate

        def bare() -> float:
            start = time.perf_counter()
            subprocess.run([sys.executable, "-m", "scrapy", "runspider", str(spider), "-a",
                            f"urls={urls}", *fast], cwd=folder, capture_output=True)  # fmt: skip
            return len(urls.read_text().split()) / (time.perf_counter() - start)

        reference = best(bare, repeats)
        full, plain = best(ours, repeats), best(lambda: ours("-s", "NER_ENABLED=0"), repeats)
    for site in sites:
        stop(site)
    for label, rate in (("all pipelines", full), ("without entity extraction", plain)):
        ratio = f"{rate / reference:.2f}"
        ROWS.append((f"crawl of loopback sites, pages/s ({label})", f"{rate:.1f}",
                     f"{reference:.1f} bare Scrapy", ratio, ">= 0.50"))  # fmt: skip


def _pages(result: subprocess.CompletedProcess) -> int:
    """Pages the crawl read, from its --json report."""
    try:
        return json.loads(result.stdout)["totals"]["pages"]
    except (json.JSONDecodeError, KeyError):
        output = result.stdout[-500:] + result.stderr[-500:]
        raise RuntimeError(f"no crawl report in: {output}") from None


def drop(alias: str) -> None:
    client = Elasticsearch(ES_URL)
    if client.indices.exists_alias(name=alias):
        client.indices.delete(index=list(client.indices.get_alias(name=alias)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=5000, help="articles for the replay")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    entity_tagging(args.repeats)
    bulk(2000, args.repeats)
    replay(args.articles)  # first of the runs in child processes: its peak RSS is its own
    crawl(500, args.repeats)
    widths = [max(len(row[i]) for row in ROWS) for i in range(5)]
    header = ("figure", "ours", "reference (same run)", "ratio", "target")
    widths = [max(w, len(h)) for w, h in zip(widths, header, strict=True)]
    for row in (header, *ROWS):
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))


if __name__ == "__main__":
    main()
