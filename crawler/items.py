"""The one item type: an article, whether it came from a seed file or a web page."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Article:
    """A news article as it flows through the pipelines.

    ``published`` is ISO 8601 with the +07:00 offset; ``published_precision`` says how
    much of it is known ("day" or "month"), because seed headers carry only a month.
    ``entities`` holds dicts with text, type, field, paragraph, start, end, normalized;
    ``images`` dicts with url and caption. ``http_*`` are the validators the page was
    served with, sent back when the article is fetched again.
    """

    id: str
    url: str
    source: str
    title: str
    lead: str | None = None
    body: list[str] = field(default_factory=list)
    captions: list[str] = field(default_factory=list)
    images: list[dict[str, str]] = field(default_factory=list)
    authors: list[str] = field(default_factory=list)
    category: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    canonical_url: str | None = None
    source_tag: str | None = None
    site: str | None = None
    province: str | None = None
    province_current: str | None = None
    published: str | None = None
    published_precision: str | None = None
    event_dates: list[str] = field(default_factory=list)
    entities: list[dict[str, Any]] = field(default_factory=list)
    content_hash: str | None = None
    fetched_at: str | None = None
    language: str = "vi"
    seed_path: str | None = None
    http_etag: str | None = None
    http_last_modified: str | None = None
