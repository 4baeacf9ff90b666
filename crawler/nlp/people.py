"""People of an article: one entry per person however often named (no NLP imports,
so the index side can use it without loading underthesea)."""

from __future__ import annotations

from typing import Any


def people(mentions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One entry per person named in an article, with ranks, titles and mention count."""
    found: dict[str, dict[str, Any]] = {}
    for mention in mentions:
        if mention["type"] != "PER":
            continue
        person = found.setdefault(
            mention["normalized"],
            {"name": mention["normalized"], "rank": None, "titles": [], "mentions": 0},
        )
        person["mentions"] += 1
        person["rank"] = person["rank"] or mention.get("rank")
        listed = [mention.get("title"), *(mention.get("more_titles") or []),
                  mention.get("listed_title")]  # fmt: skip
        for title in listed:
            if title and title not in person["titles"]:
                person["titles"].append(title)
    return list(found.values())


def person_id(name: str, province: str) -> str:
    """Who a person is across articles: the name and the province (of today) where named."""
    return f"{name} | {province}" if province else name
