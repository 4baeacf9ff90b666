"""Organisations written relative to the article ("Công an tỉnh", "UBND tỉnh", "Tỉnh ủy")
name a different body in each province: filed under the article's province, so that a
facet counts the Công an tỉnh of Nam Định and that of Lai Châu apart. No NLP imports: the
index side uses it too (mapping upgrades)."""

from __future__ import annotations

import re
from typing import Any

# The provinces that are cities: their relative bodies say "thành phố" ("Thành ủy").
CITIES = frozenset({"Hà Nội", "Hồ Chí Minh", "Hải Phòng", "Đà Nẵng", "Cần Thơ", "Huế"})

# A relative name ends on the level word with no place after it ("... Công an tỉnh").
_PROVINCE_LEVEL = re.compile(r"(?i)(?:\b(?:tỉnh|thành phố)|\bTP\.?)$")
_PARTY_COMMITTEE = re.compile(r"^(?:Tỉnh|Thành) [uủ][yỷ]$", re.IGNORECASE)


def resolved_name(name: str, province: str | None) -> str | None:
    """The name with the province it is relative to, or None when it names its place (or
    names none we can know: "Công an huyện" needs the district)."""
    if not province:
        return None
    name = " ".join(name.split())
    is_city = province in CITIES
    if _PARTY_COMMITTEE.match(name):
        return f"{'Thành ủy' if is_city else 'Tỉnh ủy'} {province}"
    level = _PROVINCE_LEVEL.search(name)
    if level is None:
        return None
    word = level.group().lower().rstrip(".")
    if word in ("thành phố", "tp") and not is_city:
        return None  # a provincial city, not the province: which one is not written
    return f"{name[: level.start()]}{'thành phố' if is_city else 'tỉnh'} {province}"


def resolve_entities(
    entities: list[dict[str, Any]], province: str | None, province_current: str | None
) -> list[dict[str, Any]]:
    """The entities, each relative organisation (and role naming one) with ``resolved`` (the
    name with the article's province) and ``resolved_current`` where the province merged
    since; new dicts where anything is added, the given ones left as they are."""
    found = []
    for entity in entities:
        resolved = None
        if entity["type"] in ("ORG", "TITLE"):
            resolved = resolved_name(entity["normalized"], province)
        if resolved is None:
            found.append(entity)
            continue
        entity = {**entity, "resolved": resolved}
        if province_current and province_current != province:
            current = resolved_name(entity["normalized"], province_current)
            if current:
                entity["resolved_current"] = current
        found.append(entity)
    return found


def filed_name(entity: dict[str, Any]) -> str:
    """The name a facet counts: the resolved name where there is one."""
    return entity.get("resolved") or entity["normalized"]
