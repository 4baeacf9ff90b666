"""Drop items that cannot become a useful article, saying which field and why."""

from __future__ import annotations

from typing import TYPE_CHECKING

from itemadapter import ItemAdapter
from scrapy.exceptions import DropItem

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector

REQUIRED_TEXT = ("id", "url", "source", "title")


def missing_fields(item: object) -> list[str]:
    """Names of required fields that are absent or blank."""
    adapter = ItemAdapter(item)
    missing = [name for name in REQUIRED_TEXT if not str(adapter.get(name) or "").strip()]
    if not any(p.strip() for p in adapter.get("body") or []):
        missing.append("body")
    return missing


class ValidatePipeline:
    def __init__(self, stats: StatsCollector) -> None:
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ValidatePipeline:
        return cls(crawler.stats)

    def process_item(self, item: object) -> object:
        missing = missing_fields(item)
        if missing:
            for name in missing:
                self.stats.inc_value(f"validate/dropped/missing_{name}")
            url = ItemAdapter(item).get("url") or ItemAdapter(item).get("seed_path")
            raise DropItem(f"{url}: missing or empty {', '.join(missing)}")
        self.stats.inc_value("validate/passed")
        return item
