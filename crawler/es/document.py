"""The Elasticsearch document of an article: its fields plus folded and keyword copies."""

from __future__ import annotations

import hashlib
import re
from typing import Any

from itemadapter import ItemAdapter

from crawler.nlp.people import people, person_id
from crawler.nlp.resolution import filed_name, resolve_entities
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


_REPUBLISHED = re.compile(r"^(?:Công an (?:tỉnh|thành phố|TP\.?) [^-–:]{2,40}\s*[-–:]\s*)")


def story_key(title: str) -> str:
    """Articles with the same key tell the same story: the title folded, lowercased,
    without punctuation and without the "Công an tỉnh X - " of a republication."""
    words = re.findall(r"\w+", fold(_REPUBLISHED.sub("", title)).lower())
    return hashlib.sha1(" ".join(words).encode()).hexdigest()[:16]


def story_hash(key: str) -> int:
    """The story key as a signed 64-bit number: the stories among a million hits are
    counted on this (a long's doc values, hashed as read) faster than on the keyword,
    whose every distinct term matched is looked up (README)."""
    return int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest(), signed=True)


def article_document(item: object) -> dict[str, Any]:
    """The document indexed for an article: folded copies serve unaccented queries,
    expansions serve "Ủy ban nhân dân" for "UBND", entity lists serve filters and facets."""
    doc = dict(ItemAdapter(item).items())  # a shallow copy: fields are added, none changed
    text = [doc.get("title") or "", doc.get("lead") or ""]
    text += (doc.get("body") or []) + (doc.get("captions") or [])
    doc["expansions"] = expand_abbreviations(" ".join(text))
    for name in FOLDED_FIELDS:
        value = doc.get(name)
        doc[f"{name}_folded"] = (
            [fold(v) for v in value] if isinstance(value, list) else fold(value or "")
        )
    # Relative names resolved here too: a document copied by a mapping upgrade gains them.
    entities = resolve_entities(
        doc.get("entities") or [], doc.get("province"), doc.get("province_current")
    )
    doc["entities"] = entities
    names: dict[str, list[str]] = {field: [] for field in ENTITY_FIELDS.values()}
    for entity in entities:  # nested ones too: each is a mention of its own
        field = ENTITY_FIELDS.get(entity["type"])
        if field:
            names[field].append(filed_name(entity))
    doc.update({field: _unique(values) for field, values in names.items()})
    doc["organizations_written"] = _unique(
        [e["normalized"] for e in entities if e["type"] == "ORG"]
    )
    doc["entity_keys"] = _unique(
        [entity_key(n) for field, values in names.items() if field != "ranks" for n in values]
    )
    provinces = [doc.get("province"), doc.get("province_current")]
    doc["province_keys"] = _unique([entity_key(p) for p in provinces if p])
    doc["people"] = people(entities)
    # One person across articles: the same name in the same province (of today).
    where = doc.get("province_current") or doc.get("province") or ""
    doc["person_ids"] = [person_id(person["name"], where) for person in doc["people"]]
    counts: dict[str, int] = {}  # mentions by type, nested ones included
    for entity in entities:
        counts[entity["type"]] = counts.get(entity["type"], 0) + 1
    doc["entity_counts"] = counts
    doc["story_key"] = story_key(doc.get("title") or "")
    doc["story_hash"] = story_hash(doc["story_key"])
    return doc
