"""Article links and dates out of the RSS/Atom feeds the portals serve, malformed or not.

feedparser reads the feed: RSS 0.9x-2.0 and Atom, wrong encoding declarations, bare "&",
truncated ends, relative links, RFC 822 dates. Dates stay partly ours, as feedparser gets the
portals' wrong: it misreads day-first "27-03-2024" (as 2027-03-20) and cannot read
"27/03/2024 08:42", so ``crawler.dates`` reads those and ISO 8601 first; and it takes a stamp
with no zone, or with one it does not know ("ICT"), as UTC where the portals mean Vietnam time.
"""

from __future__ import annotations

import io
import logging
import re
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING

import feedparser

from crawler.dates import VIETNAM_TZ, parse_datetime

if TYPE_CHECKING:
    from time import struct_time

logger = logging.getLogger(__name__)

# The zone that ends an RFC 822 stamp: an offset or a name ("GMT", "EST", the local "ICT").
_ZONE = re.compile(r"(?:[+-]\d{2}:?\d{2}|[A-Z]+)\s*$", re.IGNORECASE)


def feed_entries(body: bytes, base_url: str = "") -> list[tuple[str, datetime | None]]:
    """(link, updated or published) of each RSS item or Atom entry; [] for anything else.

    Relative links are resolved against ``base_url``, the feed's own URL.
    """
    # A stream, not the bytes: feedparser fetches a str that names a URL, and opens a str or
    # bytes that names a file. The content type makes it read a feed without an encoding
    # declaration as UTF-8 (RFC 7303); the content location is its base for relative links.
    headers = {"content-type": "application/xml"}
    if base_url:
        headers["content-location"] = base_url
    parsed = feedparser.parse(io.BytesIO(body), response_headers=headers)
    if not parsed.get("version"):  # an HTML page, an error page, garbage
        return []
    entries = []
    for entry in parsed.entries:
        link = (entry.get("link") or "").strip()
        if link:
            entries.append((link, _entry_time(entry)))
    return entries


def _entry_time(entry: feedparser.FeedParserDict) -> datetime | None:
    for key in ("updated", "published"):
        # dict.get: FeedParserDict.get("updated") answers with "published", and warns.
        text, parsed = dict.get(entry, key) or "", dict.get(entry, f"{key}_parsed")
        if stamp := _feed_time(parsed, text):
            return stamp
    return None


def _feed_time(parsed: struct_time | None, text: str) -> datetime | None:
    """A feed's date in Vietnam time, or None when it has none that reads."""
    if found := parse_datetime(text):  # ISO 8601 and the portals' day-first forms
        return found[0]
    if parsed is not None:  # feedparser's reading, in UTC
        zone = _ZONE.search(text)
        known = zone is not None and zone.group().strip().upper() != "ICT"
        return datetime(*parsed[:6], tzinfo=UTC if known else VIETNAM_TZ).astimezone(VIETNAM_TZ)
    try:  # RFC 822 without a zone, which feedparser refuses
        value = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=VIETNAM_TZ)
    return value.astimezone(VIETNAM_TZ)
