"""Precision, recall and F1 of entity mentions against annotated sets.

Sets are JSON lines as the shared real police set writes them: ``{"id", "text", "gold":
[{"type", "text"}], "nested"?: [{"type", "text", "in"}]}``. Gold is the unique (type,
text) pairs of a record, outermost spans: our outermost mentions are scored against it,
exact strings after NFC, single spaces and lower case. "Loose" compares places without
their type word ("xã Tân Lập" = "Tân Lập"). Nested mentions are scored against ``nested``.
The VLSP 2016 NER test split (CoNLL columns) is read as sentences with PER/ORG/LOC gold.
"""

from __future__ import annotations

import json
import os
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from crawler.config import research_data

PROJECT = Path(__file__).resolve().parents[2]
TYPES = ("PER", "ORG", "LOC", "TITLE", "RANK", "DATE")
CORE = ("PER", "ORG", "LOC")

# Found mentions of a text: (type, text, nested?).
Found = list[tuple[str, str, bool]]
Extractor = Callable[[str], Found]


@dataclass
class Scores:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def add(self, other: Scores) -> None:
        self.tp, self.fp, self.fn = self.tp + other.tp, self.fp + other.fp, self.fn + other.fn


def data_dirs() -> list[Path]:
    """Where real annotated text is kept, outside the repository (third-party news):
    ``$VN_NEWS_DATA`` (paths separated by ":"), else ../shared/research/data and ../data."""
    configured = research_data("VN_NEWS_DATA")
    if configured:
        return [Path(p) for p in configured.split(os.pathsep) if p]
    return [PROJECT.parent / "shared" / "research" / "data", PROJECT.parent / "data" / "entities"]


def find_set(name: str) -> Path | None:
    """A real set by file name, in the first data folder that has it."""
    return next((d / name for d in data_dirs() if (d / name).is_file()), None)


def vlsp_test() -> Path | None:
    """The VLSP 2016 NER test split, if kept here (``$VLSP2016_TEST`` or ../data/vlsp2016):
    our check on general news, never used to tune."""
    path = Path(research_data("VLSP2016_TEST") or PROJECT.parent / "data" / "vlsp2016" / "test.txt")
    return path if path.is_file() else None


def entity_sets() -> dict[str, Path | None]:
    """Every set by name: the team's paragraphs (in the repository) and the real ones (None
    where they are not kept on this machine)."""
    team = PROJECT / "tests" / "data" / "entities"
    return {
        "team_dev": team / "dev.jsonl",
        "team_heldout": team / "heldout.jsonl",
        "police_dev": find_set("police_dev.jsonl"),
        "police_heldout": find_set("police_heldout.jsonl"),
        "general_news": find_set("general_news.jsonl"),
        "vlsp": vlsp_test(),
    }


def load_named(name: str, path: Path) -> list[dict]:
    """A set's records, whichever format it is kept in."""
    return load_conll(path) if name == "vlsp" else load_set(path)


def load_set(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


_VLSP_TAG = re.compile(r"^[BI]-(PER|ORG|LOC|MISC)$")


def load_conll(path: Path) -> list[dict]:
    """Sentences of a CoNLL NER file (word, POS, chunk, NER columns; multi-syllable words
    joined by spaces or underscores) as records of the shared format."""
    rows: list[dict] = []
    words: list[str] = []
    tags: list[str] = []

    def close() -> None:
        if not words:
            return
        text, gold, current, kind = "", [], [], ""
        for word, tag in [*zip(words, tags, strict=True), ("", "O")]:
            match = _VLSP_TAG.match(tag)
            if current and not (match and tag.startswith("I-") and match.group(1) == kind):
                if kind in CORE:
                    pair = {"type": kind, "text": " ".join(current)}
                    if pair not in gold:
                        gold.append(pair)
                current, kind = [], ""
            if match:
                current.append(word)
                kind = kind or match.group(1)
            text += (" " if text and word else "") + word
        rows.append({"id": f"vlsp-{len(rows) + 1}", "text": text, "gold": gold})
        words.clear()
        tags.clear()

    for line in path.read_text(encoding="utf-8").splitlines():
        columns = line.split("\t") if "\t" in line else line.split()
        if not columns or line.startswith("-DOCSTART-") or line.startswith("<"):
            close()
            continue
        words.append(columns[0].replace("_", " "))
        tags.append(columns[-1])
    close()
    return rows


def _key(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split()).lower()


_PLACE_TYPE = re.compile(
    r"^(?:thành phố|tỉnh|huyện|quận|thị xã|thị trấn|xã|phường|đặc khu|thôn|ấp|bản|xóm|tổ dân"
    r" phố|khu phố|tổ|khóm|phố|đường|tp\.?|tx\.?|tt\.|h\.|p\.|q\.)\s*"
)


def _loose(kind: str, key: str) -> str:
    return _PLACE_TYPE.sub("", key) if kind == "LOC" else key


def score(
    rows: Iterable[dict], extractor: Extractor, loose: bool = False
) -> tuple[dict[str, Scores], Scores]:
    """Scores per type (outermost mentions) and of the nested mentions, record by record
    over unique (type, text) pairs."""
    scores = {kind: Scores() for kind in TYPES}
    nested = Scores()
    for row in rows:
        found = extractor(row["text"])

        def pairs(items: Iterable[tuple[str, str]]) -> set[tuple[str, str]]:
            keys = {(kind, _key(text)) for kind, text in items if kind in TYPES}
            return {(k, _loose(k, t)) for k, t in keys} if loose else keys

        gold = pairs((g["type"], g["text"]) for g in row["gold"])
        ours = pairs((kind, text) for kind, text, inner in found if not inner)
        for kind in TYPES:
            g = {p for p in gold if p[0] == kind}
            f = {p for p in ours if p[0] == kind}
            scores[kind].add(Scores(len(g & f), len(f - g), len(g - f)))
        if "nested" in row:
            g = pairs((n["type"], n["text"]) for n in row["nested"])
            f = pairs((kind, text) for kind, text, inner in found if inner)
            nested.add(Scores(len(g & f), len(f - g), len(g - f)))
    return scores, nested


def micro(scores: dict[str, Scores], kinds: tuple[str, ...] = CORE) -> Scores:
    total = Scores()
    for kind in kinds:
        total.add(scores[kind])
    return total


def ours(text: str) -> Found:
    """Our extractor, paragraph by paragraph (records hold paragraphs split by blank lines)."""
    from crawler.nlp.entities import extract_many, police_news

    paragraphs = [p for p in re.split(r"\n\s*\n", text) if p.strip()]
    police = [police_news(paragraphs)] * len(paragraphs)  # a record is one article's text
    return [
        (m.type, m.text, m.inside is not None)
        for found in extract_many(paragraphs, police)
        for m in found
    ]


def plain_underthesea(text: str) -> Found:
    """underthesea.ner as it ships, its BIO tags joined into spans."""
    from underthesea import ner

    spans: Found = []
    for paragraph in re.split(r"\n\s*\n", text):
        if not paragraph.strip():
            continue
        kind, words = "", []
        for word, _pos, _chunk, tag in [*ner(paragraph), ("", "", "", "O")]:
            if tag.startswith("I-") and tag[2:] == kind:
                words.append(word)
                continue
            if words:
                spans.append((kind, " ".join(words), False))
            kind, words = (tag[2:], [word]) if tag != "O" else ("", [])
    return spans
