"""Scrapy's own commands on the project, as a Scrapy user would run them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid

from testkit.sites.catalog import LAICHAU, registry_yaml, start_sites
from testkit.sites.server import stop
from tests.conftest import PROJECT, drop_alias, free_port


def scrapy(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "scrapy", *args], cwd=PROJECT, env=env, capture_output=True,
        text=True, timeout=300, check=False,
    )  # fmt: skip


def test_seeds_export_without_elasticsearch(tmp_path) -> None:
    out = tmp_path / "out.jsonl"
    env = {**os.environ, "ES_URL": f"http://127.0.0.1:{free_port()}"}
    result = scrapy("crawl", "seeds", "-a", "path=seeds/", "-O", str(out), env=env)
    assert result.returncode == 0, result.stderr[-2000:]
    (article,) = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert article["title"]
    assert "Exporting only, nothing will be indexed" in result.stderr


def test_police_export_twice_exports_twice_and_parse_reads_one_url(es_url, tmp_path) -> None:
    sites = start_sites()
    registry = tmp_path / "sites.yaml"
    registry.write_text(registry_yaml(sites, free_port()), encoding="utf-8")
    alias = f"scrapy-{uuid.uuid4().hex[:8]}"
    env = {**os.environ, "ES_URL": es_url, "ES_INDEX": alias, "CRAWLER_SITES": str(registry),
           "CRAWLER_SPOOL_DIR": str(tmp_path / "spool"), "NER_WORKERS": "1"}  # fmt: skip
    fast = ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=0", "-s", "NER_ENABLED=0"]
    url = sites["laichau"].base + LAICHAU[0].path
    try:
        exported = []
        for run in range(2):
            out = tmp_path / f"run{run}.jsonl"
            result = scrapy("crawl", "police", "-a", "site=laichau", *fast, "-O", str(out), env=env)
            assert result.returncode == 0, result.stderr[-2000:]
            exported.append({json.loads(line)["url"] for line in out.read_text().splitlines()})
        assert len(exported[0]) == 4
        assert exported[1] == exported[0]  # the index has them all: exported again anyway
        parsed = scrapy("parse", "--spider=police", "--nolog", url, env=env)
        assert parsed.returncode == 0, parsed.stderr[-2000:]
        assert LAICHAU[0].title in parsed.stdout
    finally:
        for site in sites.values():
            stop(site)
        drop_alias(es_url, alias)
