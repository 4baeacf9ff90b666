"""A site whose listing layout changed costs freshness, not the site: the crawl falls back to
its sitemaps, feeds and article-like links, indexes what they give, and the report says so."""

from __future__ import annotations

import gzip
import json
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from elasticsearch import Elasticsearch
from scrapy.http import XmlResponse
from scrapy.robotstxt import ProtegoRobotParser
from scrapy.utils.test import get_crawler

from crawler.discovery import (
    article_links,
    feed_links,
    parsed_robots_sitemaps,
    ranked,
    robots_sitemaps,
    sitemap_links,
    usual_feeds,
    usual_sitemaps,
)
from crawler.fallback import Fallback
from crawler.pages.nukeviet import NukeVietListingPage
from crawler.pages.urls import looks_like_article
from crawler.report import summary
from crawler.spiders.police import PoliceSpider
from testkit import PROJECT
from testkit.sites import catalog, moved
from testkit.sites.markup import sitemap, sitemap_index
from testkit.sites.server import FixtureSite, stop
from tests.conftest import FAST_CRAWL, drop_alias, free_port, run_cli, run_report

FAST = [*FAST_CRAWL, "-s", "NER_ENABLED=0"]
PAGES = PROJECT / "tests" / "data" / "pages"


@pytest.fixture(scope="module")
def crawled(es_url: str, tmp_path_factory) -> Iterator[tuple[dict[str, FixtureSite], dict, dict]]:
    """The healthy and broken fixture sites with the moved ones, crawled once."""
    sites = {**catalog.start_sites(), **moved.start_moved_sites()}
    folder = tmp_path_factory.mktemp("fallback")
    registry = folder / "sites.yaml"
    registry.write_text(
        catalog.registry_yaml(sites, free_port()) + moved.registry_entries(sites), encoding="utf-8"
    )
    env = {**os.environ, "ES_URL": es_url, "ES_INDEX": f"fallback-{uuid.uuid4().hex[:8]}",
           "CRAWLER_SITES": str(registry), "CRAWLER_SPOOL_DIR": str(folder / "spool"),
           "CRAWLER_RUNS_DIR": str(folder / "runs")}  # fmt: skip
    report, _ = run_report("crawl", *FAST, env=env)
    yield sites, env, report
    for site in sites.values():
        stop(site)
    drop_alias(es_url, env["ES_INDEX"])


def indexed_urls(es_url: str, alias: str, site: str) -> set[str]:
    client = Elasticsearch(es_url)
    client.indices.refresh(index=alias)
    query = {"term": {"site": site}}
    hits = client.search(index=alias, size=100, query=query)["hits"]["hits"]
    return {hit["_source"]["url"] for hit in hits}


def notes_of(report: dict, site: str) -> list[dict]:
    return [note for note in report["notes"] if note["site"] == site]


def expected_urls(sites: dict[str, FixtureSite], name: str) -> set[str]:
    return {sites[name].base + story.path for story in moved.EXPECTED[name]}


def test_a_sitemap_named_in_robots_txt_stands_in_for_a_moved_listing(crawled, es_url) -> None:
    sites, env, report = crawled
    site = sites["moved_sitemap"]
    assert indexed_urls(es_url, env["ES_INDEX"], "moved_sitemap") == expected_urls(
        sites, "moved_sitemap"
    )
    # max_pages 1: as many links as one listing page holds, the newest; never the rest.
    for story in moved.SITEMAP_STORIES[:2]:
        assert site.requests[story.path] == 0, story.path
    for path in [*moved.NOT_ARTICLE_ENTRIES, moved.TAXONOMY_SITEMAP, "/sitemap.xml"]:
        assert site.requests[path] == 0, path
    # Two moved listings, one fallback to the sitemaps and feeds a run; the sitemaps its
    # robots.txt names come from the robots middleware's own reading of it.
    assert site.requests["/sitemaps/index.xml"] == 1
    assert site.requests["/robots.txt"] == 1
    notes = notes_of(report, "moved_sitemap")
    assert len(notes) == 2
    assert all(set(note) == {"site", "kind", "message"} for note in notes)
    assert {note["kind"] for note in notes} == {"listing_fallback"}
    (first,) = [n for n in notes if "from the sitemap" in n["message"]]
    listings = (moved.LISTING["moved_sitemap"], moved.SECOND_LISTING)
    listing = next(p for p in listings if f"listing {site.base}{p} " in first["message"])
    assert first["message"] == (
        f"listing {site.base}{listing} gave no article links with the nukeviet selectors; took "
        "20 article links from the sitemap, 0 from the feed, 0 by link discovery (the limit: "
        "20 links, as many as max_pages listing pages hold)"
    )
    (later,) = [n for n in notes if n is not first]
    assert later["message"].endswith(
        f"took 0 article links by link discovery (sitemaps and feeds are read once a run: "
        f"for {site.base}{listing})"
    )
    assert report["sites"]["moved_sitemap"]["failures"] == []
    assert f"note: [moved_sitemap] {first['message']}" in summary(report).splitlines()


def test_a_feed_announced_in_the_page_head_stands_in(crawled, es_url) -> None:
    sites, env, report = crawled
    site = sites["moved_feed"]
    assert indexed_urls(es_url, env["ES_INDEX"], "moved_feed") == expected_urls(sites, "moved_feed")
    assert site.requests["/tin-tuc.rss"] == 1
    (note,) = notes_of(report, "moved_feed")
    assert note["message"] == (
        f"listing {site.base}/category/tin-tuc/ gave no article links with the wordpress "
        "selectors; took 0 article links from the sitemap, 3 from the feed, 0 by link discovery"
    )
    assert report["sites"]["moved_feed"]["failures"] == []


def test_link_discovery_takes_the_article_links_and_nothing_else(crawled, es_url) -> None:
    sites, env, report = crawled
    site = sites["moved_links"]
    assert indexed_urls(es_url, env["ES_INDEX"], "moved_links") == expected_urls(
        sites, "moved_links"
    )
    for path in moved.NOT_ARTICLES:  # categories, pages, tags, files: never fetched
        assert site.requests[path] == 0, path
    assert sites["moved_feed"].requests["/tin-tuc/an-ninh-trat-tu/699/tin-cua-trang-khac"] == 0
    (note,) = notes_of(report, "moved_links")
    assert note["message"].endswith(
        "; took 0 article links from the sitemap, 0 from the feed, 3 by link discovery"
    )
    figures = report["sites"]["moved_links"]
    assert (figures["articles"], figures["not_article"], figures["failures"]) == (3, 0, [])


def test_a_site_whose_fallback_finds_nothing_fails_with_the_reason(crawled) -> None:
    sites, _, report = crawled
    base = sites["moved_empty"].base
    listing = base + moved.LISTING["moved_empty"]
    (failure,) = [f for f in report["failures"] if f["site"] == "moved_empty"]
    assert failure["url"] == listing
    assert failure["reason"].startswith(
        "listing page has no article links with the nukeviet selectors, and its sitemaps, "
        f"feeds and link discovery gave none either: {base}/vi/news/rss/thoi-su/: HTTP 404; "
    )
    assert f"{base}/sitemap.xml: HTTP 404" in failure["reason"]
    assert report["sites"]["moved_empty"]["failed_pages"] == 1
    (note,) = notes_of(report, "moved_empty")
    assert note["message"].startswith(
        f"listing {listing} gave no article links with the nukeviet selectors, and the "
        "fallback found none either ("
    )
    text = summary(report).splitlines()
    assert f"note: [moved_empty] {note['message']}" in text
    assert f"  failed: [moved_empty] {listing}: {failure['reason']}" in text


def test_healthy_sites_do_not_fall_back(crawled) -> None:
    sites, _, report = crawled
    healthy = ["laichau", "quangbinh", "thaibinh", "cand"]
    assert not [note for note in report["notes"] if note["site"] in healthy]
    for name in healthy:
        assert sites[name].requests["/sitemap.xml"] == 0, name
        assert sites[name].requests["/robots.txt"] == 1, name  # the robots middleware's only
        assert report["sites"][name]["articles"] >= len(catalog.EXPECTED[name]), name
    # The broken site's garbage at "/" fell back too: one failure for it, not one per URL
    # the fallback tried (beside its 503 and the host that is down).
    assert len(report["sites"]["broken"]["failures"]) == 3
    # Only the sites that lost their listings (and the broken one) fell back.
    assert {note["site"] for note in report["notes"]} == {
        "moved_sitemap", "moved_feed", "moved_links", "moved_empty", "broken",
    }  # fmt: skip


def test_a_second_run_skips_what_the_fallback_indexed_and_the_fallback_alone_is_no_failure(
    crawled,
) -> None:
    sites, env, _ = crawled
    names = ["moved_sitemap", "moved_feed", "moved_links"]
    before = {name: dict(sites[name].requests) for name in names}
    result = run_cli("crawl", *[a for n in names for a in ("--site", n)], *FAST, env=env)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    for name in names:
        assert f"note: [{name}] listing {sites[name].base}" in result.stdout
        for story in moved.EXPECTED[name]:  # already indexed: not fetched again
            assert sites[name].requests[story.path] == before[name][story.path], story.path
    assert "failed: 0" in result.stdout


# --- Link reading without a spider: what a crawl's fallback and a site check share -------


@pytest.mark.parametrize(
    ("url", "article"),
    [
        ("https://congan.laichau.gov.vn/savefile/an-ninh-trat-tu/bat-giu-doi-tuong-101.html", True),
        ("https://conganbackan.vn/vi/news/an-ninh/khoi-to-vu-an-2665.html", True),
        ("https://congan.thainguyen.gov.vn/tin-tuc/an-ninh/triet-pha-o-nhom-4146.html", True),
        ("https://conganthaibinh.gov.vn/tin-tuc/an-ninh-trat-tu/501/khoi-to-vu-an-lua-dao", True),
        ("https://cand.com.vn/Phap-luat/canh-bao-thu-doan-lua-dao-moi-i700001/", True),
        (
            "https://catphatinh.gov.vn/bai-viet/nhan-dien-cac-trang-web-gia-mao-dich-vu-cong.catp",
            True,
        ),  # fmt: skip
        ("https://congan.travinh.gov.vn/catv/ch9/1259.prt", True),
        (
            "https://congan.daklak.gov.vn/web/guest/tin/-/asset_publisher/Xo4a/content/bat-giu-ke",
            True,
        ),  # fmt: skip
        ("https://congan.yenbai.gov.vn/ChiTietTin.aspx?ItemID=3871&CatID=4", True),
        ("https://bocongan.gov.vn/tin-tuc-su-kien/tin-bo/bo-truong-lam-viec-t12345.html", True),
        ("https://conganquangbinh.gov.vn/bat-qua-tang-vu-danh-bac-tai-thanh-pho-dong-hoi/", True),
        ("https://conganquangbinh.gov.vn/2021/12/05/bat-qua-tang-danh-bac/", True),
        ("https://congan.cantho.gov.vn/index.php/tin-tuc/an-ninh/1490-canh-bao-lua-dao", True),
        ("http://congan.kontum.gov.vn/index.php?module=tintuc&act=chitiet&id=2231&cat=5", True),
        (
            "https://congan.hoabinh.gov.vn/vn/tin-tuc-su-kien/an-ninh/"
            "cong-an-thanh-pho-hoa-binh-triet-pha-o-nhom-trom-cap-xe-may.aspx",
            True,
        ),  # fmt: skip
        ("https://sonoivu.namdinh.gov.vn/portal/Pages/2022-1-6/Thong-bao-nghi-Tet.aspx", True),
        ("https://congan.phutho.gov.vn/article/an-ninh/bat-giu-doi-tuong-123-45", True),
        ("http://news.zing.vn/xa-hoi/ket-xe-cua-ngo/a293001.html", True),
        ("http://nld.com.vn/20130311010101p0c1019/lua-dao-mua-ban.htm", True),
        ("http://vnexpress.net/gl/ban-doc-viet/tam-su/2012/12/me-chong-khong-ung/", True),
        # categories, paging, tags, feeds, files, forms, the home page
        ("https://congan.laichau.gov.vn/savefile/an-ninh-trat-tu/", False),
        ("https://congan.laichau.gov.vn/savefile/an-ninh-trat-tu/page-2/", False),
        ("https://conganbackan.vn/vi/news/tag/ma-tuy", False),
        ("https://conganthaibinh.gov.vn/tin-tuc/an-ninh-trat-tu?p=2", False),
        ("https://congan.sonla.gov.vn/category/tin-tuc/page/3/", False),
        ("https://congan.sonla.gov.vn/chong-dien-bien-hoa-binh/", False),
        ("https://congan.daklak.gov.vn/web/guest/tin?_101_INSTANCE_Xo4a_cur=2", False),
        ("https://congan.daklak.gov.vn/web/guest/tin/-/asset_publisher/Xo4a/rss", False),
        ("https://cand.com.vn/Ban-tin-113/", False),
        ("https://congan.laichau.gov.vn/uploads/news/2024_03/bao-cao-tong-ket-2024-15.pdf", False),
        (
            "https://congan.laichau.gov.vn/gioi-thieu/lich-su-truyen-thong-cong-an-tinh-15.html",
            False,
        ),  # fmt: skip
        ("https://congan.travinh.gov.vn/catv/ch9.prt", False),
        ("https://congan.cantho.gov.vn/index.php/tin-tuc/trat-tu-an-toan-giao-thong", False),
        ("http://congan.kontum.gov.vn/index.php?module=tintuc&act=guibai&id=2231", False),
        ("https://congan.hoabinh.gov.vn/vn/tin-tuc-su-kien/hoat-dong-cua-cong-an-tinh.aspx", False),
        ("https://congan.tuyenquang.gov.vn/InTin.aspx?ItemID=2195", False),
        ("https://tienphong.vn/event/phong-chong-lua-dao-truc-tuyen-2501.tpo", False),
        ("https://dantri.com.vn/the-gioi.htm", False),
        ("https://znews.vn/tac-gia/lam-anh-a36528.html", False),
        ("https://congan.yenbai.gov.vn/DanhSachTin.aspx?CatID=4", False),
        ("https://vnexpress.net/phap-luat-p20", False),
        ("https://congan.laichau.gov.vn/", False),
        ("mailto:ca@example.vn", False),
    ],
)
def test_article_shaped_urls(url: str, article: bool) -> None:
    assert looks_like_article(url) is article


@pytest.mark.parametrize("page", sorted(PAGES.glob("*.json")), ids=lambda p: p.stem)
def test_every_corpus_page_address_says_what_the_page_is(page: Path) -> None:
    """The corpus pages' own addresses (tests/data/pages): an article's looks like one,
    a listing's, tag's, search's or login's does not."""
    truth = json.loads(page.read_text(encoding="utf-8"))
    assert looks_like_article(truth["url"]) is truth["article"], truth["url"]


def test_link_discovery_on_a_real_category_page() -> None:
    """A NukeViet 4.5 category page (tests/data/pages): every teaser its profile selects,
    none of its menus, pages, banners or feeds, and nothing of another host."""
    url = "https://congan.laichau.gov.vn/chong-dien-bien-hoa-binh/page-2/"
    body = (PAGES / "cms_nukeviet45_category_listing.html").read_bytes()
    links = article_links(url, body)
    teasers = NukeVietListingPage(url=url, body=body).article_urls()
    assert len(teasers) >= 20
    assert set(teasers) <= set(links)
    assert all(u.startswith("https://congan.laichau.gov.vn/") for u in links)
    assert not [u for u in links if not u.endswith(".html") or "/gioi-thieu/" in u]
    assert feed_links(url, body) == [
        "https://congan.laichau.gov.vn/rss/",
        "https://congan.laichau.gov.vn/rss/an-ninh-trat-tu/",
        "https://congan.laichau.gov.vn/rss/hoat-dong-cua-ca-lai-chau/",
    ]


def test_liferay_links_lose_their_redirect_and_give_the_publisher_feed() -> None:
    url = (
        "https://congan.daklak.gov.vn/web/guest/tin-tuc-su-kien?p_p_id=101_INSTANCE_Xo4aTk8Xo3Ju"
        "&_101_INSTANCE_Xo4aTk8Xo3Ju_cur=2"
    )
    body = (PAGES / "cms_liferay62_assetpublisher_listing.html").read_bytes()
    links = article_links(url, body)
    assert len(links) >= 10  # the page's ten teasers, and the sidebar's
    assert all("/-/asset_publisher/" in u and "redirect" not in u for u in links)
    assert len(links) == len(set(links))
    publisher = "https://congan.daklak.gov.vn/web/guest/tin-tuc-su-kien/-/asset_publisher/"
    assert f"{publisher}Xo4aTk8Xo3Ju/rss" in usual_feeds("liferay", url, body)


@pytest.mark.parametrize(
    ("profile", "listing", "feeds"),
    [
        ("nukeviet", "http://h/vi/news/an-ninh/", ["/vi/news/rss/an-ninh/", "/vi/news/rss/"]),
        (
            "nukeviet",
            "http://h/savefile/an-ninh-trat-tu/",
            ["/savefile/rss/an-ninh-trat-tu/", "/savefile/rss/", "/vi/news/rss/"],
        ),  # fmt: skip
        ("wordpress", "http://h/category/tin-tuc/", ["/category/tin-tuc/feed/", "/feed/"]),
        ("cand", "http://h/Ban-tin-113/", ["/rss/home.rss"]),
        ("legacy_portal", "http://h/tin-tuc/an-ninh?p=1", []),
    ],
)
def test_usual_feeds_of_each_family(profile: str, listing: str, feeds: list[str]) -> None:
    assert usual_feeds(profile, listing) == ["http://h" + f for f in feeds]


def test_sitemaps_robots_txt_names_an_index_and_a_gzipped_urlset() -> None:
    robots = (
        b"User-agent: *\nDisallow: /admin/\nSitemap: /sitemap-vi.xml\nsitemap: http://h/b.xml\n"
    )
    assert robots_sitemaps(robots, "http://h") == ["http://h/sitemap-vi.xml", "http://h/b.xml"]
    assert usual_sitemaps("wordpress", "http://h/category/x/") == [
        "http://h/sitemap.xml", "http://h/wp-sitemap.xml",
    ]  # fmt: skip
    index = sitemap_links(sitemap_index(["http://h/wp-sitemap-posts-post-1.xml",
                                         "http://h/wp-sitemap-taxonomies-category-1.xml",
                                         "http://h/wp-sitemap-users-1.xml"]).encode())  # fmt: skip
    assert (index.kind, index.sitemaps) == (
        "sitemapindex",
        ["http://h/wp-sitemap-posts-post-1.xml"],
    )
    pages = [("http://h/", "2024-04-01"), ("http://h/tin-tuc/", "2024-04-02"),
             ("http://h/tin/bat-giu-doi-tuong-12.html", "2024-03-01"),
             ("http://h/tin/khoi-to-vu-an-13.html", "2024-03-02T10:00:00+07:00"),
             ("http://h/tag/ma-tuy", "2024-04-03")]  # fmt: skip
    urlset = sitemap_links(gzip.compress(sitemap(pages).encode()), max_size=10_000)
    assert urlset.kind == "urlset"
    # Article-shaped first, newest first; the category after them; home and tag left out.
    assert [url for url, _ in ranked(urlset.pages)] == [
        "http://h/tin/khoi-to-vu-an-13.html", "http://h/tin/bat-giu-doi-tuong-12.html",
        "http://h/tin-tuc/",
    ]  # fmt: skip
    assert sitemap_links(b"<html><body>404</body></html>").kind == ""
    assert sitemap_links(b"").kind == ""
    # As the robots middleware parsed it: no second fetch of robots.txt for the fallback.
    parsed = ProtegoRobotParser(robots, None)
    assert parsed_robots_sitemaps(parsed, "http://h") == robots_sitemaps(robots, "http://h")


def test_a_registry_sitemap_is_read_as_the_fallback_reads_one(tmp_path: Path) -> None:
    """A sitemap start point: gzipped children followed, taxonomy and offsite ones not;
    article-shaped pages first, newest first, with their lastmod (the incremental crawl
    fetches a page again when it changed); home, tag and paging pages left out; a page
    that is no sitemap is a failure of the site."""
    registry = tmp_path / "sites.yaml"
    registry.write_text(
        "sites:\n  - id: h\n    name: Công an H\n    province: Lai Châu\n    hosts: [h.vn]\n"
        "    profile: wordpress\n    start:\n      - sitemap: http://h.vn/wp-sitemap.xml\n",
        encoding="utf-8",
    )
    spider = PoliceSpider.from_crawler(
        get_crawler(PoliceSpider, {"CRAWLER_SITES": str(registry)}), site="h"
    )
    children = ["http://h.vn/wp-sitemap-posts-post-1.xml.gz", "http://other.vn/posts.xml",
                "http://h.vn/wp-sitemap-taxonomies-category-1.xml"]  # fmt: skip
    index = XmlResponse("http://h.vn/wp-sitemap.xml", body=sitemap_index(children).encode())
    (child,) = spider.parse_sitemap(index, "h", 1)
    assert (child.url, child.cb_kwargs["page"]) == (children[0], 2)
    entries = [("http://h.vn/", "2024-04-01"), ("http://h.vn/tag/ma-tuy/", "2024-04-03"),
               ("http://h.vn/page/2/", "2024-04-04"),
               ("http://h.vn/gioi-thieu-cong-an-tinh/", "2024-04-02"),
               ("http://h.vn/bat-giu-doi-tuong-trom-cap-tai-san-tai-thanh-pho/", "2024-03-01"),
               ("http://h.vn/2024/03/02/khoi-to-vu-an/", "2024-03-02T10:00:00+07:00")]  # fmt: skip
    urlset = gzip.compress(sitemap(entries).encode())
    requests = list(spider.parse_sitemap(XmlResponse(children[0], body=urlset), "h", 2))
    assert [(r.url, r.meta["lastmod"].isoformat()[:10]) for r in requests] == [
        ("http://h.vn/2024/03/02/khoi-to-vu-an/", "2024-03-02"),
        ("http://h.vn/bat-giu-doi-tuong-trom-cap-tai-san-tai-thanh-pho/", "2024-03-01"),
        ("http://h.vn/gioi-thieu-cong-an-tinh/", "2024-04-02"),  # a page of any slug: last
    ]  # fmt: skip
    assert all(r.meta["article"] and r.callback == spider.parse_article for r in requests)
    failures = []
    spider.fail = lambda site, url, reason: failures.append((site, url, reason))
    assert list(spider.parse_sitemap(XmlResponse(children[0], body=b"<html/>"), "h", 2)) == []
    assert failures == [("h", children[0], "not a sitemap or sitemap index (plain or gzipped)")]


def test_a_fallback_takes_each_link_once_up_to_its_limit() -> None:
    first = Fallback("http://h/a/", limit=2)
    assert [first.take("links", "u1"), first.take("sitemap", "u1"), first.take("sitemap", "u2"),
            first.take("feed", "u3")] == [True, False, True, False]  # fmt: skip
    assert first.taken == {"sitemap": 1, "feed": 0, "links": 1}
    later = Fallback("http://h/b/", limit=2, earlier=first)
    assert not later.failed()  # the site's sitemaps gave links: an empty listing is a note
    empty = Fallback("http://h/c/", limit=2)
    empty.tried.append("http://h/sitemap.xml: HTTP 404")
    assert empty.failed()
    assert empty.reason("generic").endswith("gave none either: http://h/sitemap.xml: HTTP 404")
