"""Index articles in bulk under idempotent ids; report every article that fails."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from elastic_transport import TransportError
from elasticsearch import ApiError
from elasticsearch.helpers import streaming_bulk

from crawler.es.client import check_available, client_from_settings
from crawler.es.document import article_document
from crawler.es.index import ensure_index
from crawler.signals import article_failed

if TYPE_CHECKING:
    from elasticsearch import Elasticsearch
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)


def bulk_index(
    client: Elasticsearch, alias: str, docs: list[dict[str, Any]]
) -> list[tuple[dict[str, Any], str | None]]:
    """Index documents; for each, None when indexed or the reason it failed."""
    actions = ({"_index": alias, "_id": doc["id"], "_source": doc} for doc in docs)
    outcomes = []
    results = streaming_bulk(
        client, actions, raise_on_error=False, raise_on_exception=False, max_retries=2
    )
    for doc, (ok, result) in zip(docs, results, strict=True):
        info = result.get("index", {})
        error = info.get("error") or info.get("exception")
        reason = None if ok else _reason(error, info.get("status"))
        outcomes.append((doc, reason))
    return outcomes


def _reason(error: Any, status: Any) -> str:
    if isinstance(error, dict):
        return f"HTTP {status} {error.get('type')}: {error.get('reason')}"
    return f"{type(error).__name__}: {error}" if error else f"HTTP {status}"


class ElasticsearchPipeline:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.url = crawler.settings["ES_URL"]
        self.alias = crawler.settings["ES_INDEX"]
        self.bulk_size = crawler.settings.getint("ES_BULK_SIZE", 200)
        self.client = client_from_settings(crawler.settings)
        self.buffer: list[dict[str, Any]] = []

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ElasticsearchPipeline:
        return cls(crawler)

    def open_spider(self) -> None:
        check_available(self.client, self.url)
        index = ensure_index(self.client, self.alias)
        logger.info("Indexing into %s (alias %s) at %s", index, self.alias, self.url)

    def process_item(self, item: object) -> object:
        self.buffer.append(article_document(item))
        if len(self.buffer) >= self.bulk_size:
            self.flush()
        return item

    def close_spider(self) -> None:
        self.flush()
        self.client.close()

    def flush(self) -> None:
        docs, self.buffer = self.buffer, []
        if not docs:
            return
        for doc, reason in bulk_index(self.client, self.alias, docs):
            if reason is None:
                self.stats.inc_value("elasticsearch/indexed")
                continue
            self.stats.inc_value("elasticsearch/failed")
            message = f"{doc.get('url')}: not indexed: {reason}"
            logger.error(message)
            self.crawler.signals.send_catch_log(
                signal=article_failed, item=doc.get("url"), reason=message
            )
        try:
            self.client.indices.refresh(index=self.alias)
        except (TransportError, ApiError) as exc:
            logger.warning("Could not refresh %s after indexing: %s", self.alias, exc)
