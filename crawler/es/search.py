"""Search the articles index: Vietnamese typed with or without diacritics, the query
language users expect, filters, facets, republished stories grouped, more like this."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from crawler.es.document import entity_key
from crawler.text import ABBREVIATIONS, fold, normalize_text

if TYPE_CHECKING:
    from elasticsearch import Elasticsearch

# Title first, then lead, captions, body; the exact (accented) fields above the folded.
EXACT_FIELDS = ["title^4", "lead^2", "captions^1.5", "body", "expansions^0.5"]
FOLDED_FIELDS = [
    "title_folded^3", "lead_folded^1.5", "captions_folded^1.2", "body_folded^0.8",
    "expansions_folded^0.4",
]  # fmt: skip
HIGHLIGHT_FIELDS = ("title", "lead", "body", "captions")
SOURCE_FIELDS = [
    "id", "url", "title", "published", "province", "province_current", "site", "category",
    "persons", "organizations", "locations", "story_key",
]  # fmt: skip
MAX_QUERY_CHARS = 500
MAX_RESULT_WINDOW = 10_000
SORTS = ("relevance", "date")
FACET_SIZE = 20


@dataclass
class SearchRequest:
    """What a user asks: the same parameters for the command line, the API and the page."""

    q: str = ""
    province: str | None = None
    site: str | None = None
    since: date | None = None
    until: date | None = None
    entity: str | None = None
    person: str | None = None
    organization: str | None = None
    place: str | None = None
    category: str | None = None
    sort: str = "relevance"
    page: int = 1
    size: int = 10
    facets: bool = False
    group: bool = True
    extra_filters: list[dict[str, Any]] = field(default_factory=list)


def to_query_string(text: str) -> str:
    """The user's query in simple_query_string syntax.

    Words, "exact phrases", -exclusion and OR (or |) pass through; an unbalanced quote is
    dropped; other operator characters are escaped so they are plain text, never syntax.
    """
    text = normalize_text(text)[:MAX_QUERY_CHARS]
    if text.count('"') % 2:
        text = text[::-1].replace('"', "", 1)[::-1]
    text = re.sub(r"([+*~()|\\])", r"\\\1", text)
    # "a b OR c d" means (a b) or (c d): each side of OR is a group of its own.
    groups = [g for g in re.split(r"\s+(?:OR|\\\|)\s+", text) if g.strip()]
    return " | ".join(f"({g})" for g in groups) if len(groups) > 1 else text


def build_query(request: SearchRequest) -> dict[str, Any]:
    """The bool query: words and phrases on exact and folded fields, then the filters."""
    filters = list(request.extra_filters)
    if request.province:
        filters.append({"term": {"province_keys": entity_key(request.province)}})
    if request.site:
        filters.append({"term": {"site": request.site}})
    if request.category:
        filters.append({"term": {"category": request.category}})
    if request.since or request.until:
        # Whole days in Vietnam time: until 2022-01-04 includes that evening.
        bounds = {"gte": request.since, "lte": request.until}
        days = {k: f"{v.isoformat()}||/d" for k, v in bounds.items() if v}
        filters.append({"range": {"published": {**days, "time_zone": "+07:00"}}})
    if request.entity:
        filters.append({"term": {"entity_keys": entity_key(request.entity)}})
    for name, value in (("persons", request.person), ("organizations", request.organization),
                        ("locations", request.place)):  # fmt: skip
        if value:
            filters.append({"term": {name: value}})
    text = to_query_string(request.q)
    if not text.strip():
        return {"bool": {"must": [{"match_all": {}}], "filter": filters}}
    common = {"lenient": True, "flags": "PHRASE|PRECEDENCE|AND|OR|NOT|WHITESPACE|ESCAPE"}
    expanded = with_expansions(text)
    # Matching: every word somewhere in the article (all_text gathers title, lead, body,
    # captions, spelled-out abbreviations and the province). Typed with diacritics, words
    # match as typed ("cháy" is not "chạy"); typed without, they match the folded copy.
    accented = fold(text) != text
    field, query = ("all_text", expanded) if accented else ("all_folded", fold(expanded))
    matching = {"simple_query_string": {"query": query, "fields": [field],
                                        "default_operator": "and", **common}}  # fmt: skip
    # Ranking: title and lead above body, accents as typed above folded, phrases first.
    ranking = [
        {"simple_query_string": {"query": text, "fields": EXACT_FIELDS, **common}},
        {"simple_query_string": {"query": fold(text), "fields": FOLDED_FIELDS, **common}},
        {"multi_match": {"query": normalize_text(request.q)[:MAX_QUERY_CHARS], "type": "phrase",
                         "fields": ["title^6", "lead^3", "body^2"]}},
    ]  # fmt: skip
    return {
        "bool": {
            "must": [matching],
            "should": ranking,
            "filter": filters,
        }
    }


_ABBREVIATION_WORD = re.compile(r"(?<![\w\"])(" + "|".join(ABBREVIATIONS) + r")(?![\w\"])")


def with_expansions(query: str) -> str:
    """Each known abbreviation also matches its spelled-out form: CSGT -> (CSGT | "Cảnh sát
    giao thông"), so "CSGT" finds an article that writes the words out."""
    return _ABBREVIATION_WORD.sub(
        lambda m: f'({m.group(1)} | "{ABBREVIATIONS[m.group(1)]}")', query
    )


FACETS = {
    "provinces": {
        "terms": {"field": "province_current", "size": 40},
        "aggs": {"published_as": {"terms": {"field": "province", "size": 10}}},
    },
    "sites": {"terms": {"field": "site", "size": FACET_SIZE}},
    "persons": {"terms": {"field": "persons", "size": FACET_SIZE}},
    "organizations": {"terms": {"field": "organizations", "size": FACET_SIZE}},
    "locations": {"terms": {"field": "locations", "size": FACET_SIZE}},
    "categories": {"terms": {"field": "category", "size": FACET_SIZE}},
    "dates": {
        "date_histogram": {
            "field": "published",
            "calendar_interval": "month",
            "time_zone": "+07:00",
            "min_doc_count": 1,
        }
    },  # fmt: skip
}


def search_body(request: SearchRequest) -> dict[str, Any]:
    """Request body: query, highlights of the accented text, grouping, facets, paging."""
    highlight = {
        name: {"type": "unified", "matched_fields": [name, f"{name}_folded"]}
        for name in HIGHLIGHT_FIELDS
    }
    highlight["title"]["number_of_fragments"] = 0
    size = max(1, min(request.size, 100))
    start = min((max(request.page, 1) - 1) * size, MAX_RESULT_WINDOW - size)
    order = {"published": {"order": "desc", "missing": "_last"}}
    body: dict[str, Any] = {
        "query": build_query(request),
        "from": start,
        "size": size,
        "_source": SOURCE_FIELDS,
        "highlight": {
            "fields": highlight,
            "encoder": "html",
            "fragment_size": 160,
            "number_of_fragments": 3,
        },  # fmt: skip
        "sort": [order, "_score"] if request.sort == "date" else ["_score", order],
        "track_scores": True,
        "track_total_hits": True,
    }
    if request.group:
        # One result per story; the republications come back as inner hits.
        body["collapse"] = {
            "field": "story_key",
            "inner_hits": {"name": "also", "size": 5, "_source": ["id", "url", "site", "title"]},
        }
        body["aggs"] = {"stories": {"cardinality": {"field": "story_key"}}}
    if request.facets:
        body.setdefault("aggs", {}).update(FACETS)
    return body


def _hit(hit: dict[str, Any]) -> dict[str, Any]:
    source = hit["_source"]
    inner = hit.get("inner_hits", {}).get("also", {}).get("hits", {}).get("hits", [])
    also = [
        {"id": h["_id"], "url": h["_source"].get("url"), "site": h["_source"].get("site")}
        for h in inner
        if h["_id"] != hit["_id"]
    ]
    return {
        "id": hit["_id"],
        "url": source.get("url"),
        "title": source.get("title"),
        "published": source.get("published"),
        "province": source.get("province"),
        "site": source.get("site"),
        "category": source.get("category"),
        "score": hit.get("_score"),
        "highlight": hit.get("highlight", {}),
        "entities": {
            name: source.get(name) or [] for name in ("persons", "organizations", "locations")
        },
        "also_published": also,
    }


def _facets(aggregations: dict[str, Any]) -> dict[str, Any]:
    facets: dict[str, Any] = {}
    for name in FACETS:
        buckets = aggregations.get(name, {}).get("buckets", [])
        if name == "dates":
            facets[name] = [{"month": b["key_as_string"][:7], "count": b["doc_count"]}
                            for b in buckets]  # fmt: skip
        elif name == "provinces":
            facets[name] = [
                {"value": b["key"], "count": b["doc_count"],
                 "merged": [{"value": m["key"], "count": m["doc_count"]}
                            for m in b["published_as"]["buckets"] if m["key"] != b["key"]]}
                for b in buckets
            ]  # fmt: skip
        else:
            facets[name] = [{"value": b["key"], "count": b["doc_count"]} for b in buckets]
    return facets


def search(client: Elasticsearch, index: str, request: SearchRequest) -> dict[str, Any]:
    """``{"total", "stories", "page", "size", "hits": [...], "facets"?}``; each hit has id,
    url, title, published, province, site, score, highlight, entities, also_published."""
    response = client.search(index=index, **search_body(request))
    result: dict[str, Any] = {
        "total": response["hits"]["total"]["value"],
        "page": request.page,
        "size": request.size,
        "hits": [_hit(hit) for hit in response["hits"]["hits"]],
    }
    aggregations = response.get("aggregations", {})
    if "stories" in aggregations:
        result["stories"] = aggregations["stories"]["value"]
    if request.facets:
        result["facets"] = _facets(aggregations)
    return result


def get_article(client: Elasticsearch, index: str, article_id: str) -> dict[str, Any]:
    """The stored article without the copies made for search."""
    source = client.get(index=index, id=article_id)["_source"]
    hidden = {k for k in source if k.endswith("_folded")} | {"entity_keys", "province_keys",
                                                              "expansions"}  # fmt: skip
    return {k: v for k, v in source.items() if k not in hidden}


def more_like_this(
    client: Elasticsearch, index: str, article_id: str, size: int = 5
) -> list[dict[str, Any]]:
    """Articles about the same thing, other than the article and its republications."""
    article = client.get(index=index, id=article_id, source=["story_key"])["_source"]
    query = {
        "bool": {
            "must": [{"more_like_this": {
                "fields": ["title", "lead", "body"],
                "like": [{"_index": index, "_id": article_id}],
                "min_term_freq": 1, "min_doc_freq": 1, "max_query_terms": 40,
            }}],
            "must_not": [{"term": {"story_key": article.get("story_key", "")}}],
        }
    }  # fmt: skip
    response = client.search(index=index, query=query, size=size, _source=SOURCE_FIELDS)
    return [_hit(hit) for hit in response["hits"]["hits"]]
