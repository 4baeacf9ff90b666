"""Two crawler processes share one frontier and duplicate filter through a real Redis."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
import uuid

import pytest

from tests.conftest import FAST_CRAWL, PROJECT, drop_alias, free_port
from tests.sites.catalog import EXPECTED, LAICHAU, registry_yaml, start_sites
from tests.sites.server import stop

REDIS = shutil.which("redis-server")


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
    registry = tmp_path / "sites.yaml"
    registry.write_text(registry_yaml(sites, free_port()), encoding="utf-8")
    alias = f"scale-{uuid.uuid4().hex[:8]}"
    env = {**os.environ, "ES_URL": es_url, "ES_INDEX": alias, "CRAWLER_SITES": str(registry)}
    command = [sys.executable, "-m", "crawler", "crawl", "--redis", f"redis://127.0.0.1:{port}",
               *FAST_CRAWL, "-s", "NER_ENABLED=0"]  # fmt: skip
    try:
        time.sleep(0.3)
        pipes = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE, "text": True}
        workers = [subprocess.Popen(command, cwd=PROJECT, env=env, **pipes) for _ in range(2)]
        outputs = [worker.communicate(timeout=300)[0] for worker in workers]
    finally:
        for site in sites.values():
            stop(site)
        redis.terminate()
        redis.wait(timeout=10)
    scraped = [int(re.search(r"pages, (\d+) articles in", out).group(1)) for out in outputs]
    assert sum(scraped) == 10, outputs  # every article scraped once, by one of the two
    for name, stories in EXPECTED.items():
        for story in stories:
            expected = 2 if story is LAICHAU[1] else 1  # that page answers 500 once
            assert sites[name].requests[story.path] == expected, (name, story.path)
    from elasticsearch import Elasticsearch

    client = Elasticsearch(es_url)
    client.indices.refresh(index=alias)
    assert client.count(index=alias)["count"] == 10
    drop_alias(es_url, alias)
