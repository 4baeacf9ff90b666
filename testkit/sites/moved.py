"""Fixture sites whose listing layout changed: the listing still answers 200, but its teasers
are now drawn by a script or sit in markup the profile's selectors do not match. What else
each site offers differs: a sitemap its robots.txt names, a feed its page head announces,
only article links in the new markup, nothing at all."""

from __future__ import annotations

from html import escape

from testkit.corpus import article
from testkit.sites import markup
from testkit.sites.markup import Story
from testkit.sites.server import FixtureSite, Route, html, serve, xml

# A site's articles: generated seed-size stories under the family's article URL shape.
SITEMAP_COUNT = 22  # more than one listing page's worth: max_pages 1 takes the newest 20
LISTING = {
    "moved_sitemap": "/vi/news/an-ninh/",
    "moved_feed": "/category/tin-tuc/",
    "moved_links": "/tin-tuc/an-ninh-trat-tu?p=1",
    "moved_empty": "/vi/news/thoi-su/",
}
SECOND_LISTING = "/vi/news/giao-thong/"  # moved_sitemap's other listing, moved as well
# Links a generic discovery must not follow on moved_links' listing; most have an
# article's shape (a slug and an id) in a place no article lives.
NOT_ARTICLES = [
    "/tin-tuc/giao-thong",  # a category
    "/tin-tuc/an-ninh-trat-tu?p=2",  # the next pages
    "/tin-tuc/an-ninh-trat-tu?p=3",
    "/tin-tuc/an-ninh-trat-tu/page-2/",
    "/tag/tin-an-ninh-trat-tu-123.html",
    "/gioi-thieu/lich-su-truyen-thong-cong-an-tinh-thai-binh-15.html",
    "/uploads/news/2024_03/bao-cao-tong-ket-cong-tac-nam-2024-15.pdf",
    "/images/banner-tuyen-truyen-phong-chong-ma-tuy-2024-20.jpg",
    "/tin-tuc/an-ninh-trat-tu/rss",
]
# Entries of moved_sitemap's sitemap that are no article: never fetched.
NOT_ARTICLE_ENTRIES = ["/", "/vi/news/phong-chay/", "/vi/news/tag/ma-tuy"]
TAXONOMY_SITEMAP = "/sitemaps/taxonomies-category.xml"
SITES = {  # name: (loopback address, profile)
    "moved_sitemap": ("127.0.0.31", "nukeviet"),
    "moved_feed": ("127.0.0.32", "wordpress"),
    "moved_links": ("127.0.0.33", "legacy_portal"),
    "moved_empty": ("127.0.0.34", "nukeviet"),
}
MAX_PAGES = {"moved_sitemap": 1}


def story(path: str, number: int, date_text: str = "Thứ tư - 27/03/2024 08:42") -> Story:
    title, paragraphs = article(number, 600)
    return Story(path, title, paragraphs, date_text=date_text, author="Minh Hằng")


SITEMAP_STORIES = [
    story(f"/vi/news/an-ninh/tin-an-ninh-so-{n}-{300 + n}.html", 300 + n)
    for n in range(SITEMAP_COUNT)
]
FEED_STORIES = [
    story(f"/bai-viet-so-{n}-ve-cong-tac-bao-dam-an-ninh-trat-tu-tai-dia-phuong/", 400 + n)
    for n in range(3)
]
LINK_STORIES = [
    story(f"/tin-tuc/an-ninh-trat-tu/{600 + n}/tin-an-ninh-trat-tu-so-{n}", 600 + n, "04/01/2022")
    for n in range(3)
]
# The articles a crawl must index: the 20 newest of the sitemap (lastmod grows with n).
EXPECTED = {
    "moved_sitemap": SITEMAP_STORIES[SITEMAP_COUNT - 20 :],
    "moved_feed": FEED_STORIES,
    "moved_links": LINK_STORIES,
}


def scripted_listing(title: str, api: str, head: str = "") -> str:
    """A listing whose teasers a script draws from a JSON API: nothing to select."""
    body = (
        '<nav class="menu-main"><a href="/vi/news/an-ninh/">An ninh</a>'
        '<a href="/vi/news/giao-thong/">Giao thông</a></nav>'
        f'<main><h1 class="cat-title">{escape(title)}</h1>'
        f'<div id="news-list" data-api="{api}"><p class="loading">Đang tải…</p></div>'
        '<script src="/themes/v2/js/news-list.js"></script></main>'
    )
    return markup.page(title, body, head)


def card_listing(title: str, cards: list[tuple[str, str]], others: list[str]) -> str:
    """A listing in a new theme's card markup, with menus, a pager, files and the usual
    links around the cards."""
    items = "".join(
        f'<div class="news-card"><a class="thumb" href="{href}"><img src="/images/t.jpg"></a>'
        f'<div class="card-body"><a class="card-title" href="{href}">{escape(t)}</a>'
        '<span class="date">04/01/2022</span></div></div>'
        for t, href in cards
    )
    around = "".join(f'<li><a href="{href}">{escape(href)}</a></li>' for href in others)
    body = (
        f'<main><h1>{escape(title)}</h1><div class="news-grid">{items}</div>'
        f'<ul class="links">{around}</ul>'
        '<a href="javascript:void(0)">In</a><a href="mailto:ca@example.vn">Thư</a></main>'
    )
    return markup.page(title, body)


def populate(site: FixtureSite, other: FixtureSite | None = None) -> None:
    """The routes of one moved site; ``other`` is a site whose article-shaped link
    moved_links shows (an offsite link discovery must not follow)."""
    base, routes = site.base, {}
    if site.name == "moved_sitemap":
        routes["/robots.txt"] = Route(
            f"User-agent: *\nDisallow: /admin/\nSitemap: {base}/sitemaps/index.xml\n".encode(),
            "text/plain",
        )
        routes[LISTING[site.name]] = html(scripted_listing("An ninh", "/api/news?cat=an-ninh"))
        routes[SECOND_LISTING] = html(scripted_listing("Giao thông", "/api/news?cat=giao-thong"))
        for story_ in SITEMAP_STORIES:
            routes[story_.path] = html(markup.nukeviet_article(story_, base))
        halves = [SITEMAP_STORIES[:11], SITEMAP_STORIES[11:]]
        children = ["/sitemaps/news-1.xml", "/sitemaps/news-2.xml", TAXONOMY_SITEMAP]
        routes["/sitemaps/index.xml"] = xml(markup.sitemap_index([base + c for c in children]))
        for number, (child, half) in enumerate(zip(children, halves, strict=False)):
            entries = [
                (base + s.path, f"2024-03-{1 + number * 11 + i:02d}T08:00:00+07:00")
                for i, s in enumerate(half)
            ]
            if number == 0:
                entries += [(base + p, "2024-04-30T08:00:00+07:00") for p in NOT_ARTICLE_ENTRIES]
            routes[child] = xml(markup.sitemap(entries))
        routes[TAXONOMY_SITEMAP] = xml(markup.sitemap([(base + "/vi/news/an-ninh/", "")]))
        for path in NOT_ARTICLE_ENTRIES[1:]:
            routes[path] = html(markup.page("Danh mục", "<p>Danh mục</p>"))
    elif site.name == "moved_feed":
        feed = "/tin-tuc.rss"
        head = f'<link rel="alternate" type="application/rss+xml" title="Tin tức" href="{feed}">'
        routes[LISTING[site.name]] = html(scripted_listing("Tin tức", "/wp-json/x/v1/news", head))
        for story_ in FEED_STORIES:
            routes[story_.path] = html(
                markup.wordpress_article(story_, base, "2024-03-27T08:42:00+07:00")
            )
        items = [(s.title, base + s.path, "Wed, 27 Mar 2024 08:42:00 +0700") for s in FEED_STORIES]
        routes[feed] = Route(markup.rss("Tin tức", items).encode(), "application/rss+xml")
    elif site.name == "moved_links":
        offsite = other.base + "/tin-tuc/an-ninh-trat-tu/699/tin-cua-trang-khac" if other else ""
        cards = [(s.title, s.path) for s in LINK_STORIES] + (
            [("Tin khác", offsite)] if offsite else []
        )
        routes[LISTING[site.name]] = html(card_listing("An ninh trật tự", cards, NOT_ARTICLES))
        for story_ in LINK_STORIES:
            routes[story_.path] = html(markup.legacy_article(story_))
        for path in NOT_ARTICLES:
            routes[path] = html(markup.page("Không phải bài viết", "<p>Trang khác</p>"))
    elif site.name == "moved_empty":
        routes[LISTING[site.name]] = html(scripted_listing("Thời sự", "/api/news?cat=thoi-su"))
    site.routes.update(routes)


def start_moved_sites() -> dict[str, FixtureSite]:
    sites = {name: serve(FixtureSite(name, host, {})) for name, (host, _) in SITES.items()}
    for name, site in sites.items():
        populate(site, sites["moved_feed"] if name == "moved_links" else None)
    return sites


def registry_entries(sites: dict[str, FixtureSite]) -> str:
    """The moved sites as entries under a registry's ``sites:``, each with only its listing
    as start point (moved_sitemap with two)."""
    lines = []
    for name, (_host, profile) in SITES.items():
        site = sites[name]
        lines += [
            f"  - id: {name}", f"    name: Công an {name}", "    province: Lai Châu",
            f"    hosts: ['{site.host}:{site.port}']", f"    profile: {profile}",
        ]  # fmt: skip
        if name in MAX_PAGES:
            lines.append(f"    max_pages: {MAX_PAGES[name]}")
        lines += ["    start:", f'      - listing: "{site.base}{LISTING[name]}"']
        if name == "moved_sitemap":
            lines.append(f'      - listing: "{site.base}{SECOND_LISTING}"')
    return "\n".join(lines) + "\n"
