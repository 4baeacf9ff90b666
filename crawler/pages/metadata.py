"""What a page says about its article in machine-readable form: JSON-LD, meta tags,
microdata. Each reader falls back to the visible page when these are missing."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from crawler.pages.blocks import Node

ARTICLE_TYPES = frozenset(
    {"NewsArticle", "Article", "BlogPosting", "ReportageNews", "AnalysisNewsArticle",
     "WebPage", "LiveBlogPosting", "OpinionNewsArticle"}
)  # fmt: skip


def json_ld(root: Node) -> list[dict[str, Any]]:
    """Every JSON-LD object of the page, @graph members flattened; broken scripts skipped."""
    found: list[dict[str, Any]] = []
    for script in root.iter("script"):
        if "ld+json" not in (script.attrib.get("type") or ""):
            continue
        try:
            data = json.loads((script.text or "").strip() or "null", strict=False)
        except ValueError:
            continue
        found += _objects(data)
    return found


def _objects(data: Any) -> Iterator[dict[str, Any]]:
    if isinstance(data, list):
        for entry in data:
            yield from _objects(entry)
    elif isinstance(data, dict):
        yield data
        yield from _objects(data.get("@graph"))


def types_of(entry: dict[str, Any]) -> set[str]:
    kind = entry.get("@type")
    return set(kind) if isinstance(kind, list) else {kind} if isinstance(kind, str) else set()


def ld_article(objects: list[dict[str, Any]]) -> dict[str, Any]:
    """The JSON-LD object that describes the article (a news type before a WebPage)."""
    ranked = sorted(
        (o for o in objects if types_of(o) & ARTICLE_TYPES),
        key=lambda o: "WebPage" in types_of(o),
    )
    return ranked[0] if ranked else {}


def names_of(value: Any) -> list[str]:
    """Names in a JSON-LD person/organisation value: a string, an object or a list."""
    if isinstance(value, str):
        return [value.strip()] if value.strip() else []
    if isinstance(value, list):
        return [name for entry in value for name in names_of(entry)]
    if isinstance(value, dict):
        return names_of(value.get("name"))
    return []


def person_names(value: Any) -> list[str]:
    """The people of a JSON-LD author value (organisations left out)."""
    entries = value if isinstance(value, list) else [value]
    names = []
    for entry in entries:
        if isinstance(entry, dict) and "Organization" in types_of(entry):
            continue
        names += names_of(entry)
    return names


def breadcrumb_names(objects: list[dict[str, Any]]) -> list[str]:
    """The items of a JSON-LD BreadcrumbList, in position order."""
    for entry in objects:
        if "BreadcrumbList" not in types_of(entry):
            continue
        items = [i for i in entry.get("itemListElement") or [] if isinstance(i, dict)]
        items.sort(key=lambda i: i.get("position") if isinstance(i.get("position"), int) else 0)
        names = []
        for item in items:
            names += names_of(item) or names_of(item.get("item"))
        return names
    return []


_SEPARATORS = re.compile(r"\s+[-–—|:»]\s+|\s*\|\s*|\s+::\s+")


def split_site_name(title: str, site_names: list[str]) -> str:
    """A title without the site's name that the page adds before or after it."""
    title = " ".join(title.split())
    parts = _SEPARATORS.split(title)
    if len(parts) < 2:
        return title
    known = [" ".join(n.split()).lower() for n in site_names if n]

    def is_site(part: str) -> bool:
        low = part.lower().strip(" .")
        if any(low == k or (low and (low in k or k in low)) for k in known if k):
            return True
        return bool(_SITE_WORDS.search(part)) and len(part) <= 60

    while len(parts) > 1 and is_site(parts[-1]):
        parts.pop()
    while len(parts) > 1 and is_site(parts[0]) and len(parts[0]) < len(" ".join(parts[1:])):
        parts.pop(0)
    # The rest, with the separators the headline itself used.
    start = title.find(parts[0])
    end = title.rfind(parts[-1]) + len(parts[-1])
    return title[start:end].strip() if start >= 0 and end > start else " ".join(parts)


_SITE_WORDS = re.compile(
    r"^(?:Báo|Tạp chí|Cổng|Trang|Kênh|Đài|Truyền hình|Thông tấn|Portal|Website|Công an "
    r"(?:tỉnh|thành phố|TP\.?)|CAND|VnExpress|Tuổi Trẻ|Thanh Niên|Dân trí|Dân Trí|VietNamNet|"
    r"VietnamNet|ZNews|Znews|Zing|Nhân Dân|Lao Động|Người Lao Động|Tiền Phong|PLO|Pháp luật|"
    r"An ninh Thủ đô|ANTĐ|TTXVN|VTV|VOV)\b|\.(?:vn|com|net|org)\b",
    re.IGNORECASE,
)
