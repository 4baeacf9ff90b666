"""Named entities of the title, lead, body and captions, with field, paragraph and offsets."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from itemadapter import ItemAdapter
from scrapy.exceptions import NotConfigured

from crawler.nlp.ner import extract_entities

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
            "text": entity.text,
            "type": entity.type,
            "normalized": " ".join(entity.text.split()),
            "field": name,
            "paragraph": index,
            "start": entity.start,
            "end": entity.end,
        }
        for name, index, text in sources
        for entity in extract_entities(text)
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
