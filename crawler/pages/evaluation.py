"""How well a reader takes the fields of article pages, on a corpus of pages with the
fields a human read from them (tests/data/pages/README.md describes the format)."""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from difflib import SequenceMatcher
from pathlib import Path
from typing import Any

from crawler.pages.generic import GenericArticlePage
from crawler.pages.html import decode_html
from crawler.pages.profiles import saved_article_page

PARAGRAPH_MATCH = 0.9  # two renderings of one paragraph (spaces around inline tags) match


@dataclass
class Reading:
    """What a reader took from one page; ``article`` False when it refused the page."""

    article: bool
    title: str = ""
    published: datetime | None = None
    precision: str | None = None
    authors: list[str] = field(default_factory=list)
    source: str | None = None  # the outlet of "Theo X" / "Nguồn: X"
    lead: str | None = None
    body: list[str] = field(default_factory=list)
    captions: list[str] = field(default_factory=list)
    category: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)


@dataclass
class Page:
    name: str
    html: bytes
    expected: dict[str, Any]


def load_pages(folder: Path) -> list[Page]:
    """Every NAME.html with its NAME.json, in name order."""
    pages = []
    for path in sorted(folder.glob("*.html")):
        expected = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
        pages.append(Page(path.stem, path.read_bytes(), expected))
    return pages


def ours(page: Page, generic_only: bool = False) -> Reading:
    """The project's reader as `crawler extract` runs it: the CMS family's profile when
    the page shows one, the generic reader otherwise (or always, ``generic_only``)."""
    url = page.expected["url"]
    if generic_only:
        reader = GenericArticlePage(url=url, body=page.html)
    else:
        reader = saved_article_page(url, page.html)
    if not reader.is_article():
        return Reading(article=False)
    item = reader.to_item()
    published = datetime.fromisoformat(item.published) if item.published else None
    return Reading(
        article=True, title=item.title, published=published,
        precision=item.published_precision, authors=item.authors, source=item.source_tag,
        lead=item.lead,
        body=item.body, captions=item.captions, category=item.category, tags=item.tags,
    )  # fmt: skip


def bare_trafilatura(page: Page) -> Reading:
    """trafilatura with its defaults, and htmldate for the date (as trafilatura users do)."""
    from htmldate import find_date
    from trafilatura import bare_extraction

    html = decode_html(page.html)
    document = bare_extraction(html, url=page.expected["url"], with_metadata=True)
    data = document.as_dict() if document else {}
    text = data.get("text") or ""
    if len(text) < 150:
        return Reading(article=False)
    stamp = find_date(html, extensive_search=True, original_date=True,
                      outputformat="%Y-%m-%d %H:%M")  # fmt: skip
    published = datetime.fromisoformat(stamp) if stamp else None
    precision = "minute" if published and (published.hour or published.minute) else "day"
    # Its text repeats the title and the description: those are not paragraphs it got wrong.
    shown = {_norm(data.get("title")), _norm(data.get("description"))}
    lines = [_norm(line) for line in text.splitlines() if _norm(line) not in shown]
    return Reading(
        article=True, title=data.get("title") or "", published=published, precision=precision,
        authors=[a.strip() for a in (data.get("author") or "").split(";") if a.strip()],
        lead=data.get("description"), body=[line for line in lines if line],
        category=list(data.get("categories") or []), tags=list(data.get("tags") or []),
    )  # fmt: skip


def _norm(text: str | None) -> str:
    return " ".join(unicodedata.normalize("NFC", text or "").split()).strip()


def _same(a: str | None, b: str | None) -> bool:
    a, b = _norm(a), _norm(b)
    if a == b:
        return True
    return bool(a and b) and SequenceMatcher(None, a, b, autojunk=False).ratio() >= 0.95


def _matched(predicted: list[str], expected: list[str]) -> int:
    """How many predicted paragraphs match an expected one (each used once)."""
    left = [_norm(e) for e in expected]
    hits = 0
    for text in (_norm(p) for p in predicted):
        for index, candidate in enumerate(left):
            if (
                candidate == text
                or SequenceMatcher(None, candidate, text, autojunk=False).ratio() >= PARAGRAPH_MATCH
            ):
                hits += 1
                del left[index]
                break
    return hits


def _same_list(predicted: list[str], expected: list[str]) -> bool:
    return len(predicted) == len(expected) == _matched(predicted, expected)


@dataclass
class Tally:
    right: int = 0
    total: int = 0

    def add(self, ok: bool) -> None:
        self.right += ok
        self.total += 1

    @property
    def score(self) -> float:
        return self.right / self.total if self.total else 1.0


def _expected_time(value: str | None) -> tuple[datetime | None, bool]:
    if not value:
        return None, False
    return datetime.fromisoformat(value), "T" in value


FIELDS = ("title", "day", "minute", "authors", "source", "lead", "captions", "category", "tags")


def score(pages: list[Page], read: Callable[[Page], Reading]) -> tuple[dict[str, float], list[str]]:
    """Figures per field, paragraph precision and recall, listings rejected, articles
    kept; and one line per miss, to see what went wrong."""
    tallies = {name: Tally() for name in (*FIELDS, "listings rejected", "articles kept")}
    hits = predicted_total = expected_total = 0
    misses: list[str] = []
    for page in pages:
        expected = page.expected
        got = read(page)
        if not expected["article"]:
            tallies["listings rejected"].add(not got.article)
            if got.article:
                misses.append(f"{page.name}: listing taken for an article")
            continue
        tallies["articles kept"].add(got.article)
        if not got.article:
            misses.append(f"{page.name}: article refused")
            expected_total += len(expected["body"])
            continue
        for name, ok, shown in _fields(expected, got):
            if ok is None:
                continue
            tallies[name].add(ok)
            if not ok:
                misses.append(f"{page.name}: {name}: {shown}")
        found = _matched(got.body, expected["body"])
        hits += found
        predicted_total += len(got.body)
        expected_total += len(expected["body"])
    figures = {name: round(t.score, 3) for name, t in tallies.items()}
    figures["paragraph precision"] = round(hits / predicted_total, 3) if predicted_total else 0.0
    figures["paragraph recall"] = round(hits / expected_total, 3) if expected_total else 0.0
    return figures, misses


def _fields(expected: dict[str, Any], got: Reading) -> Iterator[tuple[str, bool | None, str]]:
    when, has_time = _expected_time(expected.get("published"))
    got_day = got.published.date() if got.published else None
    yield "title", _same(got.title, expected["title"]), f"{got.title!r} != {expected['title']!r}"
    yield "day", got_day == (when.date() if when else None), f"{got_day} != {when and when.date()}"
    if has_time and when:
        stamp = (
            got.published and got.precision == "minute" and got.published.strftime("%Y-%m-%dT%H:%M")
        )
        yield (
            "minute",
            stamp == when.strftime("%Y-%m-%dT%H:%M"),
            f"{stamp} != {expected['published']}",
        )
    yield "authors", _same_list(got.authors, expected.get("authors") or []), (
        f"{got.authors} != {expected.get('authors')}")  # fmt: skip
    source_ok = _norm(got.source).lower() == _norm(expected.get("source")).lower()
    yield "source", source_ok, f"{got.source!r} != {expected.get('source')!r}"
    lead_ok = _same(got.lead, expected.get("lead")) if expected.get("lead") else not got.lead
    yield "lead", lead_ok, f"{(got.lead or '')[:60]!r} != {(expected.get('lead') or '')[:60]!r}"
    yield "captions", _same_list(got.captions, expected.get("captions") or []), (
        f"{len(got.captions)} found, {len(expected.get('captions') or [])} expected: "
        f"{[c[:30] for c in got.captions]}")  # fmt: skip
    yield "category", _same_list(got.category, expected.get("category") or []), (
        f"{got.category} != {expected.get('category')}")  # fmt: skip
    yield "tags", _same_list(got.tags, expected.get("tags") or []), (
        f"{got.tags[:5]} != {(expected.get('tags') or [])[:5]}")  # fmt: skip
