"""Fixture sites for `crawler sites check`: one that works, one whose listing moved, one
whose listing changed layout (its links found only by the fallback), one whose robots.txt
shuts every crawler out, one slow, one down; and a page of each CMS family for
`crawler sites detect`. Built from the same markup as the crawl's fixtures."""

from __future__ import annotations

from testkit import PROJECT
from testkit.sites import markup
from testkit.sites.catalog import CAND, LAICHAU, QUANGBINH, THAIBINH
from testkit.sites.markup import Story
from testkit.sites.server import FixtureSite, Route, html, serve

HOSTS = {"healthy": "127.0.0.21", "moved": "127.0.0.22", "blocked": "127.0.0.23",
         "slow": "127.0.0.26", "relaid": "127.0.0.27", "pages": "127.0.0.25"}  # fmt: skip
DOWN_HOST = "127.0.0.24"  # nothing listens on the port it is given

HEALTHY_LISTING = "/savefile/an-ninh-trat-tu/"
HEALTHY_FEED = "/vi/news/rss/"
# The legacy portal moved its listing: the old address answers 404, the new one is
# where `crawler sites add` points the entry; its news index got a layout the legacy
# selectors do not know.
MOVED_OLD = "/tin-tuc/an-ninh-trat-tu?p=1"
MOVED_NEW = "/tin-tuc/an-ninh-trat-tu/"
MOVED_RELAID = "/tin-tuc/"
MOVED_STORIES = [
    THAIBINH[0],
    Story(
        "/tin-tuc/an-ninh-trat-tu/503/bat-giu-doi-tuong-cuop-giat",
        "Bắt giữ đối tượng cướp giật tài sản trên quốc lộ",
        [
            "Công an huyện Đông Hưng đã bắt giữ đối tượng cướp giật túi xách của một phụ nữ "
            "đang lưu thông trên quốc lộ 10.",
            "Tại cơ quan Công an, đối tượng đã khai nhận toàn bộ hành vi phạm tội của mình.",
        ],
        date_text="06/01/2022",
        author="Thái Hòa",
    ),
]
# A NukeViet listing in a theme the profile's selectors do not know: its article links
# are there, found by the crawl's link discovery only.
RELAID_LISTING = "/vi/news/an-ninh/"
BLOCKED_LISTING = "/category/tin-tuc/"
SLOW_LISTING = "/danh-muc/tin-tuc/"
# One page of each family, as `crawler sites detect` is given it.
FAMILY_PAGES = {
    "nukeviet": "/trang/nukeviet.html",
    "wordpress": "/trang/wordpress/",
    "legacy_portal": "/trang/legacy/101/bai-viet",
    "liferay": "/web/guest/-/bai-viet-liferay",
    "cand": "/Phap-luat/bai-viet-i700009/",
}
NUKEVIET_LISTING = "/trang/danh-muc/"
PROVINCES = {"healthy": "Lai Châu", "moved": "Thái Bình", "blocked": "Quảng Bình",
             "slow": "Sơn La", "relaid": "Điện Biên", "down": "Hà Giang"}  # fmt: skip
PROFILES = {"healthy": "nukeviet", "moved": "legacy_portal", "blocked": "wordpress",
            "slow": "wordpress", "relaid": "nukeviet", "down": "generic"}  # fmt: skip


def start_health_sites() -> dict[str, FixtureSite]:
    """Serve every fixture site of this module (the down one has no server)."""
    sites = {name: serve(FixtureSite(name, host, {})) for name, host in HOSTS.items()}
    _healthy(sites["healthy"])
    _moved(sites["moved"])
    _blocked(sites["blocked"])
    _slow(sites["slow"])
    _relaid(sites["relaid"])
    _pages(sites["pages"])
    return sites


def _healthy(site: FixtureSite) -> None:
    stories = LAICHAU[:3]
    routes = {"/robots.txt": Route(b"User-agent: *\nDisallow: /private/\n", "text/plain")}
    teasers = [(s.title, s.path) for s in stories]
    routes[HEALTHY_LISTING] = html(
        markup.nukeviet_listing("An ninh trật tự", teasers, [HEALTHY_LISTING], 1)
    )
    for story in stories:
        routes[story.path] = html(markup.nukeviet_article(story, site.base))
    feed = [(s.title, site.base + s.path, "Sat, 30 Mar 2024 20:15:00 +0700") for s in stories]
    routes[HEALTHY_FEED] = Route(markup.rss("Lai Châu", feed).encode(), "application/rss+xml")
    site.routes.update(routes)


def _moved(site: FixtureSite) -> None:
    teasers = [(s.title, s.path) for s in MOVED_STORIES]
    site.routes[MOVED_NEW] = html(markup.legacy_listing(teasers, [MOVED_NEW]))
    relaid = "".join(
        f'<li class="news-card"><span>{s.title}</span></li>' for s in MOVED_STORIES
    )  # the new layout loads its links by script: none in the HTML
    site.routes[MOVED_RELAID] = html(markup.page("Tin tức", f'<ul id="news">{relaid}</ul>'))
    for story in MOVED_STORIES:
        site.routes[story.path] = html(markup.legacy_article(story))


def _relaid(site: FixtureSite) -> None:
    cards = "".join(
        f'<div class="card-news"><a class="card-link" href="{s.path}">{s.title}</a></div>'
        for s in LAICHAU[:2]
    )
    site.routes[RELAID_LISTING] = html(markup.page("An ninh", f'<main class="grid">{cards}</main>'))
    for story in LAICHAU[:2]:
        site.routes[story.path] = html(markup.nukeviet_article(story, site.base))


def _wordpress(site: FixtureSite, listing: str) -> None:
    teasers = [(s.title, s.path) for s in QUANGBINH]
    site.routes[listing] = html(markup.wordpress_listing("Tin tức", teasers, None))
    for story in QUANGBINH:
        when = f"2021-12-0{QUANGBINH.index(story) + 1}T07:30:00+07:00"
        site.routes[story.path] = html(markup.wordpress_article(story, site.base, when))


def _blocked(site: FixtureSite) -> None:
    site.routes["/robots.txt"] = Route(b"User-agent: *\nDisallow: /\n", "text/plain")
    _wordpress(site, BLOCKED_LISTING)


def _slow(site: FixtureSite) -> None:
    """A WordPress site that answers, each page after the delay a test sets."""
    _wordpress(site, SLOW_LISTING)


def slow_down(site: FixtureSite, seconds: float) -> None:
    for route in site.routes.values():
        route.delay = seconds


def _pages(site: FixtureSite) -> None:
    base = site.base
    site.routes |= {
        FAMILY_PAGES["nukeviet"]: html(markup.nukeviet_article(LAICHAU[0], base)),
        FAMILY_PAGES["wordpress"]: html(markup.wordpress_article(QUANGBINH[0], base)),
        FAMILY_PAGES["legacy_portal"]: html(markup.legacy_article(THAIBINH[0])),
        FAMILY_PAGES["liferay"]: Route(
            (PROJECT / "testkit" / "sites" / "liferay_article.html").read_bytes()
        ),
        FAMILY_PAGES["cand"]: html(markup.cand_article(CAND[0])),
        NUKEVIET_LISTING: html(
            markup.nukeviet_listing(
                "Tin", [(s.title, s.path) for s in LAICHAU[:2]], [NUKEVIET_LISTING], 1
            )
        ),
    }


def health_registry(sites: dict[str, FixtureSite], down_port: int) -> str:
    """A registry of the health fixture sites, as a user would write it."""
    starts = {
        "healthy": [("listing", HEALTHY_LISTING), ("feed", HEALTHY_FEED)],
        "moved": [("listing", MOVED_OLD), ("listing", MOVED_RELAID)],
        "blocked": [("listing", BLOCKED_LISTING)],
        "slow": [("listing", SLOW_LISTING)],
        "relaid": [("listing", RELAID_LISTING)],
        "down": [("listing", "/tin-tuc/")],
    }
    lines = ["sites:"]
    for name, points in starts.items():
        base = f"http://{DOWN_HOST}:{down_port}" if name == "down" else sites[name].base
        lines += [
            f"  - id: {name}", f"    name: Công an {PROVINCES[name]}",
            f"    province: {PROVINCES[name]}", f"    hosts: ['{base.split('//')[1]}']",
            f"    profile: {PROFILES[name]}", "    start:",
            *(f'      - {kind}: "{base}{path}"' for kind, path in points),
        ]  # fmt: skip
    return "\n".join(lines) + "\n"
