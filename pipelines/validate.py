"""Drop items that cannot become a useful article, saying which field and why; keep the
others within the limits that bound what every later step costs."""

from __future__ import annotations

import logging
import re
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from itemadapter import ItemAdapter
from scrapy.exceptions import DropItem

from crawler.dates import VIETNAM_TZ

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector

logger = logging.getLogger(__name__)

REQUIRED_TEXT = ("id", "url", "source", "title")
# The texts of an article, counted against MAX_ARTICLE_CHARS; the lists are the paragraphs
# MAX_PARAGRAPH_CHARS splits.
SINGLE_TEXTS = ("title", "lead")
PARAGRAPH_LISTS = ("body", "captions")
# Where a sentence ends: its mark, any closing quote or bracket, then a space.
_SENTENCE_END = re.compile(r"[.!?…]+[\"'”’»)\]]*\s")


def missing_fields(item: object) -> list[str]:
    """Names of required fields that are absent or blank."""
    adapter = ItemAdapter(item)
    missing = [name for name in REQUIRED_TEXT if not str(adapter.get(name) or "").strip()]
    if not any(p.strip() for p in adapter.get("body") or []):
        missing.append("body")
    return missing


def article_chars(item: object) -> int:
    """Characters of the article's title, lead, body and captions."""
    adapter = ItemAdapter(item)
    single = sum(len(adapter.get(name) or "") for name in SINGLE_TEXTS)
    return single + sum(len(p) for name in PARAGRAPH_LISTS for p in adapter.get(name) or [])


def future_published(item: object, today: date) -> str | None:
    """Why the publication date cannot be right: after tomorrow in Vietnam (a typo, a
    misread date), where it would top every search sorted by date. None when it can be."""
    published = ItemAdapter(item).get("published")
    try:
        moment = datetime.fromisoformat(published) if published else None
    except ValueError:
        return None
    if moment is None:
        return None
    day = moment.astimezone(VIETNAM_TZ).date() if moment.tzinfo else moment.date()
    tomorrow = today + timedelta(days=1)
    if day <= tomorrow:
        return None
    return f"published {day} is in the future (after {tomorrow}, Vietnam time)"


def split_paragraph(text: str, limit: int) -> list[str]:
    """The paragraph in parts of at most `limit` characters, each cut after the last
    sentence that ends in the second half of its part, else after a space."""
    parts, start = [], 0
    while len(text) - start > limit:
        end, cut = start + limit, None
        for match in _SENTENCE_END.finditer(text, start + limit // 2, end):
            cut = match.end()
        if cut is None:
            space = text.rfind(" ", start + 1, end)
            cut = space + 1 if space > start else end
        parts.append(text[start:cut])
        start = cut
    parts.append(text[start:])
    return [part.strip() for part in parts if part.strip()]


def split_long_paragraphs(item: object, limit: int) -> int:
    """Split, in place, the body paragraphs and captions longer than `limit` characters;
    how many were split."""
    adapter, split = ItemAdapter(item), 0
    for name in PARAGRAPH_LISTS:
        paragraphs = adapter.get(name) or []
        if any(len(p) > limit for p in paragraphs):
            split += sum(len(p) > limit for p in paragraphs)
            adapter[name] = [part for p in paragraphs for part in split_paragraph(p, limit)]
    return split


class ValidatePipeline:
    """Drops an article without its required fields, longer than MAX_ARTICLE_CHARS or
    published after tomorrow; splits paragraphs longer than MAX_PARAGRAPH_CHARS. A limit
    of 0 is none."""

    def __init__(
        self, stats: StatsCollector, max_article_chars: int = 0, max_paragraph_chars: int = 0
    ) -> None:
        self.stats = stats
        self.max_article_chars = max_article_chars
        self.max_paragraph_chars = max_paragraph_chars

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ValidatePipeline:
        settings = crawler.settings
        return cls(crawler.stats, settings.getint("MAX_ARTICLE_CHARS"),
                   settings.getint("MAX_PARAGRAPH_CHARS"))  # fmt: skip

    def process_item(self, item: object) -> object:
        adapter = ItemAdapter(item)
        url = adapter.get("url") or adapter.get("seed_path")
        missing = missing_fields(item)
        if missing:
            for name in missing:
                self.stats.inc_value(f"validate/dropped/missing_{name}")
            raise DropItem(f"{url}: missing or empty {', '.join(missing)}")
        limit = self.max_article_chars
        if limit and (size := article_chars(item)) > limit:
            self.stats.inc_value("validate/dropped/too_long")
            raise DropItem(
                f"{url}: article of {size:,} characters is over MAX_ARTICLE_CHARS ({limit:,})"
            )
        if reason := future_published(item, datetime.now(VIETNAM_TZ).date()):
            self.stats.inc_value("validate/dropped/future_published")
            raise DropItem(f"{url}: {reason}")
        limit = self.max_paragraph_chars
        if limit and (split := split_long_paragraphs(item, limit)):
            self.stats.inc_value("validate/split_paragraphs", split)
            logger.warning(
                "%s: %d paragraph(s) over MAX_PARAGRAPH_CHARS (%s characters) split after "
                "sentences", url, split, f"{limit:,}",
            )  # fmt: skip
        self.stats.inc_value("validate/passed")
        return item
