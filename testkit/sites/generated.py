"""Fixture sites of any size: one CMS family, N generated seed-size articles (no two
alike, testkit/corpus.py) on listing pages of 20, for benchmarks and long-running tests."""

from __future__ import annotations

from testkit.corpus import article
from testkit.sites import markup
from testkit.sites.markup import Story
from testkit.sites.server import FixtureSite, html, serve


def story(family: str, number: int, size: int = 600) -> Story:
    title, paragraphs = article(number, size)
    return Story(
        path=f"/tin-tuc/{family}-bai-viet-so-{number}-{1000 + number}.html",
        title=title,
        paragraphs=paragraphs,
        date_text="Thứ tư - 27/03/2024 08:42",
        lead="Tóm tắt bài viết.",
        author="Minh Hằng",
    )


def build(family: str, host: str, count: int) -> FixtureSite:
    site = serve(FixtureSite(family, host, {}))
    stories = [story(family, n) for n in range(count)]
    pages = [f"/danh-muc/trang-{p}/" for p in range((count + 19) // 20)]
    for index, path in enumerate(pages):
        teasers = [(s.title, s.path) for s in stories[index * 20 : index * 20 + 20]]
        if family == "nukeviet":
            listing = markup.nukeviet_listing("Tin", teasers, pages, index + 1)
        else:
            nxt = pages[index + 1] if index + 1 < len(pages) else None
            listing = markup.wordpress_listing("Tin", teasers, nxt)
        site.routes[path] = html(listing)
    for s in stories:
        page = (
            markup.nukeviet_article(s, site.base)
            if family == "nukeviet"
            else markup.wordpress_article(s, site.base, "2024-03-27T08:42:00+07:00")
        )
        site.routes[s.path] = html(page)
    return site


def registry_yaml(sites: list[FixtureSite]) -> str:
    """A site registry for the generated sites: one listing start point each."""
    lines = ["sites:"]
    for site in sites:
        lines += [
            f"  - id: {site.name}", f"    name: {site.name}", "    province: Lai Châu",
            f"    hosts: ['{site.host}:{site.port}']", f"    profile: {site.name}",
            "    max_pages: 1000", "    start:", f"      - listing: {site.base}/danh-muc/trang-0/",
        ]  # fmt: skip
    return "\n".join(lines) + "\n"
