"""The tally of a listing fallback (crawler.spiders.police): the article links each source
gave, what gave nothing and why, and the note and failure the run's report gets from it."""

from __future__ import annotations

from dataclasses import dataclass, field

# The sources of a fallback, in the words of the report.
SOURCES = {"sitemap": "from the sitemap", "feed": "from the feed", "links": "by link discovery"}


@dataclass
class Fallback:
    """One listing page's fallback. A site's first reads its sitemaps and feeds; a later
    empty listing of the same run only its own links (``earlier`` is the first)."""

    listing: str
    limit: int  # article links at most: what the site's max_pages of listings would give
    earlier: Fallback | None = None
    taken: dict[str, int] = field(default_factory=lambda: dict.fromkeys(SOURCES, 0))
    seen: set[str] = field(default_factory=set)
    fetched: set[str] = field(default_factory=set)
    tried: list[str] = field(default_factory=list)  # "URL: why it gave nothing"
    done: bool = False

    def take(self, source: str, url: str) -> bool:
        """True for a link not taken yet, while under the limit (then counted)."""
        if url in self.seen or len(self.seen) >= self.limit:
            return False
        self.seen.add(url)
        self.taken[source] += 1
        return True

    def failed(self) -> bool:
        """No source gave a link; a later listing fails only when the site's first
        fallback, done, found none either (its sitemaps and feeds stand for the site)."""
        if self.seen:
            return False
        return self.earlier is None or (self.earlier.done and not self.earlier.seen)

    def message(self, profile: str) -> str:
        """The note: what each source gave, or why none gave anything."""
        head = f"listing {self.listing} gave no article links with the {profile} selectors"
        if self.failed():
            why = f" ({'; '.join(self.tried)})" if self.tried else ""
            return f"{head}, and the fallback found none either{why}"
        sources = ["links"] if self.earlier else list(SOURCES)
        counts = [f"{self.taken[s]} {SOURCES[s]}" for s in sources]
        text = f"{head}; took {counts[0].replace(' ', ' article links ', 1)}"
        text += "".join(f", {c}" for c in counts[1:])
        if self.earlier:
            text += f" (sitemaps and feeds are read once a run: for {self.earlier.listing})"
        if len(self.seen) >= self.limit:
            text += f" (the limit: {self.limit} links, as many as max_pages listing pages hold)"
        return text

    def reason(self, profile: str) -> str:
        """The failure's reason when no source gave an article link."""
        why = f": {'; '.join(self.tried)}" if self.tried else ""
        return (
            f"listing page has no article links with the {profile} selectors, and its "
            f"sitemaps, feeds and link discovery gave none either{why}"
        )
