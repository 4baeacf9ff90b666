"""The plain-text seed format: a ` date YYYY-MM <title>` line, then paragraphs."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date, datetime

from crawler.dates import find_dates, iso_vietnam, refine_month
from crawler.items import Article
from crawler.manifest import SeedMeta
from crawler.text import is_caption, parse_credit, split_paragraphs

_HEADER = re.compile(r"^\s*date\s+(?P<year>\d{4})-(?P<month>\d{2})\s+(?P<title>\S.*)$")


class SeedFormatError(ValueError):
    """A seed file that cannot become an article; the message names file and reason."""


MB = 1024 * 1024


def size_refusal(size: int | None, limit: int, setting: str, what: str = "page") -> str:
    """Why an input of `size` bytes (None: unknown) is refused: "page of 30 MB is over
    MAX_PAGE_BYTES (5 MB)"; in bytes when megabytes would not show the difference."""

    def megabytes(count: int) -> str:
        return f"{count / MB:.1f}".removesuffix(".0") + " MB"

    in_megabytes = limit >= MB and (size is None or megabytes(size) != megabytes(limit))
    unit = megabytes if in_megabytes else (lambda count: f"{count} bytes")
    subject = what if size is None else f"{what} of {unit(size)}"
    return f"{subject} is over {setting} ({unit(limit)})"


def article_id(key: str) -> str:
    """Stable document id: SHA-1 of the canonical URL (or the seed key)."""
    return hashlib.sha1(key.encode("utf-8")).hexdigest()


def decode_seed(name: str, body: bytes) -> str:
    """The seed's text; empty, binary and non-UTF-8 files raise SeedFormatError."""
    if not body.strip():
        raise SeedFormatError(f"{name}: empty file")
    if b"\x00" in body:
        raise SeedFormatError(f"{name}: binary file (contains NUL bytes), not a text seed")
    try:
        return body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SeedFormatError(
            f"{name}: not UTF-8 text (byte 0x{body[exc.start]:02x} at offset {exc.start}); "
            "re-save the file as UTF-8"
        ) from exc


@dataclass
class SeedArticlePage:
    """One seed file and its manifest entry; ``to_item`` makes the Article."""

    name: str
    body: bytes
    meta: SeedMeta
    fetched_at: datetime

    def to_item(self) -> Article:
        text = decode_seed(self.name, self.body)
        first_line, _, rest = text.lstrip("\n").partition("\n")
        header = _HEADER.match(first_line)
        if not header:
            raise SeedFormatError(
                f"{self.name}: first line must be ' date YYYY-MM <title>', got {first_line[:60]!r}"
            )
        year, month = int(header["year"]), int(header["month"])
        if not 1 <= month <= 12:
            raise SeedFormatError(f"{self.name}: header month {month} is not 01-12")
        paragraphs = split_paragraphs(rest)
        if not paragraphs:
            raise SeedFormatError(f"{self.name}: no paragraphs after the header line")

        authors = parse_credit(paragraphs[-1]) or []
        if authors:
            paragraphs = paragraphs[:-1]
        body = [p for p in paragraphs if not is_caption(p)]
        captions = [p for p in paragraphs if is_caption(p)]

        day = refine_month(year, month, body[0]) if body else None
        published = day or date(year, month, 1)
        event_dates = sorted({d for p in body for d in find_dates(p, published)})
        url = self.meta.url or f"seed:{self.name}"
        return Article(
            id=article_id(url),
            url=url,
            source="seed",
            site=self.meta.site,
            province=self.meta.province,
            province_current=self.meta.province_current,
            title=header["title"].strip(),
            body=body,
            captions=captions,
            authors=authors,
            published=iso_vietnam(published),
            published_precision="day" if day else "month",
            event_dates=[d.isoformat() for d in event_dates],
            fetched_at=self.fetched_at.isoformat(timespec="seconds"),
            seed_path=self.name,
        )
