"""The Docker files users run stay in step with the code (no Docker engine needed)."""

from __future__ import annotations

import json
import re
import tomllib

import yaml

from crawler.cli import build_parser
from crawler.config import VARIABLES
from crawler.config import environment as environ_settings
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


def _dockerfile() -> list[tuple[str, str]]:
    """(instruction, arguments) of docker/Dockerfile, continuation lines joined."""
    text = (PROJECT / "docker" / "Dockerfile").read_text().replace("\\\n", " ")
    lines = [line.strip() for line in text.splitlines()]
    return [tuple(line.split(None, 1)) for line in lines if line and not line.startswith("#")]


def test_dockerfile_copies_what_the_package_and_its_commands_need() -> None:
    """Every package pyproject installs, and the seeds, are copied before use; the image's
    default command is one the real command line accepts."""
    steps = _dockerfile()
    copied = {src for kind, args in steps if kind == "COPY" for src in args.split()[:-1]}
    packages = tomllib.loads((PROJECT / "pyproject.toml").read_text())["tool"]["setuptools"]
    wanted = {name.rstrip("*") for name in packages["packages"]["find"]["include"]}
    assert wanted | {"pyproject.toml", "seeds"} <= copied
    assert all((PROJECT / path).exists() for path in copied)
    install = next(i for i, (kind, args) in enumerate(steps) if "pip install" in args)
    assert all(
        i < install for i, (kind, args) in enumerate(steps) if kind == "COPY"
        and set(args.split()[:-1]) & wanted
    )  # fmt: skip
    (entrypoint,) = [json.loads(a) for k, a in steps if k == "ENTRYPOINT"]
    (command,) = [json.loads(a) for k, a in steps if k == "CMD"]
    assert entrypoint == ["crawler"]
    build_parser().parse_args(command)
    environment = dict(
        pair.split("=", 1) for kind, args in steps if kind == "ENV" for pair in args.split()
    )
    environ_settings(environment)


def unset(value: str) -> str:
    """A compose value as `docker compose` reads it when no variable is set in the shell:
    ${NAME:-default} is its default, ${NAME} nothing."""
    return re.sub(r"\$\{\w+(?::-([^}]*))?\}", lambda m: m.group(1) or "", value)


def test_compose_services_run_real_commands_with_known_settings() -> None:
    """A renamed command or environment variable breaks the compose file: caught here."""
    compose = yaml.safe_load((PROJECT / "docker" / "docker-compose.yml").read_text())
    known = {variable.name for variable in VARIABLES}
    for name in ("crawler", "scheduler", "web"):
        service = compose["services"][name]
        build_parser().parse_args(service.get("command") or ["replay", "seeds/"])
        assert set(service["environment"]) <= known, name
        environ_settings({k: unset(str(v)) for k, v in service["environment"].items()})
    web = compose["services"]["web"]
    assert web["command"][0] == "serve"
    assert "0.0.0.0" in web["command"]  # reachable from outside its container


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
    assert '"names": ["articles", "articles-*", "crawl-runs", "watches"]' in script
