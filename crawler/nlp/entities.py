"""Entities of a text: the police-domain rules first, underthesea's NER for the rest,
and the links between people and their ranks and titles."""

from __future__ import annotations

import re
from collections.abc import Sequence

from crawler.nlp.domain import Mention, rule_mentions
from crawler.nlp.ner import Entity, entities_of

ENTITY_TYPES = ("PER", "ORG", "LOC", "TITLE", "RANK", "DATE")
# When rules overlap, the longer span wins; on equal length, this order.
_PRIORITY = {"TITLE": 0, "ORG": 1, "LOC": 2, "RANK": 3, "DATE": 4, "PER": 5}
_GAP_BEFORE = re.compile(r"^(?:\s*,?\s*(?:[Đđ]ồng chí|[Ôô]ng|[Bb]à)?\s*)$")
_GAP_AFTER = re.compile(r"^\s*[,-–]?\s*$")


def _resolve(candidates: list[Mention]) -> list[Mention]:
    """Non-overlapping mentions: longest first, then by type priority."""
    chosen: list[Mention] = []
    for mention in sorted(candidates, key=lambda m: (-(m.end - m.start), _PRIORITY[m.type])):
        if not any(mention.overlaps(kept) for kept in chosen):
            chosen.append(mention)
    return sorted(chosen, key=lambda m: m.start)


def _plausible(entity: Mention) -> bool:
    """underthesea's leftovers worth keeping: no one-syllable Vietnamese words typed as
    names ("Toàn", "Cờ", "Khối"), no acronym as a person ("GDP"), nothing with digits
    ("COVID-19")."""
    if any(c.isdigit() for c in entity.text) or (entity.type == "PER" and entity.text.isupper()):
        return False
    return " " in entity.text or entity.text.isascii()


def _link(text: str, mentions: list[Mention]) -> None:
    """Give each person the rank and title written next to their name."""
    for index, person in enumerate(mentions):
        if person.type != "PER":
            continue
        cursor = person.start
        for previous in reversed(mentions[:index]):
            if not _GAP_BEFORE.match(text[previous.end : cursor]):
                break
            if previous.type in ("RANK", "TITLE") and previous.type.lower() not in person.attrs:
                person.attrs[previous.type.lower()] = previous.text
                cursor = previous.start
            else:
                break
        following = mentions[index + 1] if index + 1 < len(mentions) else None
        if (
            following is not None
            and following.type == "TITLE"
            and "title" not in person.attrs
            and _GAP_AFTER.match(text[person.end : following.start])
        ):
            person.attrs["title"] = following.text


def extract(text: str) -> list[Mention]:
    """Typed, non-overlapping mentions of one paragraph, people linked to their roles."""
    return extract_many([text])[0]


def extract_many(texts: Sequence[str]) -> list[list[Mention]]:
    """The mentions of each paragraph, underthesea's models run on all of them at once."""
    return [_mentions(text, base) for text, base in zip(texts, entities_of(texts), strict=True)]


def _mentions(text: str, entities: list[Entity]) -> list[Mention]:
    if not text.strip():
        return []
    rules = _resolve(rule_mentions(text))
    base = [
        Mention(e.text, e.type, e.start, e.end) for e in entities if e.type in ("PER", "ORG", "LOC")
    ]
    extra = [m for m in base if _plausible(m) and not any(m.overlaps(r) for r in rules)]
    mentions = sorted(rules + extra, key=lambda m: m.start)
    _link(text, mentions)
    return mentions


def normalized(mention: Mention) -> str:
    """How a mention is filed: single spaces, and for people no honorific."""
    name = " ".join(mention.text.split())
    return re.sub(r"^(?:đồng chí|Đồng chí) ", "", name)
