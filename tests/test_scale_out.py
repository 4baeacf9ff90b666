"""Two crawler processes share one frontier and duplicate filter through a real Redis."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import uuid

import pytest

from testkit.sites.catalog import (
    DISALLOWED,
    EXPECTED,
    LAICHAU,
    THAIBINH,
    registry_yaml,
    start_sites,
)
from testkit.sites.server import stop
from tests.conftest import FAST_CRAWL, PROJECT, drop_alias, free_port

REDIS = shutil.which("redis-server")
# Longer than FAST_CRAWL's 1.5 s: on a loaded machine the reactor can stall for seconds (a
# lazy heavy import), and a robots.txt that times out keeps its whole site out.
TIMEOUT = 6.0


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


@pytest.mark.skipif(not REDIS, reason="Debian's redis-server is not installed "
                    "(make test installs it as root: apt-get install redis-server)")  # fmt: skip
def test_two_processes_fetch_no_article_twice(es_url, tmp_path) -> None:
    port = free_port()
    redis = subprocess.Popen(
        [REDIS, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--dir", str(tmp_path)], stdout=subprocess.DEVNULL,
    )  # fmt: skip
    sites = start_sites()
    for name, stories in EXPECTED.items():
        for story in stories:
            sites[name].routes[story.path].delay = 0.3  # long enough for both to work
    sites["thaibinh"].routes[THAIBINH[1].path].delay = TIMEOUT + 3  # still too slow
    registry = tmp_path / "sites.yaml"
    registry.write_text(registry_yaml(sites, free_port()), encoding="utf-8")
    alias = f"scale-{uuid.uuid4().hex[:8]}"
    env = {**os.environ, "ES_URL": es_url, "ES_INDEX": alias, "CRAWLER_SITES": str(registry)}
    command = [sys.executable, "-m", "crawler", "crawl", "--json", "--redis",
               f"redis://127.0.0.1:{port}", *FAST_CRAWL, "-s", f"DOWNLOAD_TIMEOUT={TIMEOUT}",
               "-s", "NER_ENABLED=0"]  # fmt: skip
    try:
        wait_until_listening(redis, port)
        pipes = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE, "text": True}
        workers = [subprocess.Popen(command, cwd=PROJECT, env=env, **pipes) for _ in range(2)]
        results = [worker.communicate(timeout=300) for worker in workers]
    finally:
        for site in sites.values():
            stop(site)
        redis.terminate()
        redis.wait(timeout=10)
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
