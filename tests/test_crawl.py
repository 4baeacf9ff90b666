"""End to end: the police spider over fixture sites on loopback, into a real Elasticsearch."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from elasticsearch import Elasticsearch

from crawler.report import failed, summary
from testkit.sites.catalog import (
    DISALLOWED,
    EXPECTED,
    LAICHAU,
    NOT_ARTICLE,
    QUANGBINH,
    THAIBINH,
    registry_yaml,
    start_sites,
)
from testkit.sites.server import FixtureSite, stop
from tests.conftest import FAST_CRAWL, drop_alias, free_port, run_cli, run_report


def start(tmp_path_factory) -> tuple[dict[str, FixtureSite], dict[str, str]]:
    sites = start_sites()
    registry = tmp_path_factory.mktemp("registry") / "sites.yaml"
    registry.write_text(registry_yaml(sites, free_port()), encoding="utf-8")
    return sites, {"CRAWLER_SITES": str(registry), "ES_INDEX": f"crawl-{uuid.uuid4().hex[:8]}"}


@pytest.fixture(scope="module")
def crawled(es_url: str, tmp_path_factory) -> Iterator[tuple[dict[str, FixtureSite], dict, str]]:
    """The fixture sites, crawled once; yields sites, the environment and the first output."""
    sites, extra = start(tmp_path_factory)
    env = {**os.environ, "ES_URL": es_url, **extra}
    report, _ = run_report("crawl", *FAST_CRAWL, env=env)
    yield sites, env, report
    for site in sites.values():
        stop(site)
    drop_alias(es_url, extra["ES_INDEX"])


def indexed(es_url: str, alias: str) -> dict[str, dict]:
    client = Elasticsearch(es_url)
    hits = client.search(index=alias, size=100, query={"match_all": {}})["hits"]["hits"]
    return {hit["_source"]["url"]: hit["_source"] for hit in hits}


def test_expected_articles_and_no_others_are_indexed(crawled, es_url) -> None:
    sites, env, _ = crawled
    docs = indexed(es_url, env["ES_INDEX"])
    expected = {sites[name].base + story.path for name, stories in EXPECTED.items()
                for story in stories}  # fmt: skip
    assert set(docs) == expected
    for name, stories in EXPECTED.items():
        for story in stories:
            doc = docs[sites[name].base + story.path]
            assert doc["title"] == story.title
            assert doc["body"][0] == story.paragraphs[0]
            assert doc["site"] == name
            if story.author:
                assert doc["authors"] == [story.author]
            if story.caption:
                assert doc["captions"] == [story.caption]
                assert doc["images"][0]["caption"] == story.caption
            if story.lead:
                assert doc["lead"] == story.lead


@pytest.mark.parametrize(
    ("name", "index", "published", "precision"),
    [
        ("laichau", 0, "2024-03-27T08:42:00+07:00", "minute"),  # "Thứ tư - 27/03/2024 08:42"
        ("quangbinh", 0, "2021-11-19T00:00:00+07:00", "day"),  # only in the text
        ("quangbinh", 1, "2021-12-02T07:30:00+07:00", "minute"),  # time[datetime]
        ("thaibinh", 0, "2022-01-04T00:00:00+07:00", "day"),  # "Ngày đăng: 04/01/2022"
        ("cand", 0, "2024-02-17T09:54:00+07:00", "minute"),  # "09:54 17/02/2024"
    ],
)
def test_dates_of_every_family(crawled, es_url, name, index, published, precision) -> None:
    sites, env, _ = crawled
    story = EXPECTED[name][index]
    doc = indexed(es_url, env["ES_INDEX"])[sites[name].base + story.path]
    assert (doc["published"], doc["published_precision"]) == (published, precision)


def test_windows_1258_page_comes_out_as_unicode(crawled, es_url) -> None:
    sites, env, _ = crawled
    doc = indexed(es_url, env["ES_INDEX"])[sites["thaibinh"].base + THAIBINH[0].path]
    assert doc["title"] == "Khởi tố vụ án lừa đảo chiếm đoạt tài sản qua mạng"
    assert doc["province"] == "Thái Bình"
    assert doc["province_current"] == "Hưng Yên"


def test_politeness_and_robustness(crawled) -> None:
    sites, _, report = crawled
    laichau = sites["laichau"].requests
    assert laichau[DISALLOWED] == 0  # robots.txt: never requested
    assert laichau[LAICHAU[1].path] == 2  # a 500, then the page on retry
    assert laichau[NOT_ARTICLE] == 1  # fetched, recognised as not an article
    assert sites["quangbinh"].requests["/2021/12/05/bat-qua-tang-danh-bac/"] == 1  # redirect
    assert report["robots_refusals"] == 1
    # One broken site and one slow page cost only themselves, and the report says why.
    broken = report["sites"]["broken"]["failures"]
    assert any(f.endswith("/tin-tuc/: HTTP 503") for f in broken), broken
    assert any("Connection was refused" in f for f in broken), broken
    (slow,) = report["sites"]["thaibinh"]["failures"]
    assert slow.endswith(f"{THAIBINH[1].path}: Getting {sites['thaibinh'].base}{THAIBINH[1].path} "
                         "took longer than 1.5 seconds.")  # fmt: skip


def test_report_failures_agree_with_the_site_figures(crawled) -> None:
    """The summary's "failed" is the sum of the per-site figures and lists each one."""
    _, _, report = crawled
    per_site = sum(s["failed_pages"] + s["failed"] for s in report["sites"].values())
    assert per_site == len(report["failures"]) == failed(report["totals"]) > 0
    assert {f["site"] for f in report["failures"]} == {"broken", "thaibinh"}
    text = summary(report)
    assert f"failed: {per_site}" in text
    assert all(f"[{f['site']}] {f['url']}: {f['reason']}" in text for f in report["failures"])


def test_second_run_fetches_listings_again_but_no_article(crawled) -> None:
    sites, env, _ = crawled
    article_paths = {name: [s.path for s in stories] for name, stories in EXPECTED.items()}
    before = {name: dict(site.requests) for name, site in sites.items()}
    second, _ = run_report("crawl", *FAST_CRAWL, env=env)
    for name, paths in article_paths.items():
        for path in paths:
            assert sites[name].requests[path] == before[name].get(path, 0), path
    assert sites["laichau"].requests["/savefile/an-ninh-trat-tu/"] == 2
    assert sites["laichau"].requests["/vi/news/rss/"] == 2
    assert second["totals"]["skipped"] == 10

    refreshed, _ = run_report("crawl", "--refresh", "--site", "quangbinh", *FAST_CRAWL, env=env)
    totals = refreshed["totals"]
    assert (totals["new"], totals["updated"], totals["unchanged"]) == (0, 0, 3)
    assert (
        sites["quangbinh"].requests[QUANGBINH[0].path] == before["quangbinh"][QUANGBINH[0].path] + 1
    )


def test_record_then_replay_offline_gives_the_same_items(es_url, tmp_path_factory) -> None:
    sites, extra = start(tmp_path_factory)
    env = {**os.environ, "ES_URL": es_url, **extra}
    record = tmp_path_factory.mktemp("record")
    try:
        first, _ = run_report("crawl", "--record", str(record), "--site", "laichau", "--site",
                              "thaibinh", *FAST_CRAWL, env=env)  # fmt: skip
        assert first["totals"]["new"] == 5, first
        recorded = {url: d["content_hash"] for url, d in indexed(es_url, extra["ES_INDEX"]).items()}
    finally:
        for site in sites.values():
            stop(site)
    drop_alias(es_url, extra["ES_INDEX"])  # the replay must rebuild it from the record

    replay, process = run_report("crawl", "--replay", str(record), "--site", "laichau", "--site",
                                 "thaibinh", *FAST_CRAWL, env=env)  # fmt: skip
    assert replay["totals"]["new"] == 5, replay
    replayed = {url: d["content_hash"] for url, d in indexed(es_url, extra["ES_INDEX"]).items()}
    assert replayed == recorded
    assert "Connection was refused" not in process.stdout + process.stderr
    drop_alias(es_url, extra["ES_INDEX"])


def test_unknown_site_id_is_a_clear_error(crawled) -> None:
    _, env, _ = crawled
    result = run_cli("crawl", "--site", "atlantis", *FAST_CRAWL, env=env)
    assert result.returncode != 0
    assert "no site with id atlantis" in result.stdout + result.stderr


def test_the_report_says_when_the_page_limit_stopped_the_run(crawled) -> None:
    _, env, _ = crawled
    report, process = run_report("crawl", "--site", "laichau", "--page-limit", "2", "--refresh",
                                 *FAST_CRAWL, env=env)  # fmt: skip
    assert report["stopped_early"].startswith("stopped after 2 pages"), process.stderr[-1000:]
    human = run_cli("crawl", "--site", "laichau", "--page-limit", "2", "--refresh",
                    *FAST_CRAWL, env=env)  # fmt: skip
    assert "note: stopped after 2 pages" in human.stdout
    assert run_cli("crawl", "--page-limit", "0", env=env).returncode == 2
