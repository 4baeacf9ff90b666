"""What the index knows of one person or one organisation: articles over time, provinces,
who is named with them, the latest articles, and for a person the ranks and titles the
articles give them, each with its first and last date."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from crawler.es.document import entity_key
from crawler.es.search import MAX_FILTER_LENGTH, InvalidSearch

if TYPE_CHECKING:
    from elasticsearch import Elasticsearch

LATEST = 10  # latest articles listed
NAMED_WITH = 15  # people and units named with the entity, of each
PROVINCES = 40  # there are 34 provinces since 2025, 63 before: the busiest first
RANK_ARTICLES = 2000  # at most this many articles read for ranks and titles, newest first
RANK_PAGE = 500  # read in pages of this many
LATEST_SOURCE = ["id", "title", "published", "province", "province_current", "site"]
MONTHS = {"calendar_interval": "month", "time_zone": "+07:00", "min_doc_count": 0}


class EntityNotFound(LookupError):
    """No article names the entity (in the province asked for)."""

    def __init__(self, kind: str, name: str, province: str | None = None) -> None:
        where = f" in {province}" if province else ""
        super().__init__(f'no article names "{name}"{where}')
        self.kind, self.name, self.province = kind, name, province


def check_name(name: str) -> None:
    """Raise InvalidSearch naming ``name`` for one no article can have: empty, or longer
    than any filter value (Elasticsearch refuses a term over 32 KB with a 400)."""
    if not name.strip():
        raise InvalidSearch("name", "must not be empty")
    if len(name) > MAX_FILTER_LENGTH:
        raise InvalidSearch(
            "name", f"must be at most {MAX_FILTER_LENGTH} characters, got {len(name)}"
        )


def person_profile(
    client: Elasticsearch, index: str, name: str, province: str | None = None
) -> dict[str, Any]:
    """The profile of the person named ``name``: ``province`` (as published or as of
    today) keeps the one of that province when namesakes live in several. Raises
    EntityNotFound when no article names them."""
    check_name(name)
    named = [{"term": {"persons": name}}]
    # Namesakes: person_ids are "name | province of today", one per province.
    everywhere = client.search(
        index=index,
        query={"bool": {"filter": named}},
        size=0,
        aggs={"ids": {"terms": {"field": "person_ids", "size": 100,
                                "include": _exact_or_with_province(name)}}},
    )  # fmt: skip
    namesakes = [
        {"province": key.partition(" | ")[2] or None, "count": bucket["doc_count"]}
        for bucket in everywhere["aggregations"]["ids"]["buckets"]
        for key in [bucket["key"]]
    ]
    filters = list(named)
    if province:
        filters.append({"term": {"province_keys": entity_key(province)}})
    profile = _profile(client, index, "person", name, province, filters, "persons")
    profile["namesakes"] = namesakes
    profile["ranks_and_titles"] = _ranks_and_titles(client, index, name, filters, profile)
    return profile


def organization_profile(client: Elasticsearch, index: str, name: str) -> dict[str, Any]:
    """The profile of the organisation ``name``, as the facets name it ("Công an tỉnh
    Sơn La" for a Sơn La article's "Công an tỉnh"). Raises EntityNotFound."""
    check_name(name)
    filters = [{"term": {"organizations": name}}]
    return _profile(client, index, "organization", name, None, filters, "organizations")


def _exact_or_with_province(name: str) -> str:
    """A terms ``include`` regex for the name alone or followed by " | province": every
    character but letters and digits escaped (a backslash makes any character literal in
    Lucene's regex syntax)."""
    escaped = re.sub(r"([^\w])", r"\\\1", name)
    return escaped + r"(\ \|\ .*)?"


def _profile(
    client: Elasticsearch,
    index: str,
    kind: str,
    name: str,
    province: str | None,
    filters: list[dict[str, Any]],
    field: str,
) -> dict[str, Any]:
    """What people and units share: one request for the counts and the latest articles."""
    response = client.search(
        index=index,
        query={"bool": {"filter": filters}},
        size=LATEST,
        sort=[{"published": {"order": "desc", "missing": "_last"}}, {"id": "asc"}],
        source=LATEST_SOURCE,
        track_total_hits=True,
        aggs={
            "months": {"date_histogram": {"field": "published", **MONTHS}},
            "first": {"top_hits": {"size": 1, "_source": ["published"],
                                   "sort": [{"published": {"order": "asc"}}]}},
            "provinces": {"terms": {"field": "province_current", "size": PROVINCES},
                          "aggs": {"published_as": {"terms": {"field": "province"}}}},
            "persons": _named_with("persons", name if field == "persons" else None),
            "organizations": _named_with(
                "organizations", name if field == "organizations" else None
            ),
        },
    )  # fmt: skip
    total = response["hits"]["total"]["value"]
    if not total:
        raise EntityNotFound(kind, name, province)
    aggs = response["aggregations"]
    latest = [{key: hit["_source"].get(key) for key in LATEST_SOURCE} | {"id": hit["_id"]}
              for hit in response["hits"]["hits"]]  # fmt: skip
    months = [
        {"month": bucket["key_as_string"][:7], "count": bucket["doc_count"]}
        for bucket in aggs["months"]["buckets"]
    ]
    first_hits = aggs["first"]["hits"]["hits"]
    return {
        "kind": kind,
        "name": name,
        "province": province,
        "total": total,
        "undated": total - sum(m["count"] for m in months),
        "first": _day(first_hits[0]["_source"].get("published")) if first_hits else None,
        "last": _day(latest[0]["published"]) if latest else None,
        "months": months,
        "provinces": [
            {
                "value": b["key"],
                "count": b["doc_count"],
                "merged": [
                    {"value": m["key"], "count": m["doc_count"]}
                    for m in b["published_as"]["buckets"]
                    if m["key"] != b["key"]
                ],
            }
            for b in aggs["provinces"]["buckets"]
        ],  # fmt: skip
        "persons": _buckets(aggs["persons"]),
        "organizations": _buckets(aggs["organizations"]),
        "latest": latest,
    }


def _named_with(field: str, itself: str | None) -> dict[str, Any]:
    terms: dict[str, Any] = {"field": field, "size": NAMED_WITH}
    if itself is not None:
        terms["exclude"] = [itself]
    return {"terms": terms}


def _buckets(agg: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"value": b["key"], "count": b["doc_count"]} for b in agg["buckets"]]


def _day(published: str | None) -> str | None:
    """The day as published, in Vietnam time: stored with its +07:00 offset."""
    return published[:10] if published else None


def _ranks_and_titles(
    client: Elasticsearch,
    index: str,
    name: str,
    filters: list[dict[str, Any]],
    profile: dict[str, Any],
) -> dict[str, Any]:
    """Each rank and title the articles give the person, with its first and last day and
    how many articles give it, read from the ``people`` of at most RANK_ARTICLES articles
    (the newest); ``read`` says how many, ``cut`` whether some were left unread."""
    seen: dict[tuple[str, str], dict[str, Any]] = {}
    read, after = 0, None
    sort = [{"published": {"order": "desc", "missing": "_last"}}, {"id": "asc"}]
    while read < RANK_ARTICLES:
        page: dict[str, Any] = {"search_after": after} if after else {}
        response = client.search(
            index=index,
            query={"bool": {"filter": filters}},
            size=min(RANK_PAGE, RANK_ARTICLES - read),
            sort=sort,
            source=["published", "people"],
            track_total_hits=False,
            **page,
        )
        hits = response["hits"]["hits"]
        for hit in hits:
            day = _day(hit["_source"].get("published"))
            for person in hit["_source"].get("people") or []:
                if person.get("name") != name:
                    continue
                given = [("rank", person.get("rank"))]
                given += [("title", title) for title in person.get("titles") or []]
                for kind, value in dict.fromkeys(given):  # once an article each
                    if value:
                        _count(seen, kind, value, day)
        read += len(hits)
        if len(hits) < RANK_PAGE:
            break
        after = hits[-1]["sort"]
    entries = sorted(seen.values(), key=lambda e: (e["first"] or "9999", e["kind"], e["value"]))
    return {"entries": entries, "read": read, "cut": read < profile["total"]}


def _count(seen: dict[tuple[str, str], dict[str, Any]], kind: str, value: str,
           day: str | None) -> None:  # fmt: skip
    entry = seen.setdefault(
        (kind, value), {"kind": kind, "value": value, "first": None, "last": None, "count": 0}
    )
    entry["count"] += 1
    if day:
        entry["first"] = min(entry["first"] or day, day)
        entry["last"] = max(entry["last"] or day, day)
