"""underthesea's CRF NER with character offsets, and the fixes it needs on news text.

Two corrections over ``underthesea.ner``: the CRF's previous-tag features are filled
with "O" as in training (underthesea fills them with "X", which breaks name
boundaries), and a proper noun that starts with a Vietnamese surname is a person.
The models run through crawler.nlp.crf's decoder (same tags, many times faster).
The police-domain layer (ranks, titles, organisations, gazetteer) builds on this.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass

from crawler.nlp import crf
from crawler.nlp.lexicon import SURNAMES

logger = logging.getLogger(__name__)

MODEL_TYPES = ("PER", "ORG", "LOC", "MISC")


@dataclass(frozen=True)
class ModelSpan:
    """What the statistical model tagged: text as written, type, [start, end) offsets;
    the police-domain rules turn these into Mentions (crawler/nlp/domain.py)."""

    text: str
    type: str
    start: int
    end: int


def _is_person_name(word: str, pos: str) -> bool:
    if pos != "Np":
        return False
    syllables = word.split()
    return (
        2 <= len(syllables) <= 5
        and syllables[0] in SURNAMES
        and all(s[:1].isupper() for s in syllables)
    )


def _whole_word(text: str, start: int, end: int) -> bool:
    before = text[start - 1] if start > 0 else " "
    after = text[end] if end < len(text) else " "
    return not (before.isalnum() and text[start].isalnum()) and not (
        after.isalnum() and text[end - 1].isalnum()
    )


def _locate(text: str, words: list[str]) -> list[tuple[int, int] | None]:
    """Offsets of each token in the text, scanning left to right.

    A plain substring search first (the text is normalised, so syllables are one space
    apart); a pattern only for the rare token whose spacing differs.
    """
    spans: list[tuple[int, int] | None] = []
    cursor = 0
    for word in words:
        start = text.find(word, cursor) if word else -1
        while start >= 0 and not _whole_word(text, start, start + len(word)):
            start = text.find(word, start + 1)
        if start >= 0:
            spans.append((start, start + len(word)))
            cursor = start + len(word)
            continue
        pattern = r"\s*".join(re.escape(part) for part in word.split())
        match = re.search(pattern, text[cursor:]) if pattern else None
        if match is None:
            spans.append(None)
            continue
        spans.append((cursor + match.start(), cursor + match.end()))
        cursor += match.end()
    return spans


def extract_entities(text: str) -> list[ModelSpan]:
    """Named entities of one paragraph, with offsets into it."""
    return entities_of([text])[0]


def entities_of(texts: Sequence[str]) -> list[list[ModelSpan]]:
    """Named entities of each paragraph, the paragraphs tagged together (faster)."""
    tagged = crf.tag_many(texts)
    return [_entities(text, rows) for text, rows in zip(texts, tagged, strict=True)]


def _entities(text: str, tagged: list[tuple[str, str, str, str]]) -> list[ModelSpan]:
    if not text.strip():
        return []
    tokens = [(word, pos, chunk_tag) for word, pos, chunk_tag, _ in tagged]
    tags = [ner_tag for *_, ner_tag in tagged]
    for i, (word, pos, _) in enumerate(tokens):
        if _is_person_name(word, pos):
            tags[i] = "B-PER"
            if i + 1 < len(tags) and tags[i + 1].startswith("I-"):
                tags[i + 1] = "B-" + tags[i + 1][2:]
    offsets = _locate(text, [word for word, _, _ in tokens])

    entities: list[ModelSpan] = []
    current: list[int] = []
    kind = ""

    def close() -> None:
        located = [offsets[i] for i in current if offsets[i] is not None]
        proper = any(tokens[i][1] in ("Np", "Ny") for i in current)
        if located and proper and kind in MODEL_TYPES:
            start, end = located[0][0], located[-1][1]
            entities.append(ModelSpan(text[start:end], kind, start, end))

    for i, tag in enumerate(tags):
        if tag.startswith("I-") and current and tag[2:] == kind:
            current.append(i)
            continue
        if current:
            close()
        current, kind = ([i], tag[2:]) if tag != "O" else ([], "")
    if current:
        close()
    return entities
