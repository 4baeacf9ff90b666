"""What `crawler sites check` saw of a site, and its verdict in a few words: types and
pure functions, so the command, the state file and tests read them without a crawl."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any
from urllib.parse import urlsplit

OK, WARN, FAIL = "ok", "warn", "fail"
ROBOTS_REFUSAL = "disallowed by robots.txt"  # a start point robots.txt keeps us from


@dataclass
class HostCheck:
    """A host of the site's start points: did it answer, and what its robots.txt says."""

    host: str
    connect: str = "no answer"  # "ok", or why not
    robots: str = ""


@dataclass
class StartCheck:
    """One start point: its answer and the article links it led to. ``listing_links``:
    what the listing's own selectors found (a fallback may find others)."""

    kind: str
    url: str
    status: int | None = None
    final_url: str | None = None
    links: int = 0
    listing_links: int | None = None
    error: str | None = None


@dataclass
class ArticleCheck:
    """One article read with the site's profile."""

    url: str
    status: int | None = None
    title: str = ""
    published: str | None = None
    body_chars: int = 0
    authors: list[str] = field(default_factory=list)
    error: str | None = None

    @property
    def read(self) -> bool:
        return bool(self.title and self.body_chars and not self.error)


@dataclass
class SiteCheck:
    """What the check saw of one site, and its verdict: ok, warn (it works, something
    is off), fail (no article can be had from it), with the reason in a few words."""

    site: str
    hosts: list[HostCheck]
    start: list[StartCheck]
    articles: list[ArticleCheck] = field(default_factory=list)
    seconds: float = 0.0
    timed_out: bool = False
    status: str = FAIL
    reason: str = ""
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        for article, checked in zip(data["articles"], self.articles, strict=True):
            article["read"] = checked.read
        return data


def verdict(check: SiteCheck) -> tuple[str, str]:
    """ok, warn or fail, and why in a few words ("listing moved (HTTP 404), 0 links")."""
    down = [h for h in check.hosts if h.connect not in ("ok", "no answer")]
    if check.hosts and len(down) == len(check.hosts):
        return FAIL, "down: " + "; ".join(f"{h.host} {h.connect}" for h in down)
    hosts = {h.host: h for h in check.hosts}
    problems = [_start_problem(p, hosts) for p in check.start]
    problems = list(dict.fromkeys(p for p in problems if p))
    if not any(p.links for p in check.start):
        if check.start and all(p.error == ROBOTS_REFUSAL for p in check.start):
            return FAIL, "robots.txt disallows every start point"
        return FAIL, "; ".join(problems) + ", 0 links"
    read = [a for a in check.articles if a.read]
    if not read:
        errors = list(dict.fromkeys(a.error or "no title or body" for a in check.articles))
        if not errors and check.timed_out:
            return FAIL, "no article read within the check's time bound (--timeout)"
        return FAIL, "articles not read: " + ("; ".join(errors[:2]) or "none fetched")
    problems += [f"article {a.url}: {a.error or 'no title or body'}"
                 for a in check.articles if not a.read]  # fmt: skip
    if any(not a.published for a in read):
        problems.append("no date found in an article")
    if check.timed_out and len(read) < len(check.articles):
        problems.append("stopped at the check's time bound")
    return (WARN, "; ".join(problems)) if problems else (OK, "")


def _start_problem(point: StartCheck, hosts: dict[str, HostCheck]) -> str:
    host = hosts.get(urlsplit(point.url).netloc.lower())
    if host and host.connect not in ("ok", "no answer"):
        return f"{point.kind} at {host.host}: {host.connect}"
    moved = f" (redirected to {point.final_url})" if point.final_url else ""
    if point.error in ("HTTP 404", "HTTP 410"):
        return f"{point.kind} moved ({point.error})"
    if point.error and (point.status is None or point.status >= 400):
        return f"{point.kind}: {point.error}{moved}"
    if point.status is None:
        return f"{point.kind}: no answer within the check's time bound"
    if not point.links:  # it answered: the page has none (or is no feed, no sitemap)
        if point.kind == "listing":
            return f"listing has no article links{moved}"
        return f"{point.kind}: {point.error or 'no article links'}{moved}"
    if point.kind == "listing" and point.listing_links == 0:
        return f"listing selectors found no article links ({point.links} found other ways)"
    return ""
