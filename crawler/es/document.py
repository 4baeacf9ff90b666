"""The Elasticsearch document of an article: its fields plus folded and keyword copies."""

from __future__ import annotations

from typing import Any

from itemadapter import ItemAdapter

from crawler.text import expand_abbreviations, fold

FOLDED_FIELDS = ("title", "lead", "body", "captions", "expansions")
ENTITY_FIELDS = {
    "PER": "persons", "ORG": "organizations", "LOC": "locations", "TITLE": "titles",
    "RANK": "ranks",
}  # fmt: skip


def entity_key(name: str) -> str:
    """How entity and province names are matched in filters: folded, lowercased."""
    return fold(" ".join(name.split())).lower()


def _unique(values: list[str]) -> list[str]:
    return list(dict.fromkeys(values))


def article_document(item: object) -> dict[str, Any]:
    """The document indexed for an article: folded copies serve unaccented queries,
    expansions serve "Ủy ban nhân dân" for "UBND", entity lists serve filters and facets."""
    doc = ItemAdapter(item).asdict()
    text = [doc.get("title") or "", doc.get("lead") or ""]
    text += (doc.get("body") or []) + (doc.get("captions") or [])
    doc["expansions"] = expand_abbreviations(" ".join(text))
    for name in FOLDED_FIELDS:
        value = doc.get(name)
        doc[f"{name}_folded"] = (
            [fold(v) for v in value] if isinstance(value, list) else fold(value or "")
        )
    names: dict[str, list[str]] = {field: [] for field in ENTITY_FIELDS.values()}
    for entity in doc.get("entities") or []:
        field = ENTITY_FIELDS.get(entity["type"])
        if field:
            names[field].append(entity["normalized"])
    doc.update({field: _unique(values) for field, values in names.items()})
    doc["entity_keys"] = _unique([entity_key(n) for values in names.values() for n in values])
    provinces = [doc.get("province"), doc.get("province_current")]
    doc["province_keys"] = _unique([entity_key(p) for p in provinces if p])
    return doc
