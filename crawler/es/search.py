"""Search the articles index: Vietnamese typed with or without diacritics, with filters."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from crawler.es.document import entity_key
from crawler.text import fold, normalize_text

if TYPE_CHECKING:
    from elasticsearch import Elasticsearch

# Title first, then captions, then body; the exact (accented) fields above the folded.
EXACT_FIELDS = ["title^4", "lead^2", "captions^1.5", "body", "expansions^0.5"]
FOLDED_FIELDS = [
    "title_folded^3", "lead_folded^1.5", "captions_folded^1.2", "body_folded^0.8",
    "expansions_folded^0.4",
]  # fmt: skip
HIGHLIGHT_FIELDS = ("title", "lead", "body", "captions")
SOURCE_FIELDS = [
    "id", "url", "title", "published", "province", "province_current", "site",
    "persons", "organizations", "locations",
]  # fmt: skip


def build_query(
    text: str,
    province: str | None = None,
    since: date | None = None,
    until: date | None = None,
    entity: str | None = None,
) -> dict[str, Any]:
    """The bool query: words and "phrases" on exact and folded fields, then filters."""
    text = normalize_text(text)
    common = {"default_operator": "and", "lenient": True, "flags": "PHRASE|PRECEDENCE|AND|OR|NOT"}
    should: list[dict[str, Any]] = [
        {"simple_query_string": {"query": text, "fields": EXACT_FIELDS, **common}},
        {"simple_query_string": {"query": fold(text), "fields": FOLDED_FIELDS, **common}},
        # Words next to each other as typed rank above words scattered in the text.
        {"multi_match": {"query": text, "type": "phrase", "fields": ["title^6", "body^2"]}},
    ]
    filters: list[dict[str, Any]] = []
    if province:
        filters.append({"term": {"province_keys": entity_key(province)}})
    if since or until:
        # Whole days in Vietnam time: --until 2022-01-04 includes that evening.
        bounds = {"gte": since, "lte": until}
        days = {k: f"{v.isoformat()}||/d" for k, v in bounds.items() if v}
        filters.append({"range": {"published": {**days, "time_zone": "+07:00"}}})
    if entity:
        filters.append({"term": {"entity_keys": entity_key(entity)}})
    return {"bool": {"should": should, "minimum_should_match": 1, "filter": filters}}


def search_body(query: dict[str, Any], size: int) -> dict[str, Any]:
    """Request body: the query, highlights of the accented text, and the fields we show."""
    highlight = {
        name: {"type": "unified", "matched_fields": [name, f"{name}_folded"]}
        for name in HIGHLIGHT_FIELDS
    }
    highlight["title"]["number_of_fragments"] = 0
    return {
        "query": query,
        "size": size,
        "_source": SOURCE_FIELDS,
        "highlight": {
            "fields": highlight,
            "encoder": "html",
            "fragment_size": 160,
            "number_of_fragments": 3,
        },
        "sort": ["_score", {"published": {"order": "desc", "missing": "_last"}}],
        "track_scores": True,
    }


def search(
    client: Elasticsearch,
    index: str,
    text: str,
    *,
    size: int = 10,
    **filters: Any,
) -> dict[str, Any]:
    """Ranked hits as ``{"total", "hits": [{id, url, title, published, province, score,
    highlight, entities}]}``; filters are those of ``build_query``."""
    response = client.search(index=index, **search_body(build_query(text, **filters), size))
    hits = []
    for hit in response["hits"]["hits"]:
        source = hit["_source"]
        hits.append(
            {
                "id": hit["_id"],
                "url": source.get("url"),
                "title": source.get("title"),
                "published": source.get("published"),
                "province": source.get("province"),
                "score": hit["_score"],
                "highlight": hit.get("highlight", {}),
                "entities": {
                    name: source.get(name) or []
                    for name in ("persons", "organizations", "locations")
                },
            }
        )
    return {"total": response["hits"]["total"]["value"], "hits": hits}
