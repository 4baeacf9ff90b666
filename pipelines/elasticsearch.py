"""Index articles in bulk under idempotent ids; re-write only what changed; report
every article that fails."""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from elastic_transport import TransportError
from elasticsearch import ApiError
from scrapy import signals

from crawler import runs
from crawler.es.bulk import bulk_write, index_action, is_transient, stored_hashes, touch_action
from crawler.es.client import (
    ElasticsearchUnavailable,
    check_available,
    client_from_settings,
    redact,
)
from crawler.es.document import article_document
from crawler.es.index import ensure_index
from crawler.es.spool import Spool

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)


class ElasticsearchPipeline:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.url = crawler.settings["ES_URL"]
        self.alias = crawler.settings["ES_INDEX"]
        # Unset (the pipeline under other settings than the project's): no batching.
        self.bulk_size = crawler.settings.getint("ES_BULK_SIZE")
        self.bulk_interval = crawler.settings.getfloat("ES_BULK_INTERVAL")
        self.max_chars = crawler.settings.getint("ES_BULK_MAX_CHARS")
        self.oldest = 0.0  # when the first article of the buffer came (time.monotonic)
        self.chars = 0  # of text in the buffer
        self.client = client_from_settings(crawler.settings)
        self.buffer: list[dict[str, Any]] = []
        self.spool = Spool(Path(crawler.settings["CRAWLER_SPOOL_DIR"]))
        self.exporting_only = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ElasticsearchPipeline:
        pipeline = cls(crawler)
        # Nothing in flight: what waits in the buffer goes to the index now, not when a
        # long-lived worker (`crawl --keep-alive`) is finally stopped.
        crawler.signals.connect(pipeline.flush, signal=signals.spider_idle)
        return pipeline

    def open_spider(self) -> None:
        try:
            check_available(self.client, self.url)
        except ElasticsearchUnavailable as exc:
            if not self.crawler.settings.getdict("FEEDS"):
                raise
            # `scrapy crawl seeds -O out.jsonl` with no Elasticsearch: the export is the run.
            logger.warning("Exporting only, nothing will be indexed: %s", exc)
            self.exporting_only = True
            return
        index = ensure_index(self.client, self.alias)
        logger.info("Indexing into %s (alias %s) at %s", index, self.alias, redact(self.url))

    def process_item(self, item: object) -> object:
        if self.exporting_only:
            return item
        if not self.buffer:
            self.oldest, self.chars = time.monotonic(), 0
        doc = article_document(item)
        self.buffer.append(doc)
        text = [doc.get("title"), doc.get("lead"), *(doc.get("body") or [])]
        self.chars += sum(len(part or "") for part in text + (doc.get("captions") or []))
        full = len(self.buffer) >= self.bulk_size or 0 < self.max_chars <= self.chars
        if full or 0 < self.bulk_interval <= time.monotonic() - self.oldest:
            self.flush()
        return item

    def close_spider(self) -> None:
        self.flush()
        self.client.close()

    def flush(self) -> None:
        docs, self.buffer = self.buffer, []
        if not docs:
            return
        try:
            stored = stored_hashes(self.client, self.alias, [d["id"] for d in docs])
        except (TransportError, ApiError) as exc:
            # Elasticsearch went away (or is overloaded) mid-run: keep everything for later.
            self._spool(docs, [f"{type(exc).__name__}: {exc}"] * len(docs))
            return
        pairs, kinds = [], []
        for doc in docs:
            if doc["id"] not in stored:
                kinds.append("new")
                pairs.append((doc, index_action(self.alias, doc)))
            elif stored[doc["id"]] == doc.get("content_hash"):
                kinds.append("unchanged")
                pairs.append((doc, touch_action(self.alias, doc)))
            else:
                kinds.append("updated")
                pairs.append((doc, index_action(self.alias, doc)))
        transient = []
        try:
            outcomes = bulk_write(self.client, self.alias, pairs)
        except (TransportError, ApiError) as exc:
            # Gone in the middle of the bulk request: some may be in, all are kept (ids
            # are stable, so indexing them again later makes no duplicate).
            self._spool(docs, [f"{type(exc).__name__}: {exc}"] * len(docs))
            return
        for kind, (doc, reason) in zip(kinds, outcomes, strict=True):
            site = doc.get("site")
            if reason is None:
                self.stats.inc_value("elasticsearch/indexed")
                self.stats.inc_value(f"elasticsearch/{kind}")
                runs.count(self.crawler, site, kind)
            elif is_transient(reason):
                transient.append((doc, reason))
            else:
                # Refused for what it is (its size, a mapping error): spooling it would
                # only fail again. A failure of this run, reported with its reason.
                self.stats.inc_value("elasticsearch/failed")
                runs.count(self.crawler, site, "failed")
                logger.error("%s: not indexed: %s", doc.get("url"), reason)
                failure = runs.Failure(site or runs.UNKNOWN_SITE, doc.get("url") or "?",
                                       f"not indexed: {reason}")  # fmt: skip
                runs.fail(self.crawler, failure)
        if transient:
            self._spool([doc for doc, _ in transient], [reason for _, reason in transient])
        try:
            self.client.indices.refresh(index=self.alias)
        except (TransportError, ApiError) as exc:
            logger.warning("Could not refresh %s after indexing: %s", self.alias, exc)

    def _spool(self, docs: list[dict[str, Any]], reasons: list[str]) -> None:
        """Keep documents Elasticsearch refused for now, each with why, for a flush; a
        spool that cannot be written makes each of them a failure of the run, said why."""
        try:
            self.spool.append(docs, reasons)
        except OSError as exc:
            logger.error("%d articles lost: spool %s not writable: %s", len(docs),
                         self.spool.folder, exc)  # fmt: skip
            for doc, reason in zip(docs, reasons, strict=True):
                runs.count(self.crawler, doc.get("site"), "failed")
                why = f"not indexed ({reason}) and not spooled ({self.spool.folder}: {exc})"
                runs.fail(self.crawler, runs.Failure(doc.get("site") or runs.UNKNOWN_SITE,
                                                     doc.get("url") or "?", why))  # fmt: skip
            return
        self.stats.inc_value("elasticsearch/spooled", len(docs))
        for doc in docs:
            runs.count(self.crawler, doc.get("site"), "spooled")
        why = "; ".join(sorted(set(reasons)))
        logger.warning("%d articles spooled to %s (%s)", len(docs), self.spool.folder, why)
