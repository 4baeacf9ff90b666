"""Entities of the title, lead, body and captions (field, paragraph, offsets, and for
people their rank and title), from the police-domain layer over underthesea."""

from __future__ import annotations

import asyncio
import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from datetime import datetime
from typing import TYPE_CHECKING, Any

from itemadapter import ItemAdapter
from scrapy.exceptions import NotConfigured

from crawler.dates import find_dates

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector


def article_entities(item: object) -> list[dict[str, Any]]:
    """Every entity mention in the article's title, lead, body paragraphs and captions."""
    return texts_entities(article_texts(item))


def article_texts(item: object) -> list[tuple[str, int, str]]:
    """(field, paragraph, text) of the title, lead, body paragraphs and captions."""
    adapter = ItemAdapter(item)
    sources = [("title", 0, adapter.get("title") or ""), ("lead", 0, adapter.get("lead") or "")]
    for name in ("body", "captions"):
        sources += [(name, i, text) for i, text in enumerate(adapter.get(name) or [])]
    return sources


def texts_entities(sources: list[tuple[str, int, str]]) -> list[dict[str, Any]]:
    """The mentions of each (field, paragraph, text), as indexed."""
    # Imported here, where extraction runs: in the worker processes, which load
    # underthesea and the models; the crawl process never needs them.
    from crawler.nlp.entities import extract_many, normalized

    mentions = extract_many([text for _, _, text in sources])
    return [
        {
            "text": mention.text,
            "type": mention.type,
            "normalized": normalized(mention),
            "field": name,
            "paragraph": index,
            "start": mention.start,
            "end": mention.end,
            **mention.attrs,
        }
        for (name, index, _), found in zip(sources, mentions, strict=True)
        for mention in found
    ]


def event_dates(
    entities: list[dict[str, Any]], published: str | None, known: list[str]
) -> list[str]:
    """The days the DATE mentions name, a missing year taken from the publication date."""
    if not published:
        return known
    reference = datetime.fromisoformat(published).date()
    found = set(known)
    for entity in entities:
        if entity["type"] == "DATE":
            found.update(d.isoformat() for d in find_dates(entity["text"], reference))
    return sorted(found)


class EntitiesPipeline:
    """Runs in worker processes when NER_WORKERS > 1: extraction is CPU-bound Python, and
    the GIL would otherwise keep it on one core."""

    def __init__(self, stats: StatsCollector, workers: int) -> None:
        self.stats = stats
        self.workers = workers
        self.pool: ProcessPoolExecutor | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> EntitiesPipeline:
        if not crawler.settings.getbool("NER_ENABLED"):
            raise NotConfigured("NER_ENABLED is off")
        return cls(crawler.stats, crawler.settings.getint("NER_WORKERS", 1))

    def open_spider(self) -> None:
        if self.workers > 1:
            # forkserver: workers start clean, without the reactor's threads and sockets.
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(["crawler.nlp.preload"])
            self.pool = ProcessPoolExecutor(self.workers, mp_context=context)

    def close_spider(self) -> None:
        if self.pool:
            self.pool.shutdown()

    async def process_item(self, item: object) -> object:
        adapter = ItemAdapter(item)
        sources = article_texts(item)
        if self.pool:
            # Only the texts cross to the worker: less to pickle than the whole item.
            entities = await asyncio.wrap_future(self.pool.submit(texts_entities, sources))
        else:
            entities = texts_entities(sources)
        adapter["entities"] = entities
        adapter["event_dates"] = event_dates(entities, adapter.get("published"),
                                             adapter.get("event_dates") or [])  # fmt: skip
        self.stats.inc_value("entities/mentions", len(entities))
        return item
