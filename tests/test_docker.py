"""The Docker files users run stay in step with the code (no Docker engine needed)."""

from __future__ import annotations

import yaml

from crawler.es.server import ES_VERSION
from tests.conftest import PROJECT


def test_compose_uses_the_same_elasticsearch_as_the_local_node() -> None:
    compose = yaml.safe_load((PROJECT / "docker" / "docker-compose.yml").read_text())
    elasticsearch = compose["services"]["elasticsearch"]
    assert elasticsearch["image"].endswith(f"/elasticsearch:{ES_VERSION}")
    assert elasticsearch["environment"]["discovery.type"] == "single-node"
    assert "healthcheck" in elasticsearch
    assert any(v.endswith(":/usr/share/elasticsearch/data") for v in elasticsearch["volumes"])
    crawler = compose["services"]["crawler"]
    assert compose["services"]["es-setup"]["depends_on"]["elasticsearch"]["condition"] == (
        "service_healthy"
    )
    assert (PROJECT / crawler["build"]["context"].replace("..", ".")).is_dir()


def test_dockerfile_copies_every_package_the_project_installs() -> None:
    dockerfile = (PROJECT / "docker" / "Dockerfile").read_text()
    for package in ("crawler", "pipelines", "seeds"):
        assert f"COPY {package} ./{package}" in dockerfile


def test_compose_serves_the_search_page() -> None:
    compose = yaml.safe_load((PROJECT / "docker" / "docker-compose.yml").read_text())
    web = compose["services"]["web"]
    assert web["command"][0] == "serve"


def test_compose_runs_the_scheduler_with_durable_runs_and_spool() -> None:
    compose = yaml.safe_load((PROJECT / "docker" / "docker-compose.yml").read_text())
    scheduler = compose["services"]["scheduler"]
    assert scheduler["command"] == ["schedule"]
    assert {"CRAWLER_RUNS_DIR", "CRAWLER_SPOOL_DIR"} <= set(scheduler["environment"])
    assert "crawlerdata:/data" in scheduler["volumes"]


def test_crawler_services_use_a_least_privilege_api_key_never_the_password() -> None:
    compose = yaml.safe_load((PROJECT / "docker" / "docker-compose.yml").read_text())
    services = compose["services"]
    for name in ("crawler", "scheduler", "web"):
        environment = services[name]["environment"]
        assert environment["ES_API_KEY_FILE"] == "/keys/crawler.key"
        assert not {"ES_PASSWORD", "ES_USERNAME", "ELASTIC_PASSWORD"} & set(environment)
        assert "keys:/keys:ro" in services[name]["volumes"]
        assert services[name]["depends_on"] == {
            "es-setup": {"condition": "service_completed_successfully"}
        }
    script = (PROJECT / "docker" / "create-api-key.sh").read_text()
    assert '"names": ["articles", "articles-*", "crawl-runs"]' in script
