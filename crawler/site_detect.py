"""Which extraction profile reads a page: the page read with every profile, side by side,
so a user adding a site sees what each would give and takes the one that works."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from crawler.pages.html import decode_html
from crawler.pages.profiles import PROFILES, article_page_class, detect_profile, listing_page_class


@dataclass(frozen=True)
class Reading:
    """What one profile found on the page. ``own_selectors``: the family's body selector
    matched (not only the generic reader's guess); ``links``: article links its listing
    selectors find; ``refusal``: why it is no article for that profile, or None."""

    profile: str
    title: str
    published: str | None
    body_chars: int
    authors: list[str]
    own_selectors: bool
    links: int
    refusal: str | None


@dataclass(frozen=True)
class Detection:
    """The profile that reads the page (None when none does), what the markup's signature
    says, whether the page is an article or a listing, and every profile's reading."""

    url: str
    profile: str | None
    signature: str
    kind: str | None  # "article", "listing", or None when no profile reads it
    readings: list[Reading]

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "readings": [asdict(r) for r in self.readings]}


def read_with(
    profile: str, url: str, body: bytes, encoding: str | None = None,
    selectors: dict[str, str] | None = None, date_format: str | None = None,
) -> Reading:  # fmt: skip
    """The page as the crawl would read it with ``profile`` (and a site's overrides)."""
    page = article_page_class(profile)(
        url=url, body=body, encoding=encoding, selectors=selectors or {}, date_format=date_format
    )
    listing = listing_page_class(profile)(
        url=url, body=body, encoding=encoding, selectors=selectors or {}
    )
    refusal = page.refusal()
    item = page.to_item() if refusal is None else None
    return Reading(
        profile=profile,
        title=page.title,
        published=item.published if item else None,
        body_chars=sum(len(p) for p in item.body) if item else 0,
        authors=item.authors if item else [],
        own_selectors=profile != "generic" and page.body_node is not None,
        links=len(listing.article_urls()),
        refusal=refusal,
    )


def detect(url: str, body: bytes, encoding: str | None = None) -> Detection:
    """Read the page with each profile and pick one: for an article, the family its
    markup names when that family reads it, else a family whose own selectors read it,
    else the generic reader; for a listing, the same order by the links found."""
    signature = detect_profile(decode_html(body, encoding))
    readings = [read_with(profile, url, body, encoding) for profile in PROFILES]
    by_name = {r.profile: r for r in readings}
    if any(r.refusal is None for r in readings):
        return Detection(url, _article_profile(by_name, signature), signature, "article",
                         readings)  # fmt: skip
    if any(r.links for r in readings):
        return Detection(url, _listing_profile(by_name, signature), signature, "listing",
                         readings)  # fmt: skip
    return Detection(url, None, signature, None, readings)


def _article_profile(by_name: dict[str, Reading], signature: str) -> str:
    def reads(reading: Reading) -> bool:
        return reading.refusal is None and (reading.own_selectors or reading.profile == "generic")

    if signature != "generic" and reads(by_name[signature]):
        return signature
    family = next((r for r in by_name.values() if r.profile != "generic" and reads(r)), None)
    if family:
        return family.profile
    if reads(by_name["generic"]):
        return "generic"
    return next(r.profile for r in by_name.values() if r.refusal is None)


def _listing_profile(by_name: dict[str, Reading], signature: str) -> str:
    if signature != "generic" and by_name[signature].links:
        return signature
    families = [r for r in by_name.values() if r.profile != "generic" and r.links]
    if families:
        return max(families, key=lambda r: r.links).profile  # the first of equals
    return "generic"
