"""Two crawler processes share one frontier and duplicate filter through a real Redis."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from testkit.sites.catalog import (
    DISALLOWED,
    EXPECTED,
    LAICHAU,
    SITES,
    THAIBINH,
    registry_yaml,
    start_sites,
)
from testkit.sites.server import FixtureSite, stop
from tests.conftest import FAST_CRAWL, PROJECT, drop_alias, free_port, run_cli

REDIS = shutil.which("redis-server")
# Longer than FAST_CRAWL's 1.5 s: on a loaded machine the reactor can stall for seconds (a
# lazy heavy import), and a robots.txt that times out keeps its whole site out.
TIMEOUT = 6.0


# A crawl process, its report as JSON on stdout; politeness off, no entities, the timeout
# of a loaded machine.
CRAWL = [sys.executable, "-m", "crawler", "crawl", "--json"]
QUIET = [*FAST_CRAWL, "-s", f"DOWNLOAD_TIMEOUT={TIMEOUT}", "-s", "NER_ENABLED=0"]


def crawl_env(
    es_url: str, sites: dict[str, FixtureSite], folder: Path, name: str
) -> tuple[dict[str, str], str]:
    """The environment of a crawl of the fixture sites into a fresh alias, and the alias."""
    registry = folder / "sites.yaml"
    registry.write_text(registry_yaml(sites, free_port()), encoding="utf-8")
    alias = f"{name}-{uuid.uuid4().hex[:8]}"
    env = {**os.environ, "ES_URL": es_url, "ES_INDEX": alias, "CRAWLER_SITES": str(registry)}
    return env, alias


def stop_all(sites: dict[str, FixtureSite]) -> None:
    for site in sites.values():
        stop(site)


def wait_until_listening(process: subprocess.Popen, port: int, within: float = 15.0) -> None:
    """Return once redis-server accepts connections on the port; fail saying why if not."""
    deadline = time.monotonic() + within
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError as exc:
            if process.poll() is not None:
                pytest.fail(f"redis-server exited ({process.returncode}) before port {port}")
            if time.monotonic() > deadline:
                pytest.fail(f"redis-server not listening on 127.0.0.1:{port} in {within} s: {exc}")
            time.sleep(0.05)


class RedisServer:
    """A real Redis on a loopback port of its own, which a test may stop and start again."""

    def __init__(self, folder: Path) -> None:
        self.folder, self.port = folder, free_port()
        self.url = f"redis://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [REDIS, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.folder)], stdout=subprocess.DEVNULL,
        )  # fmt: skip
        wait_until_listening(self.process, self.port)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


@pytest.fixture
def redis(tmp_path) -> Iterator[RedisServer]:
    """A real Redis on loopback for one test, stopped after it."""
    if not REDIS:
        pytest.skip("Debian's redis-server is not installed "
                    "(make test installs it as root: apt-get install redis-server)")  # fmt: skip
    server = RedisServer(tmp_path)
    try:
        server.start()
        yield server
    finally:
        server.stop()


@pytest.fixture
def redis_url(redis: RedisServer) -> str:
    return redis.url


def test_two_processes_fetch_no_article_twice(es_url, redis_url, tmp_path) -> None:
    sites = start_sites()
    for name, stories in EXPECTED.items():
        for story in stories:
            sites[name].routes[story.path].delay = 0.3  # long enough for both to work
    sites["thaibinh"].routes[THAIBINH[1].path].delay = TIMEOUT + 3  # still too slow
    env, alias = crawl_env(es_url, sites, tmp_path, "scale")
    command = [*CRAWL, "--redis", redis_url, *QUIET]
    try:
        pipes = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE, "text": True}
        workers = [subprocess.Popen(command, cwd=PROJECT, env=env, **pipes) for _ in range(2)]
        results = [worker.communicate(timeout=300) for worker in workers]
    finally:
        stop_all(sites)
    outputs = [out for out, _ in results]
    said = "\n".join(f"process {n}:\n{out}{err[-1500:]}" for n, (out, err) in enumerate(results))
    # Each page by the two together: the number of times it was fetched, then what it yielded.
    laichau = sites["laichau"].requests
    assert laichau[DISALLOWED] == 0, f"robots.txt-disallowed {DISALLOWED} was fetched\n{said}"
    for name, stories in EXPECTED.items():
        for story in stories:
            expected = 2 if story is LAICHAU[1] else 1  # that page answers 500 once
            fetched = sites[name].requests[story.path]
            assert fetched == expected, f"{name} {story.path}: fetched {fetched}x\n{said}"
    scraped = [json.loads(out)["totals"]["articles"] for out in outputs]
    assert sum(scraped) == 10, said  # every article scraped once, by one of the two
    from elasticsearch import Elasticsearch

    client = Elasticsearch(es_url)
    client.indices.refresh(index=alias)
    assert client.count(index=alias)["count"] == 10
    drop_alias(es_url, alias)


def test_a_shared_crawl_run_again_reads_its_start_points_again(es_url, redis_url, tmp_path):
    """The shared seen-set outlives a `crawl --redis` run: the next night's run still reads
    the listings and feeds for new articles, and fetches no article twice."""
    sites = start_sites()
    env, alias = crawl_env(es_url, sites, tmp_path, "again")
    crawl = ["crawl", "--json", "--redis", redis_url, "--site", "laichau", *QUIET]
    try:
        first, again = run_cli(*crawl, env=env), run_cli(*crawl, env=env)
    finally:
        stop_all(sites)
    assert json.loads(first.stdout)["totals"]["articles"] == len(EXPECTED["laichau"])
    assert json.loads(again.stdout)["totals"]["pages"] >= 2, again.stdout + again.stderr
    assert again.returncode == 0, again.stderr
    listings, feeds = SITES["laichau"][2], SITES["laichau"][3]
    for path in listings + feeds:
        assert sites["laichau"].requests[path] == 2, path
    for story in EXPECTED["laichau"]:
        times = 2 if story is LAICHAU[1] else 1  # that page answers 500 once
        assert sites["laichau"].requests[story.path] == times, story.path
    drop_alias(es_url, alias)


def test_the_next_nights_shared_crawl_reads_every_page_again(es_url, redis_url, tmp_path):
    """A page counts as seen for REDIS_SEEN_TTL: once that has passed (the next night), a
    `crawl --redis` run reads listing page 2 again, which has other articles every day, and
    fetches the article that failed the night before; what was indexed is not fetched."""
    sites = start_sites()
    failing, page_2 = LAICHAU[2], "/savefile/an-ninh-trat-tu/page-2/"  # it is on page 2
    sites["laichau"].routes[failing.path].fail_first = 2  # the first night's two tries
    env, alias = crawl_env(es_url, sites, tmp_path, "night")
    env["REDIS_SEEN_TTL"] = "8"
    crawl = ["crawl", "--json", "--redis", redis_url, "--site", "laichau", *QUIET]
    try:
        first = run_cli(*crawl, env=env)
        time.sleep(8)
        second = run_cli(*crawl, env=env)
    finally:
        stop_all(sites)
    said = first.stdout + first.stderr[-1500:] + second.stdout + second.stderr[-1500:]
    requests = sites["laichau"].requests
    assert requests[page_2] == 2, said
    assert requests[failing.path] == 3, said
    assert json.loads(first.stdout)["totals"]["articles"] == len(EXPECTED["laichau"]) - 1, said
    assert json.loads(second.stdout)["totals"]["articles"] == 1, said
    assert second.returncode == 0, said
    for story in EXPECTED["laichau"]:
        if story is not failing:
            times = 2 if story is LAICHAU[1] else 1  # that page answers 500 once
            assert requests[story.path] == times, story.path
    drop_alias(es_url, alias)


def test_waiting_workers_crawl_what_a_seeding_run_queues(es_url, redis_url, tmp_path) -> None:
    """Two `--keep-alive` workers wait; `--seed-only` queues the start points; together
    they fetch each page once and index each article once; seeded again, the listings
    are read again and no article twice; SIGTERM ends each worker with its report."""
    sites = start_sites()
    env, alias = crawl_env(es_url, sites, tmp_path, "workers")
    shared = ["--redis", redis_url, "--site", "laichau", "--site", "quangbinh"]
    worker = [*CRAWL, "--keep-alive", *shared, *QUIET]
    expected = len(EXPECTED["laichau"]) + len(EXPECTED["quangbinh"])
    from elasticsearch import Elasticsearch

    client = Elasticsearch(es_url)
    pipes = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE, "text": True}
    workers, idle = [], False
    try:
        workers = [subprocess.Popen(worker, cwd=PROJECT, env=env, **pipes) for _ in range(2)]
        time.sleep(3)  # started, idle: nothing is queued yet
        idle = all(w.poll() is None for w in workers)
        if idle:
            assert sum(s.requests.total() for s in sites.values()) == 0
            seeded = run_cli("crawl", "--seed-only", *shared, env=env)
            assert seeded.returncode == 0, seeded.stderr
            assert "queued 4 start point(s)" in seeded.stdout  # listing and feed or sitemap
            _wait_for_count(client, alias, expected)
            listing = SITES["laichau"][2][0]
            before = dict(sites["laichau"].requests)
            again = run_cli("crawl", "--seed-only", "--json", *shared, env=env)
            assert again.returncode == 0, again.stderr
            assert json.loads(again.stdout) == {"queued": 4, "redis": redis_url}
            deadline = time.monotonic() + 30
            fetched = sites["laichau"].requests
            while fetched[listing] == before[listing] and time.monotonic() < deadline:
                time.sleep(0.2)
            time.sleep(2)  # what the listing leads to is already seen: fetched by nobody
    finally:
        for process in workers:
            process.send_signal(signal.SIGTERM)
        results = [process.communicate(timeout=60) for process in workers]
        stop_all(sites)
    said = "\n".join(
        f"worker {n}:\n{out[-800:]}{err[-1500:]}" for n, (out, err) in enumerate(results)
    )
    assert idle, f"a worker ended with an empty queue\n{said}"
    assert sites["laichau"].requests[listing] == before[listing] + 1, said
    for name in ("laichau", "quangbinh"):
        for story in EXPECTED[name]:
            times = 2 if story is LAICHAU[1] else 1  # that page answers 500 once
            assert sites[name].requests[story.path] == times, f"{story.path}\n{said}"
    reports = [json.loads(out) for out, _ in results]
    assert sum(r["totals"]["articles"] for r in reports) == expected, said
    assert not any(r["interrupted"] for r in reports), said  # a signal is a worker's end
    client.indices.refresh(index=alias)
    assert client.count(index=alias)["count"] == expected
    drop_alias(es_url, alias)


def _wait_for_count(client, alias: str, count: int, within: float = 120) -> None:
    """Until the index holds ``count`` articles: the workers flush when they fall idle."""
    deadline = time.monotonic() + within
    found = 0
    while time.monotonic() < deadline:
        if client.indices.exists_alias(name=alias):
            client.indices.refresh(index=alias)
            found = client.count(index=alias)["count"]
            if found >= count:
                return
        time.sleep(0.5)
    raise AssertionError(f"{found} of {count} articles indexed in {within} s")


def test_a_worker_waits_out_a_redis_restart(es_url, redis, tmp_path) -> None:
    """Redis restarted under a waiting worker: the worker says so once, in a line, then
    crawls what a seeding run queues once Redis is back; every article indexed once."""
    sites = start_sites()
    env, alias = crawl_env(es_url, sites, tmp_path, "restart")
    shared = ["--redis", redis.url, "--site", "laichau"]
    from elasticsearch import Elasticsearch

    client = Elasticsearch(es_url)
    worker = subprocess.Popen(
        [*CRAWL, "--keep-alive", *shared, *QUIET],
        cwd=PROJECT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        _wait_for_a_client(redis, worker)  # the worker is up and waiting
        redis.stop()
        time.sleep(7)  # the engine asks the scheduler for a request every 5 s
        redis.start()
        seeded = run_cli("crawl", "--seed-only", *shared, env=env)
        assert seeded.returncode == 0, seeded.stderr
        _wait_for_count(client, alias, len(EXPECTED["laichau"]))
    finally:
        worker.send_signal(signal.SIGTERM)
        output, errors = worker.communicate(timeout=60)
        stop_all(sites)
    assert errors.count("is out of reach") == 1, errors
    assert "answers again after" in errors, errors
    assert "Traceback" not in errors, errors
    report = json.loads(output)
    assert report["totals"]["articles"] == len(EXPECTED["laichau"]), errors
    assert not report["interrupted"]
    client.indices.refresh(index=alias)
    assert client.count(index=alias)["count"] == len(EXPECTED["laichau"])
    drop_alias(es_url, alias)


def test_what_a_killed_worker_had_in_hand_is_crawled_at_the_next_seeding(
    es_url, redis, tmp_path
) -> None:
    """A worker SIGKILLed while it fetches articles: they were in the shared seen-set, and
    the next seeding has another worker fetch them; every article indexed once."""
    sites = start_sites()
    for story in EXPECTED["laichau"]:
        sites["laichau"].routes[story.path].delay = 1.5  # in hand when the kill comes
    env, alias = crawl_env(es_url, sites, tmp_path, "killed")
    shared = ["--redis", redis.url, "--site", "laichau"]
    worker = [*CRAWL, "--keep-alive", *shared, *QUIET]
    pipes = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE, "text": True}
    from elasticsearch import Elasticsearch

    client = Elasticsearch(es_url)
    first = subprocess.Popen(worker, cwd=PROJECT, env=env, **pipes)
    second = None
    try:
        _wait_for_a_client(redis, first)
        assert run_cli("crawl", "--seed-only", *shared, env=env).returncode == 0
        deadline = time.monotonic() + 60
        while not any(sites["laichau"].requests[s.path] for s in EXPECTED["laichau"]):
            assert time.monotonic() < deadline, "no article asked for in 60 s"
            time.sleep(0.02)
        first.kill()
        first.communicate(timeout=30)
        second = subprocess.Popen(worker, cwd=PROJECT, env=env, **pipes)
        _wait_for_a_client(redis, second)
        assert run_cli("crawl", "--seed-only", *shared, env=env).returncode == 0
        _wait_for_count(client, alias, len(EXPECTED["laichau"]))
    finally:
        for process in (first, second):
            if process and process.poll() is None:
                process.send_signal(signal.SIGTERM)
                process.communicate(timeout=60)
        stop_all(sites)
    client.indices.refresh(index=alias)
    assert client.count(index=alias)["count"] == len(EXPECTED["laichau"])
    drop_alias(es_url, alias)


def test_a_crawl_stops_saying_so_when_redis_stays_away(es_url, redis, tmp_path) -> None:
    """Redis gone for good in the middle of a shared crawl: after REDIS_OUTAGE_LIMIT the
    crawl stops, its report says why, the links it could not queue are named, exit 1."""
    sites = start_sites()
    listing = SITES["laichau"][2][0]
    sites["laichau"].routes[listing].delay = 1.0  # its links come after Redis has gone
    env, alias = crawl_env(es_url, sites, tmp_path, "outage")
    env["REDIS_OUTAGE_LIMIT"] = "3"
    crawl = subprocess.Popen(
        [*CRAWL, "--redis", redis.url, "--site", "laichau", *QUIET], cwd=PROJECT, env=env,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while sites["laichau"].requests[listing] == 0:
            assert crawl.poll() is None, crawl.stderr.read()
            assert time.monotonic() < deadline, "the listing was not asked for in 60 s"
            time.sleep(0.02)
        redis.stop()
        output, errors = crawl.communicate(timeout=120)
    finally:
        if crawl.poll() is None:
            crawl.kill()
            crawl.communicate()
        stop_all(sites)
    report = json.loads(output)
    assert report["stopped_early"] == (
        "stopped: the shared queue (Redis) was out of reach for 3 s"
    ), errors
    assert report["interrupted"]
    assert crawl.returncode == 1
    assert "never queued" in errors, errors
    assert f"({sites['laichau'].base}/" in errors, errors  # the first of them, by URL
    assert "Traceback" not in errors, errors
    drop_alias(es_url, alias)


def _wait_for_a_client(redis: RedisServer, worker: subprocess.Popen, within: float = 60) -> None:
    """Until a worker has opened its queue: Redis counts a client besides this one."""
    from redis import Redis

    connection = Redis.from_url(redis.url)
    deadline = time.monotonic() + within
    while len(connection.client_list()) < 2:
        assert worker.poll() is None, worker.communicate()[1][-2000:]
        assert time.monotonic() < deadline, f"no worker connected to Redis in {within} s"
        time.sleep(0.1)
    connection.close()


@pytest.mark.parametrize("mode", [[], ["--keep-alive"], ["--seed-only"]])
def test_a_shared_crawl_with_no_redis_says_so_before_it_starts(mode) -> None:
    port = free_port()  # nothing listens there
    result = run_cli("crawl", *mode, "--redis", f"redis://worker:secret@127.0.0.1:{port}")
    assert result.returncode == 2
    assert f"error: Redis at redis://***@127.0.0.1:{port} is not usable" in result.stderr
    assert "secret" not in result.stderr + result.stdout
    assert "Traceback" not in result.stderr


def test_a_redis_address_that_is_not_a_url_is_refused_naming_it() -> None:
    result = run_cli("crawl", "--redis", "localhost:6379")
    assert result.returncode == 2
    assert "error: --redis localhost:6379: Redis URL must specify one of" in result.stderr
    # Given in the environment, the variable is named.
    result = run_cli("crawl", "--seed-only", env={**os.environ, "REDIS_URL": "localhost:6379"})
    assert result.returncode == 2
    assert "error: REDIS_URL localhost:6379: Redis URL must specify one of" in result.stderr
