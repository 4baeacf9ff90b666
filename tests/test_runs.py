"""A run's typed results: an exception inside a pipeline step is a failure of its site,
in the report and in the exit code."""

from __future__ import annotations

import json
import os
import uuid

from elasticsearch import Elasticsearch

from crawler.items import Article
from testkit.sites.catalog import LAICHAU, registry_yaml, start_sites
from testkit.sites.server import stop
from tests.conftest import FAST_CRAWL, drop_alias, free_port, run_report

EXPLODES_ON = LAICHAU[2].title


class ExplodingPipeline:
    """A pipeline step with a bug that one article triggers (as the entity step might)."""

    def process_item(self, item: Article) -> Article:
        if item.title == EXPLODES_ON:
            raise RuntimeError("bug in a pipeline step")
        return item


def test_an_exception_in_a_pipeline_fails_the_run_and_names_the_article(es_url, tmp_path) -> None:
    sites = start_sites()
    registry = tmp_path / "sites.yaml"
    registry.write_text(registry_yaml(sites, free_port()), encoding="utf-8")
    alias = f"runs-{uuid.uuid4().hex[:8]}"
    env = {**os.environ, "ES_URL": es_url, "ES_INDEX": alias, "CRAWLER_SITES": str(registry),
           "CRAWLER_SPOOL_DIR": str(tmp_path / "spool")}  # fmt: skip
    pipelines = {
        "pipelines.validate.ValidatePipeline": 100,
        "pipelines.normalize.NormalizePipeline": 200,
        "pipelines.fingerprint.FingerprintPipeline": 250,
        "tests.test_runs.ExplodingPipeline": 300,
        "pipelines.elasticsearch.ElasticsearchPipeline": 900,
    }
    try:
        chain = f"ITEM_PIPELINES={json.dumps(pipelines)}"
        report, process = run_report("crawl", "--site", "laichau", *FAST_CRAWL, "-s", chain,
                                     env=env)  # fmt: skip
    finally:
        for site in sites.values():
            stop(site)
    assert process.returncode == 1
    url = sites["laichau"].base + LAICHAU[2].path
    assert report["failures"] == [
        {
            "site": "laichau",
            "url": url,
            "reason": "not processed: RuntimeError: bug in a pipeline step",
        }
    ]
    laichau = report["sites"]["laichau"]
    assert (laichau["articles"], laichau["new"], laichau["failed"]) == (4, 3, 1)
    client = Elasticsearch(es_url)
    client.indices.refresh(index=alias)
    assert client.count(index=alias)["count"] == 3
    drop_alias(es_url, alias)
