"""Entities of the title, lead, body and captions (field, paragraph, offsets, and for
people their rank and title), from the police-domain layer over underthesea."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from itemadapter import ItemAdapter
from scrapy.exceptions import NotConfigured

from crawler.nlp.entities import extract, normalized

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector


def article_entities(item: object) -> list[dict[str, Any]]:
    """Every entity mention in the article's title, lead, body paragraphs and captions."""
    adapter = ItemAdapter(item)
    sources = [("title", 0, adapter.get("title") or ""), ("lead", 0, adapter.get("lead") or "")]
    for name in ("body", "captions"):
        sources += [(name, i, text) for i, text in enumerate(adapter.get(name) or [])]
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
        for name, index, text in sources
        for mention in extract(text)
    ]


class EntitiesPipeline:
    def __init__(self, stats: StatsCollector) -> None:
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> EntitiesPipeline:
        if not crawler.settings.getbool("NER_ENABLED"):
            raise NotConfigured("NER_ENABLED is off")
        return cls(crawler.stats)

    def process_item(self, item: object) -> object:
        entities = article_entities(item)
        ItemAdapter(item)["entities"] = entities
        self.stats.inc_value("entities/mentions", len(entities))
        return item
