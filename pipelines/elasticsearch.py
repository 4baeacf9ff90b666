"""Index articles in bulk under idempotent ids; re-write only what changed; report
every article that fails."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from elastic_transport import TransportError
from elasticsearch import ApiError
from elasticsearch.helpers import parallel_bulk

from crawler.es.client import check_available, client_from_settings, redact
from crawler.es.document import article_document
from crawler.es.index import ensure_index
from crawler.es.spool import Spool
from crawler.signals import article_failed

if TYPE_CHECKING:
    from elasticsearch import Elasticsearch
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)


def stored_hashes(client: Elasticsearch, alias: str, ids: list[str]) -> dict[str, str | None]:
    """content_hash of the documents that already exist, by id."""
    found = client.mget(index=alias, ids=ids, source=["content_hash"])["docs"]
    return {d["_id"]: d["_source"].get("content_hash") for d in found if d.get("found")}


def bulk_index(
    client: Elasticsearch, alias: str, docs: list[dict[str, Any]]
) -> list[tuple[dict[str, Any], str | None]]:
    """Index documents; for each, None when indexed or the reason it failed."""
    return bulk_write(client, alias, [(doc, _index_action(alias, doc)) for doc in docs])


def _index_action(alias: str, doc: dict[str, Any]) -> dict[str, Any]:
    return {"_index": alias, "_id": doc["id"], "_source": doc}


def _touch_action(alias: str, doc: dict[str, Any]) -> dict[str, Any]:
    """Unchanged content: only record that (and how) it was fetched again."""
    fresh = {k: doc.get(k) for k in ("fetched_at", "http_etag", "http_last_modified")}
    return {"_op_type": "update", "_index": alias, "_id": doc["id"], "doc": fresh}


def bulk_write(
    client: Elasticsearch, alias: str, pairs: list[tuple[dict[str, Any], dict[str, Any]]]
) -> list[tuple[dict[str, Any], str | None]]:
    """Send (document, action) pairs in bulk; each document with None or why it failed."""
    # Two threads, as elasticsearch.helpers.parallel_bulk does; results come back in order.
    results = parallel_bulk(
        client,
        (action for _, action in pairs),
        thread_count=2,
        chunk_size=max(1, (len(pairs) + 1) // 2),
        raise_on_error=False,
        raise_on_exception=False,
    )
    outcomes = []
    for (doc, _), (ok, result) in zip(pairs, results, strict=True):
        info = next(iter(result.values()), {})
        error = info.get("error") or info.get("exception")
        outcomes.append((doc, None if ok else _reason(error, info.get("status"))))
    return outcomes


def _is_transient(reason: str) -> bool:
    """Connection trouble, overload or a server error: worth trying again later."""
    return not reason.startswith("HTTP 4") or reason.startswith("HTTP 429")


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
        self.spool = Spool(Path(crawler.settings["SPOOL_DIR"]))

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ElasticsearchPipeline:
        return cls(crawler)

    def open_spider(self) -> None:
        check_available(self.client, self.url)
        index = ensure_index(self.client, self.alias)
        logger.info("Indexing into %s (alias %s) at %s", index, self.alias, redact(self.url))

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
        try:
            stored = stored_hashes(self.client, self.alias, [d["id"] for d in docs])
        except (TransportError, ApiError) as exc:
            # Elasticsearch went away (or is overloaded) mid-run: keep everything for later.
            self._spool(docs, f"{type(exc).__name__}: {exc}")
            return
        pairs, kinds = [], []
        for doc in docs:
            if doc["id"] not in stored:
                kinds.append("new")
                pairs.append((doc, _index_action(self.alias, doc)))
            elif stored[doc["id"]] == doc.get("content_hash"):
                kinds.append("unchanged")
                pairs.append((doc, _touch_action(self.alias, doc)))
            else:
                kinds.append("updated")
                pairs.append((doc, _index_action(self.alias, doc)))
        transient = []
        try:
            outcomes = bulk_write(self.client, self.alias, pairs)
        except (TransportError, ApiError) as exc:
            # Gone in the middle of the bulk request: some may be in, all are kept (ids
            # are stable, so indexing them again later makes no duplicate).
            self._spool(docs, f"{type(exc).__name__}: {exc}")
            return
        for kind, (doc, reason) in zip(kinds, outcomes, strict=True):
            site = doc.get("site") or "-"
            if reason is None:
                self.stats.inc_value("elasticsearch/indexed")
                self.stats.inc_value(f"elasticsearch/{kind}")
                self.stats.inc_value(f"elasticsearch/site/{site}/{kind}")
            elif _is_transient(reason):
                transient.append(doc)
            else:
                self.stats.inc_value("elasticsearch/failed")
                self.stats.inc_value(f"elasticsearch/site/{site}/failed")
                message = f"{doc.get('url')}: not indexed: {reason}"
                logger.error(message)
                self.crawler.signals.send_catch_log(
                    signal=article_failed, item=doc.get("url"), reason=message
                )
        if transient:
            self._spool(transient, "Elasticsearch refused them for now")
        try:
            self.client.indices.refresh(index=self.alias)
        except (TransportError, ApiError) as exc:
            logger.warning("Could not refresh %s after indexing: %s", self.alias, exc)

    def _spool(self, docs: list[dict[str, Any]], why: str) -> None:
        self.spool.append(docs)
        self.stats.inc_value("elasticsearch/spooled", len(docs))
        logger.warning("%d articles spooled to %s (%s)", len(docs), self.spool.folder, why)
