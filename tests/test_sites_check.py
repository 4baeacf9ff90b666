"""Which sites work: `crawler sites check | detect | add` on fixture sites built like the
real ones (a healthy one, one whose listing moved, one shut by robots.txt, one down), and
the health `crawler sites` and the nightly run keep per site."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from datetime import datetime
from pathlib import Path

import pytest
import yaml
from elasticsearch import Elasticsearch

from crawler.dates import VIETNAM_TZ
from crawler.nightly import site_outcomes
from crawler.site_state import FAILING, Outcome, load_state, record
from crawler.sites import Site, StartPoint, load_sites
from testkit import PROJECT
from testkit.sites import markup
from testkit.sites.catalog import QUANGBINH
from testkit.sites.health import (
    FAMILY_PAGES,
    HEALTHY_FEED,
    HEALTHY_LISTING,
    MOVED_NEW,
    MOVED_OLD,
    NUKEVIET_LISTING,
    SLOW_LISTING,
    health_registry,
    slow_down,
    start_health_sites,
)
from testkit.sites.server import FixtureSite, Route, html, serve, stop
from tests.conftest import FAST_CRAWL, drop_alias, free_port, run_cli

TODAY = datetime.now(VIETNAM_TZ).date().isoformat()
EARLIER = datetime(2026, 11, 20, 2, 0, tzinfo=VIETNAM_TZ)


@pytest.fixture(scope="module")
def sites():
    served = start_health_sites()
    yield served
    for site in served.values():
        stop(site)


@pytest.fixture
def env(tmp_path: Path, sites) -> dict[str, str]:
    """A registry of the fixture sites; the user's file, state and runs in tmp_path."""
    registry = tmp_path / "sites.yaml"
    registry.write_text(health_registry(sites, free_port()), encoding="utf-8")
    return {**os.environ, "CRAWLER_SITES": str(registry), "CRAWLER_DATA_DIR": str(tmp_path),
            "CRAWLER_USER_SITES": str(tmp_path / "mine.yaml"),
            "CRAWLER_RUNS_DIR": str(tmp_path / "runs")}  # fmt: skip


def check(env: dict[str, str], *args: str) -> tuple[dict, int]:
    result = run_cli("sites", "check", *FAST_CRAWL, *args, "--json", env=env)
    try:
        return {s["site"]: s for s in json.loads(result.stdout)["sites"]}, result.returncode
    except json.JSONDecodeError:
        raise AssertionError(f"no JSON: {result.stdout[-500:]}{result.stderr[-2000:]}") from None


def listed(env: dict[str, str]) -> dict[str, str]:
    """`crawler sites`: each site's line, by id."""
    result = run_cli("sites", env=env)
    assert result.returncode == 0, result.stderr
    return {line.split()[0]: line for line in result.stdout.splitlines()[2:]}


def test_check_says_which_sites_work_and_keeps_it(env, sites) -> None:
    found, code = check(env)
    assert code == 1  # a site fails
    healthy = found["healthy"]
    assert (healthy["status"], healthy["reason"]) == ("ok", "")
    assert healthy["hosts"][0]["connect"] == "ok"
    assert healthy["hosts"][0]["robots"] == "HTTP 200"
    assert [(p["kind"], p["links"]) for p in healthy["start"]] == [("listing", 3), ("feed", 3)]
    assert len(healthy["articles"]) == 2
    for article in healthy["articles"]:
        assert article["read"]
        assert article["body_chars"] > 100
        assert article["published"].startswith("2024-03-2")
    moved = found["moved"]
    assert moved["status"] == "fail"
    assert moved["reason"] == "listing moved (HTTP 404); listing has no article links, 0 links"
    assert moved["start"][0]["status"] == 404
    assert found["blocked"]["status"] == "fail"
    assert found["blocked"]["reason"] == "robots.txt disallows every start point"
    assert "disallows 1 of 1" in found["blocked"]["hosts"][0]["robots"]
    # robots.txt was obeyed: no page behind it was fetched
    assert set(sites["blocked"].requests) == {"/robots.txt"}
    relaid = found["relaid"]  # its listing's links found by the crawl's fallback only
    assert relaid["status"] == "warn"
    assert relaid["reason"] == "listing selectors found no article links (2 found other ways)"
    assert (relaid["start"][0]["listing_links"], relaid["start"][0]["links"]) == (0, 2)
    assert [a["read"] for a in relaid["articles"]] == [True, True]
    assert "gave no article links with the nukeviet selectors" in relaid["notes"][0]
    down = found["down"]
    assert down["status"] == "fail"
    assert down["reason"].startswith("down: 127.0.0.24:")
    assert down["reason"].endswith(" connection refused")

    lines = listed(env)
    assert lines["healthy"].endswith(f"ok {TODAY}")
    assert lines["blocked"].endswith(
        f"failing since {TODAY}: robots.txt disallows every start point"
    )
    assert f"failing since {TODAY}: down: 127.0.0.24:" in lines["down"]
    state = load_state(Path(env["CRAWLER_RUNS_DIR"]) / "sites-state.json")
    assert state["healthy"].last_success.startswith(TODAY)
    assert state["healthy"].last_failure is None
    assert (state["moved"].status, state["moved"].by) == ("failing", "check")


def test_all_passing_is_exit_0_with_a_table(env) -> None:
    result = run_cli("sites", "check", *FAST_CRAWL, "--site", "healthy", "--site", "slow", env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    rows = {line.split()[0]: line.split() for line in result.stdout.splitlines()}
    assert rows["site"][:3] == ["site", "result", "robots"]
    assert rows["healthy"][1:3] == ["ok", "ok"]  # result, robots
    assert "listing 3, feed 3" in " ".join(rows["healthy"])
    assert "2 of 2" in " ".join(rows["slow"])
    assert "2 sites: 2 ok, 0 with warnings, 0 failing" in result.stdout


def test_a_site_failing_for_days_keeps_its_date(env) -> None:
    state = Path(env["CRAWLER_RUNS_DIR"]) / "sites-state.json"
    was = {"blocked": Outcome(FAILING, "robots.txt disallows every start point"),
           "healthy": Outcome(FAILING, "listing moved (HTTP 404), 0 links")}  # fmt: skip
    record(state, was, EARLIER, "nightly")
    _, code = check(env, "--site", "blocked", "--site", "healthy")
    assert code == 1
    lines = listed(env)
    assert lines["blocked"].endswith(
        "failing since 2026-11-20: robots.txt disallows every start point"
    )
    assert lines["healthy"].endswith(f"ok {TODAY}")
    assert lines["moved"].endswith("not checked")
    after = load_state(state)["healthy"]
    assert after.last_failure == EARLIER.isoformat()
    assert after.last_success.startswith(TODAY)


def test_each_site_has_a_time_bound(env, sites) -> None:
    before = sum(sites["slow"].requests[s.path] for s in QUANGBINH)
    slow_down(sites["slow"], 2.0)
    try:
        found, code = check(env, "--site", "slow", "--timeout", "1", "-s", "DOWNLOAD_TIMEOUT=5")
    finally:
        slow_down(sites["slow"], 0)
    assert code == 1
    slow = found["slow"]
    assert slow["timed_out"]
    assert slow["start"][0]["links"] == 3
    assert slow["reason"] == "no article read within the check's time bound (--timeout)"
    assert sum(sites["slow"].requests[s.path] for s in QUANGBINH) == before  # none sent


FEEDS = 10  # what a listing fallback reads at most of the feeds a page announces


@pytest.fixture
def sluggish(env) -> FixtureSite:
    """A site whose listing moved to a layout with no links and whose announced feeds
    each answer in 2 s: its listing fallback would fetch them one after another."""
    head = "".join(f'<link rel="alternate" type="application/rss+xml" href="/rss/{n}/">'
                   for n in range(FEEDS))  # fmt: skip
    routes = {"/tin/": html(markup.page("Tin tức", "<main></main>", head))}
    routes |= {f"/rss/{n}/": Route(b"", "application/rss+xml", delay=2.0) for n in range(FEEDS)}
    site = serve(FixtureSite("sluggish", "127.0.0.28", routes))
    with Path(env["CRAWLER_SITES"]).open("a", encoding="utf-8") as registry:
        registry.write(f"  - id: sluggish\n    name: Công an Sơn La\n    province: Sơn La\n"
                       f"    hosts: ['{site.host}:{site.port}']\n    profile: generic\n"
                       f'    start:\n      - listing: "{site.base}/tin/"\n')  # fmt: skip
    yield site
    stop(site)


def test_the_listing_fallback_keeps_the_time_bound(env, sluggish) -> None:
    # Past its 2 s a site sends nothing more, the fallback's feeds included: not ten feeds
    # one after another into the hard stop (2 + 2 x 5 + 5 s), where every waiting site ends.
    found, code = check(env, "--site", "sluggish", "--site", "healthy", "--timeout", "2",
                        "-s", "DOWNLOAD_TIMEOUT=5")  # fmt: skip
    assert code == 1
    feeds = sum(sluggish.requests[f"/rss/{n}/"] for n in range(FEEDS))
    assert 1 <= feeds <= 2, sluggish.requests
    late = found["sluggish"]
    assert late["timed_out"]
    assert late["start"][0]["status"] == 200
    assert "the rest not fetched: the check's time bound (--timeout)" in late["notes"][0]
    assert (found["healthy"]["status"], found["healthy"]["timed_out"]) == ("ok", False)


def test_an_interrupted_check_keeps_nothing(env, sites) -> None:
    state = Path(env["CRAWLER_RUNS_DIR"]) / "sites-state.json"
    record(state, {"slow": Outcome("ok")}, EARLIER, "check")
    before = state.read_text(encoding="utf-8")
    seen = sites["slow"].requests[SLOW_LISTING]
    slow_down(sites["slow"], 3.0)
    try:
        process = subprocess.Popen(
            [sys.executable, "-m", "crawler", "sites", "check", *FAST_CRAWL, "--site", "slow",
             "--site", "healthy", "-s", "DOWNLOAD_TIMEOUT=20", "--json"],
            cwd=PROJECT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        deadline = time.monotonic() + 120
        while sites["slow"].requests[SLOW_LISTING] == seen and time.monotonic() < deadline:
            time.sleep(0.05)
        process.send_signal(signal.SIGINT)  # Ctrl-C while the slow site's listing is waited for
        out, err = process.communicate(timeout=120)
    finally:
        slow_down(sites["slow"], 0)
    assert process.returncode == 2, out + err
    assert (
        "error: the check was interrupted (stopped by a signal (Ctrl-C or SIGTERM) before "
        f"the end): no result kept in {state}"
    ) in err
    assert "Traceback" not in err
    assert state.read_text(encoding="utf-8") == before  # "slow" was not made failing


def test_results_are_printed_when_they_cannot_be_kept(env, tmp_path) -> None:
    (tmp_path / "file").write_text("not a folder", encoding="utf-8")
    env = {**env, "CRAWLER_RUNS_DIR": str(tmp_path / "file" / "runs")}
    result = run_cli("sites", "check", *FAST_CRAWL, "--site", "healthy", env=env)
    assert result.returncode == 0, result.stderr
    assert "1 sites: 1 ok, 0 with warnings, 0 failing" in result.stdout
    state = tmp_path / "file" / "runs" / "sites-state.json"
    assert result.stderr.splitlines()[-1] == (
        f"warning: {state}: results not kept: Not a directory ({state.parent})"
    )
    assert "results kept" not in result.stdout


def test_a_registry_that_cannot_be_written_is_one_line(env, sites, tmp_path) -> None:
    (tmp_path / "file").write_text("not a folder", encoding="utf-8")
    mine = tmp_path / "file" / "sites" / "mine.yaml"
    env = {**env, "CRAWLER_USER_SITES": str(mine)}
    url = sites["pages"].base + NUKEVIET_LISTING
    result = run_cli("sites", "add", "newsite", url, "--province", "Lai Châu", "--profile",
                     "nukeviet", env=env)  # fmt: skip
    assert result.returncode == 2
    assert result.stderr.strip() == (
        f"error: {mine}: cannot write your site registry: Not a directory ({mine.parent})"
    )
    assert not result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--site", "nosuch"], "no site with id nosuch (see `crawler sites`)"),
        (["--articles", "0"], "--articles 0: must be 1 or more"),
    ],
)
def test_check_bad_usage_is_exit_2(env, args, message) -> None:
    result = run_cli("sites", "check", *args, env=env)
    assert result.returncode == 2
    assert message in result.stderr


@pytest.mark.parametrize(
    ("path", "profile", "kind"),
    [
        *((path, family, "article") for family, path in FAMILY_PAGES.items()),
        (NUKEVIET_LISTING, "nukeviet", "listing"),
    ],  # fmt: skip
)
def test_detect_names_the_profile_of_each_cms_family(sites, path, profile, kind) -> None:
    url = sites["pages"].base + path
    result = run_cli("sites", "detect", url, "--json")
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout)
    assert (found["profile"], found["kind"]) == (profile, kind)
    chosen = next(r for r in found["readings"] if r["profile"] == profile)
    if kind == "article":
        assert chosen["published"]
        assert chosen["body_chars"] > 100
    else:
        assert chosen["links"] == 2


def test_detect_text_and_a_page_that_is_not_there(sites) -> None:
    result = run_cli("sites", "detect", sites["pages"].base + FAMILY_PAGES["legacy_portal"])
    assert result.returncode == 0, result.stderr
    assert "read by profile legacy_portal (an article page" in result.stdout
    assert "*legacy_portal" in result.stdout
    assert "crawler sites add ID LISTING-URL --profile legacy_portal" in result.stdout
    missing = run_cli("sites", "detect", sites["pages"].base + "/khong-co/")
    assert missing.returncode == 1
    assert missing.stderr.strip().endswith("/khong-co/: HTTP 404")


def test_add_replaces_a_shipped_entry_and_fixes_the_site(env, sites) -> None:
    new = sites["moved"].base + MOVED_NEW
    result = run_cli("sites", "add", "moved", new, env=env)
    assert result.returncode == 0, result.stderr
    assert "(it replaces the registry's entry of that id): profile legacy_portal" in result.stdout
    mine = Path(env["CRAWLER_USER_SITES"])
    merged = {s.id: s for s in load_sites(Path(env["CRAWLER_SITES"]), mine)}
    assert len(merged) == 6
    moved = merged["moved"]
    assert moved.start == (StartPoint("listing", new),)
    assert (moved.name, moved.province, moved.profile) == (
        "Công an Thái Bình", "Thái Bình", "legacy_portal")  # fmt: skip
    lines = listed(env)
    assert "(yours)" in lines["moved"]
    assert "(yours)" not in lines["healthy"]
    found, code = check(env, "--site", "moved")
    assert code == 0
    assert found["moved"]["status"] == "ok"
    assert MOVED_OLD not in json.dumps(found)


def test_add_a_new_site_in_one_step(env, sites) -> None:
    url = sites["pages"].base + NUKEVIET_LISTING
    result = run_cli("sites", "add", "newsite", url, "--province", "Lai Châu", env=env)
    assert result.returncode == 0, result.stderr
    assert "newsite: written to" in result.stdout
    (added,) = load_sites(Path(env["CRAWLER_USER_SITES"]))
    assert (added.id, added.profile, added.province) == ("newsite", "nukeviet", "Lai Châu")
    assert added.hosts == (url.split("/")[2],)
    lines = listed(env)
    assert "(yours)" in lines["newsite"]
    assert lines["newsite"].endswith("not checked")


SELECTORS = {"title": "h1.title", "date": ".post-date"}


def test_add_keeps_what_the_replaced_entry_had(env, sites) -> None:
    registry = Path(env["CRAWLER_SITES"])
    data = yaml.safe_load(registry.read_text(encoding="utf-8"))
    base = sites["healthy"].base
    (entry,) = (e for e in data["sites"] if e["id"] == "healthy")
    entry["start"].append({"sitemap": f"{base}/sitemap.xml"})
    entry["overrides"] = {"selectors": SELECTORS, "date_format": "%d/%m/%Y"}
    registry.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    mine = Path(env["CRAWLER_USER_SITES"])

    def healthy() -> Site:
        return {s.id: s for s in load_sites(registry, mine)}["healthy"]

    listing = base + "/tin-moi/"
    result = run_cli("sites", "add", "healthy", listing, env=env)
    assert result.returncode == 0, result.stderr
    assert (
        "kept from the registry's entry: name, province, hosts, profile, max_pages, "
        "recrawl_days, 1 feed(s), 1 sitemap(s), selector overrides\n"
    ) in result.stdout
    site = healthy()
    assert site.start == (StartPoint("listing", listing), StartPoint("feed", base + HEALTHY_FEED),
                          StartPoint("sitemap", f"{base}/sitemap.xml"))  # fmt: skip
    assert (site.selectors, site.date_format) == (SELECTORS, "%d/%m/%Y")

    # Another profile: the selectors written for the old one go; a feed given replaces.
    result = run_cli("sites", "add", "healthy", base + HEALTHY_LISTING, "--profile",
                     "wordpress", "--feed", f"{base}/feed/", env=env)  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert (f"; dropped: {base}{HEALTHY_FEED}, selector overrides (written for profile "
            "nukeviet)") in result.stdout  # fmt: skip
    site = healthy()
    assert site.start == (StartPoint("listing", base + HEALTHY_LISTING),
                          StartPoint("feed", f"{base}/feed/"),
                          StartPoint("sitemap", f"{base}/sitemap.xml"))  # fmt: skip
    assert (site.profile, site.selectors, site.date_format) == ("wordpress", {}, None)


@pytest.mark.parametrize("site_id", ["a b/../c", "Hue", "_hue"])
def test_add_refuses_an_id_that_is_no_word(env, sites, site_id) -> None:
    result = run_cli("sites", "add", site_id, sites["pages"].base + "/tin/", "--province",
                     "Huế", "--profile", "generic", env=env)  # fmt: skip
    assert result.returncode == 2
    assert (f"{env['CRAWLER_USER_SITES']}: site '{site_id}': field 'id' must be lowercase "
            f"letters, digits, - and _ (a letter or digit first), not '{site_id}'"
            ) in result.stderr  # fmt: skip
    assert not Path(env["CRAWLER_USER_SITES"]).exists()


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (["--profile", "joomla", "--province", "Huế"], "field 'profile' must be one of"),
        (["--profile", "generic", "--province", "Huế", "--host", "congan.hue.gov.vn"],
         "field 'start' URL 'http://127.0.0.25:"),
        (["--profile", "generic"], "field 'province' is missing or empty"),
    ],
)  # fmt: skip
def test_a_bad_add_names_the_field(env, sites, args, field) -> None:
    result = run_cli("sites", "add", "hue", sites["pages"].base + "/tin/", *args, env=env)
    assert result.returncode == 2
    assert f"{env['CRAWLER_USER_SITES']}: site 'hue': {field}" in result.stderr
    assert not Path(env["CRAWLER_USER_SITES"]).exists()


def test_user_entries_replace_shipped_ones_in_place(tmp_path) -> None:
    entry = ("  - id: {id}\n    name: {id}\n    province: Huế\n    hosts: [{id}.vn]\n"
             "    profile: {profile}\n    start:\n      - listing: https://{id}.vn/\n")  # fmt: skip
    shipped, mine = tmp_path / "shipped.yaml", tmp_path / "mine.yaml"
    shipped.write_text("sites:\n" + entry.format(id="a", profile="generic")
                       + entry.format(id="b", profile="generic"))  # fmt: skip
    mine.write_text("sites:\n" + entry.format(id="b", profile="wordpress")
                    + entry.format(id="c", profile="cand"))  # fmt: skip
    sites = load_sites(shipped, mine)
    assert [(s.id, s.profile) for s in sites] == [("a", "generic"), ("b", "wordpress"),
                                                  ("c", "cand")]  # fmt: skip
    assert [s.id for s in load_sites(shipped, tmp_path / "none.yaml")] == ["a", "b"]


def _site(site_id: str, *start: tuple[str, str]) -> Site:
    return Site(id=site_id, name=site_id, province="Huế", hosts=("x.vn",), profile="generic",
                start=tuple(StartPoint(k, u) for k, u in start))  # fmt: skip


def test_a_nightly_report_judges_each_site() -> None:
    figures = {"pages": 3, "articles": 2, "not_article": 0, "skipped": 0, "failed_pages": 0}
    report = {
        "sites": {
            "fine": figures,
            "fellback": figures,
            "gone": {**figures, "articles": 0, "failed_pages": 1},
            "nolisting": {**figures, "failed_pages": 1},
        },
        "failures": [
            {"site": "gone", "url": "https://x.vn/tin/", "reason": "HTTP 404"},
            {"site": "nolisting", "url": "https://x.vn/list/", "reason": "HTTP 500"},
        ],
        "notes": [{"site": "fellback", "kind": "listing_fallback", "message": "took 3 links"}],
    }
    sites = [_site("fine", ("listing", "https://x.vn/a/")),
             _site("fellback", ("listing", "https://x.vn/b/")),
             _site("gone", ("listing", "https://x.vn/tin/")),
             _site("nolisting", ("listing", "https://x.vn/list/"), ("feed", "https://x.vn/rss")),
             _site("shut", ("listing", "https://x.vn/c/"))]  # fmt: skip
    assert site_outcomes(report, sites) == {
        "fine": Outcome("ok"),
        "fellback": Outcome("degraded", "took 3 links"),
        "gone": Outcome("failing", "HTTP 404 at https://x.vn/tin/, 0 articles"),
        "nolisting": Outcome("failing", "HTTP 500 at https://x.vn/list/, 2 articles"),
        "shut": Outcome("failing", "no page fetched (robots.txt may disallow its start points)"),
    }
    assert "shut" not in site_outcomes({**report, "interrupted": True}, sites)


def test_nightly_shows_failing_sites_and_keeps_their_health(es_url, env, tmp_path) -> None:
    record(Path(env["CRAWLER_RUNS_DIR"]) / "sites-state.json",
           {"moved": Outcome(FAILING, "listing moved")}, EARLIER, "check")  # fmt: skip
    alias, runs_index = f"health-{uuid.uuid4().hex[:8]}", f"runs-{uuid.uuid4().hex[:8]}"
    env = {**env, "ES_URL": es_url, "ES_INDEX": alias, "ES_RUNS_INDEX": runs_index,
           "CRAWLER_SPOOL_DIR": str(tmp_path / "spool")}  # fmt: skip
    try:
        result = run_cli("nightly", *FAST_CRAWL, "-s", "NER_ENABLED=0", env=env)
    finally:
        drop_alias(es_url, alias)
        Elasticsearch(es_url).indices.delete(index=runs_index, ignore_unavailable=True)
    assert result.returncode == 1, result.stderr
    lines = result.stdout.splitlines()
    health = lines[lines.index("sites not working:") + 1 :]
    moved = next(line for line in health if line.startswith("  moved: "))
    assert moved.startswith("  moved: HTTP 404 at http://")
    assert MOVED_OLD in moved
    assert moved.endswith("0 articles since 2026-11-20")
    blocked = next(line for line in health if line.startswith("  blocked: "))
    assert blocked == (
        f"  blocked: no page fetched (robots.txt may disallow its start points) since {TODAY}"
    )
    assert not any(line.startswith(("  healthy", "  slow")) for line in health)
    state = load_state(Path(env["CRAWLER_RUNS_DIR"]) / "sites-state.json")
    assert (state["healthy"].status, state["healthy"].by) == ("ok", "nightly")
    assert state["moved"].since == EARLIER.isoformat()
    (report_file,) = Path(env["CRAWLER_RUNS_DIR"]).glob("run-*.json")
    report = json.loads(report_file.read_text(encoding="utf-8"))
    assert {h["site"] for h in report["site_health"]} == {"moved", "blocked", "down", "relaid"}
    relaid = next(line for line in health if line.startswith("  relaid "))
    assert relaid.startswith("  relaid (degraded): listing http://127.0.0.27:")
    assert relaid.endswith(f" since {TODAY}")
    assert listed(env)["healthy"].endswith(f"ok {TODAY}")
