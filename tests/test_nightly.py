"""Unattended runs: the report, its alarms, and nothing lost when Elasticsearch goes away."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid

from elasticsearch import Elasticsearch

from crawler.es.index import ensure_index, segment_count
from crawler.es.server import LocalNode
from crawler.es.spool import Spool
from crawler.nightly import alarms, previous_reports
from crawler.report import complete
from crawler.runs import RunResult
from testkit.sites.catalog import EXPECTED, registry_yaml, start_sites
from testkit.sites.server import stop
from tests.conftest import FAST_CRAWL, PROJECT, drop_alias, free_port, node_base, run_cli

FAST = [*FAST_CRAWL, "-s", "NER_ENABLED=0"]


def test_nightly_run_report_and_alarm(es_url, tmp_path) -> None:
    sites = start_sites()
    registry = tmp_path / "sites.yaml"
    registry.write_text(registry_yaml(sites, free_port()), encoding="utf-8")
    alias, runs_index = f"nightly-{uuid.uuid4().hex[:8]}", f"runs-{uuid.uuid4().hex[:8]}"
    env = {**os.environ, "ES_URL": es_url, "ES_INDEX": alias, "ES_RUNS_INDEX": runs_index,
           "CRAWLER_SITES": str(registry), "CRAWLER_RUNS_DIR": str(tmp_path / "runs"),
           "CRAWLER_SPOOL_DIR": str(tmp_path / "spool")}  # fmt: skip
    client = Elasticsearch(es_url)
    index = ensure_index(client, alias)
    for number in range(3):  # an index of three segments before the night
        client.index(index=alias, id=f"earlier-{number}", document={"title": "Tin cũ"},
                     refresh=True)  # fmt: skip
    try:
        result = run_cli("nightly", *FAST, "-s", "PROGRESS_INTERVAL=0.5",
                         env={**env, "NIGHTLY_MERGE_ABOVE": "0"})  # fmt: skip
    finally:
        for site in sites.values():
            stop(site)
    assert result.returncode == 1  # the broken site crosses the failure threshold
    assert "ALARM: broken:" in result.stdout
    assert "progress: " in result.stderr  # printed by the periodic loop only
    (report_file,) = (tmp_path / "runs").glob("run-*.json")
    report = json.loads(report_file.read_text())
    assert report["totals"]["new"] == 10
    laichau = report["sites"]["laichau"]
    assert (laichau["pages"], laichau["articles"], laichau["new"]) == (8, 4, 4)
    assert report["sites"]["thaibinh"]["failures"][0].endswith("took longer than 1.5 seconds.")
    assert report["robots_refusals"] == 1
    # Written, then merged for the day's searches.
    assert report["merge"]["segments_before"] > 3
    assert report["merge"]["segments_after"] == segment_count(client, index) == 1
    client.indices.refresh(index=runs_index)
    stored = client.search(index=runs_index)["hits"]["hits"][0]["_source"]
    assert stored["totals"]["articles"] == 10
    assert {s["site"] for s in stored["sites"]} >= {"laichau", "broken"}
    client.indices.delete(index=runs_index)
    drop_alias(es_url, alias)


def test_a_site_state_that_cannot_be_saved_is_an_alarm_not_a_traceback(es_url, tmp_path) -> None:
    sites = start_sites()
    env = _fixture_env(es_url, tmp_path, sites)
    # A folder where the state file goes: writing it fails as on a full or broken disk.
    (tmp_path / "runs" / "sites-state.json").mkdir(parents=True)
    try:
        result = run_cli("nightly", *FAST, "--site", "laichau", env=env)
    finally:
        for site in sites.values():
            stop(site)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert "ALARM: site health not saved in" in result.stdout
    (report_file,) = (tmp_path / "runs").glob("run-*.json")
    report = json.loads(report_file.read_text())
    assert report["sites"]["laichau"]["articles"] == 4
    assert any("site health not saved" in alarm for alarm in report["alarms"])
    assert _count(es_url, env["ES_INDEX"]) == 4
    drop_alias(es_url, env["ES_INDEX"])
    Elasticsearch(es_url).indices.delete(index=env["ES_RUNS_INDEX"], ignore_unavailable=True)


def test_alarm_for_a_site_empty_three_nights() -> None:
    def night(articles: int) -> dict:
        result = RunResult()
        result.site("hue").pages, result.site("hue").articles = 3, articles
        return result.to_dict()

    assert alarms(night(0), [night(0), night(0)], 0.5, 3) == ["hue: no article 3 nights in a row"]
    assert alarms(night(0), [night(0), night(2)], 0.5, 3) == []
    assert alarms(night(0), [night(0)], 0.5, 3) == []  # not three nights of history yet


def test_bad_configuration_fails_fast(tmp_path) -> None:
    dead = f"http://127.0.0.1:{free_port()}"
    down = run_cli("nightly", env={**os.environ, "ES_URL": dead})
    assert down.returncode == 2
    assert f"Elasticsearch at {dead} is not usable" in down.stderr


def _fixture_env(es_url: str, tmp_path, sites) -> dict[str, str]:
    registry = tmp_path / "sites.yaml"
    registry.write_text(registry_yaml(sites, free_port()), encoding="utf-8")
    return {**os.environ, "ES_URL": es_url, "ES_INDEX": f"resume-{uuid.uuid4().hex[:8]}",
            "ES_RUNS_INDEX": f"runs-{uuid.uuid4().hex[:8]}", "CRAWLER_SITES": str(registry),
            "CRAWLER_RUNS_DIR": str(tmp_path / "runs"),
            "CRAWLER_SPOOL_DIR": str(tmp_path / "spool")}  # fmt: skip


def _count(es_url: str, alias: str) -> int:
    client = Elasticsearch(es_url)
    if not client.indices.exists_alias(name=alias):
        return 0
    client.indices.refresh(index=alias)
    return client.count(index=alias)["count"]


def _slow_articles(sites, seconds: float) -> None:
    for name, stories in EXPECTED.items():
        for story in stories:
            sites[name].routes[story.path].delay = seconds


def test_a_killed_run_resumes_without_refetching_or_duplicates(es_url, tmp_path) -> None:
    sites = start_sites()
    _slow_articles(sites, 0.7)
    env = _fixture_env(es_url, tmp_path, sites)
    command = [sys.executable, "-m", "crawler", "nightly", *FAST, "-s", "DOWNLOAD_TIMEOUT=2",
               "-s", "ES_BULK_SIZE=1", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=1"]  # fmt: skip
    try:
        first = subprocess.Popen(command, cwd=PROJECT, env=env, stdout=subprocess.DEVNULL,
                                 stderr=subprocess.DEVNULL)  # fmt: skip
        deadline = time.monotonic() + 60
        while _count(es_url, env["ES_INDEX"]) < 3 and time.monotonic() < deadline:
            time.sleep(0.2)
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=30)
        done = _count(es_url, env["ES_INDEX"])
        assert 3 <= done < 10
        indexed = {hit["_source"]["url"] for hit in Elasticsearch(es_url).search(
            index=env["ES_INDEX"], size=100)["hits"]["hits"]}  # fmt: skip
        before = {name: dict(site.requests) for name, site in sites.items()}
        second = subprocess.run(command, cwd=PROJECT, env=env, capture_output=True, text=True)
        assert "new " in second.stdout, second.stderr[-2000:]
    finally:
        for site in sites.values():
            stop(site)
    for name, stories in EXPECTED.items():
        for story in stories:
            url = sites[name].base + story.path
            if url in indexed:  # done before the kill: not fetched again
                assert sites[name].requests[story.path] == before[name][story.path], url
    assert _count(es_url, env["ES_INDEX"]) == 10  # every article, once
    drop_alias(es_url, env["ES_INDEX"])


def test_elasticsearch_stopped_mid_crawl_loses_nothing(tmp_path) -> None:
    """A real node stopped in the middle of a crawl and started again: every article ends
    up indexed exactly once (the rest waited in the spool)."""
    node = LocalNode(base=node_base(), name="outage", port=free_port())
    shutil.rmtree(node.home, ignore_errors=True)
    node.up()
    sites = start_sites()
    _slow_articles(sites, 0.7)
    env = _fixture_env(node.url, tmp_path, sites)
    # Timeouts generous enough that no page is lost to a machine busy stopping a node.
    command = [sys.executable, "-m", "crawler", "crawl", *FAST, "-s", "DOWNLOAD_TIMEOUT=2",
               "-s", "ES_BULK_SIZE=1", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=1",
               "-s", "RETRY_TIMES=3"]  # fmt: skip
    try:
        crawl = subprocess.Popen(command, cwd=PROJECT, env=env, stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, text=True)  # fmt: skip
        deadline = time.monotonic() + 60
        while _count(node.url, env["ES_INDEX"]) < 2 and time.monotonic() < deadline:
            time.sleep(0.2)
        node.down()
        output, errors = crawl.communicate(timeout=180)
        node.up()
        assert Spool(tmp_path / "spool").pending() > 0, errors[-2000:]
        flushed = run_cli("spool", "flush", env=env)
        assert flushed.returncode == 0, flushed.stderr
        assert _count(node.url, env["ES_INDEX"]) == 10
        assert Spool(tmp_path / "spool").pending() == 0
    finally:
        for site in sites.values():
            stop(site)
        node.down()
        shutil.rmtree(node.home, ignore_errors=True)


def test_a_damaged_earlier_report_is_skipped_not_fatal(tmp_path, capsys) -> None:
    good = RunResult()
    good.site("hue").pages = 1
    (tmp_path / "run-20260101T020000.json").write_text(json.dumps(good.to_dict()))
    (tmp_path / "run-20260102T020000.json").write_text('{"trunc')  # a run killed mid-write
    assert previous_reports(tmp_path, 3) == [good.to_dict()]
    assert "run-20260102T020000.json: not a readable run report" in capsys.readouterr().err


def test_an_interrupted_run_is_not_complete_and_raises_an_alarm() -> None:
    report = {**RunResult().to_dict(), "interrupted": True}
    assert not complete(report)
    assert alarms(report, [], 0.5, 3) == ["the run was stopped by a signal before the end"]
    assert complete({**report, "interrupted": False})


def test_nightly_with_an_unknown_site_is_one_line(es_url, tmp_path) -> None:
    env = {**os.environ, "ES_URL": es_url, "CRAWLER_RUNS_DIR": str(tmp_path / "runs"),
           "CRAWLER_SPOOL_DIR": str(tmp_path / "spool")}  # fmt: skip
    result = run_cli("nightly", "--site", "atlantis", env=env)
    assert result.returncode == 2
    (line,) = result.stderr.strip().splitlines()
    assert "no site with id atlantis" in line
