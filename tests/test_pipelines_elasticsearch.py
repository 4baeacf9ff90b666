"""The Elasticsearch pipeline: nothing lost when the cluster goes away mid-run."""

from __future__ import annotations

import time
import uuid

from elasticsearch import Elasticsearch
from scrapy.utils.misc import build_from_crawler
from scrapy.utils.test import get_crawler

from crawler.es.spool import Spool
from crawler.items import Article
from crawler.runs import RunResult
from pipelines.elasticsearch import ElasticsearchPipeline
from tests.conftest import drop_alias, free_port, http_request_limit


def opened_pipeline(
    es_url: str, tmp_path, **more: object
) -> tuple[object, ElasticsearchPipeline, str]:
    """An Elasticsearch pipeline opened on the real node, spooling under tmp_path."""
    alias = f"spool-{uuid.uuid4().hex[:8]}"
    settings = {"ES_URL": es_url, "ES_INDEX": alias, "CRAWLER_SPOOL_DIR": str(tmp_path / "spool"),
                "ES_BULK_SIZE": 100, "ES_BULK_MAX_CHARS": 10**6, **more}  # fmt: skip
    crawler = get_crawler(settings_dict=settings)
    pipeline = build_from_crawler(ElasticsearchPipeline, crawler)
    pipeline.open_spider()
    return crawler, pipeline, alias


def test_articles_survive_elasticsearch_going_away(es_url, tmp_path) -> None:
    """Elasticsearch answers at the start, then is gone: the batch goes to the spool, and
    a flush later indexes every article exactly once."""
    crawler, pipeline, alias = opened_pipeline(es_url, tmp_path)
    # From here on the cluster cannot be reached (a port where nothing listens).
    pipeline.client = Elasticsearch(f"http://127.0.0.1:{free_port()}", max_retries=0)
    for number in range(5):
        article = Article(id=f"s{number}", url=f"https://congan.hue.gov.vn/{number}.html",
                          source="site", site="hue", title=f"Tin {number}", body=["Nội dung."],
                          content_hash=f"h{number}")  # fmt: skip
        pipeline.process_item(article)
    pipeline.close_spider()
    assert crawler.stats.get_value("elasticsearch/spooled") == 5
    assert not crawler.stats.get_value("elasticsearch/indexed")

    spool = Spool(tmp_path / "spool")
    assert spool.pending() == 5
    assert spool.status().waiting_reasons.most_common(1)[0][0].startswith("ConnectionError")
    client = Elasticsearch(es_url)
    assert (spool.flush(client, alias).indexed, spool.pending()) == (5, 0)
    assert spool.flush(client, alias).indexed == 0
    assert client.count(index=alias)["count"] == 5
    drop_alias(es_url, alias)


def test_a_bulk_request_cut_off_midway_is_spooled(es_url, tmp_path) -> None:
    """The cluster answers the lookup, then drops the connection during the bulk request."""
    crawler, pipeline, alias = opened_pipeline(es_url, tmp_path)
    dead = Elasticsearch(f"http://127.0.0.1:{free_port()}", max_retries=0)
    live_mget = pipeline.client.mget
    pipeline.client = dead
    dead.mget = live_mget  # the lookup still reaches the real node; the bulk does not
    article = Article(id="cut", url="https://congan.hue.gov.vn/cut.html", source="site",
                      site="hue", title="Tin", body=["Nội dung."], content_hash="h")  # fmt: skip
    pipeline.process_item(article)
    pipeline.close_spider()
    assert crawler.stats.get_value("elasticsearch/spooled") == 1
    done = Spool(tmp_path / "spool").flush(Elasticsearch(es_url), alias)
    assert (done.indexed, done.waiting) == (1, 0)
    drop_alias(es_url, alias)


def test_a_refused_article_is_a_failure_of_the_run_not_spooled(es, es_url, tmp_path) -> None:
    """Refused for what it is (too large for Elasticsearch, a date the mapping cannot
    read): reported with the reason, never spooled; the rest of the batch is indexed."""
    crawler, pipeline, alias = opened_pipeline(es_url, tmp_path)
    result = RunResult().connect(crawler)
    articles = [
        Article(id=f"r{n}", url=f"https://congan.hue.gov.vn/r{n}.html", source="site",
                site="hue", title=f"Tin {n}", body=["Nội dung."], content_hash=f"h{n}")
        for n in range(4)
    ]  # fmt: skip
    articles[1].body = ["Công an tỉnh bắt giữ đối tượng. " * 10000]  # about 330 kB
    articles[2].published = "không phải ngày"
    with http_request_limit(es, "100kb"):
        for article in articles:
            pipeline.process_item(article)
        pipeline.close_spider()
    assert not crawler.stats.get_value("elasticsearch/spooled")
    assert Spool(tmp_path / "spool").files() == []
    assert crawler.stats.get_value("elasticsearch/indexed") == 2
    assert crawler.stats.get_value("elasticsearch/failed") == 2
    reasons = {f.url.rsplit("/", 1)[1]: f.reason for f in result.failures}
    assert reasons["r1.html"].startswith("not indexed: too large for Elasticsearch: ")
    assert "HTTP 400 document_parsing_exception" in reasons["r2.html"]
    assert result.sites["hue"].failed == 2
    drop_alias(es_url, alias)


def test_a_spool_that_cannot_be_written_makes_failures_not_silence(es_url, tmp_path) -> None:
    crawler, pipeline, alias = opened_pipeline(es_url, tmp_path)
    result = RunResult().connect(crawler)
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the spool folder should be")
    pipeline.spool = Spool(blocker)
    pipeline.client = Elasticsearch(f"http://127.0.0.1:{free_port()}", max_retries=0)
    article = Article(id="lost", url="https://congan.hue.gov.vn/lost.html", source="site",
                      site="hue", title="Tin", body=["Nội dung."], content_hash="h")  # fmt: skip
    pipeline.process_item(article)
    pipeline.close_spider()
    (failure,) = result.failures
    assert (failure.site, failure.url) == ("hue", article.url)
    assert "not spooled" in failure.reason
    assert (result.site("hue").failed, result.site("hue").spooled) == (1, 0)
    drop_alias(es_url, alias)


def _article(number: int, paragraph: str = "Nội dung.") -> Article:
    return Article(id=f"b{number}", url=f"https://congan.hue.gov.vn/b{number}.html",
                   source="site", site="hue", title=f"Tin {number}", body=[paragraph],
                   content_hash=f"h{number}")  # fmt: skip


def test_a_slow_crawl_is_indexed_as_it_goes_not_at_the_end(es_url, tmp_path) -> None:
    """Articles that trickle in (a polite crawl) wait at most ES_BULK_INTERVAL for the batch
    to fill: the next article after that sends them."""
    crawler, pipeline, alias = opened_pipeline(es_url, tmp_path, ES_BULK_INTERVAL=0.3)
    pipeline.process_item(_article(1))
    assert not crawler.stats.get_value("elasticsearch/indexed")  # the batch is not full
    time.sleep(0.4)
    pipeline.process_item(_article(2))
    assert crawler.stats.get_value("elasticsearch/indexed") == 2
    pipeline.close_spider()
    drop_alias(es_url, alias)


def test_long_articles_are_sent_before_the_batch_is_full(es_url, tmp_path) -> None:
    """Memory stays bounded by ES_BULK_MAX_CHARS of text, whatever the articles' length."""
    crawler, pipeline, alias = opened_pipeline(es_url, tmp_path, ES_BULK_MAX_CHARS=50_000)
    for number in range(3):
        pipeline.process_item(_article(number, "Một đoạn rất dài. " * 1500))  # 27,000 chars
        assert len(pipeline.buffer) <= 1
    assert crawler.stats.get_value("elasticsearch/indexed") == 2
    pipeline.close_spider()
    assert crawler.stats.get_value("elasticsearch/indexed") == 3
    drop_alias(es_url, alias)
