"""Shared fixtures: a real Elasticsearch node for the session, and the CLI as users run it."""

from __future__ import annotations

import contextlib
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from elasticsearch import Elasticsearch

from crawler.es.probe import port_problem
from crawler.es.server import LocalNode, default_base
from crawler.nlp.evaluation import load_set
from crawler.text import split_paragraphs
from testkit import PROJECT, SEED

# Crawl settings for loopback fixture sites: politeness off, a timeout short enough that
# the slow fixture page times out, quick retries.
FAST_CRAWL = ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=0", "-s",
              "DOWNLOAD_TIMEOUT=1.5", "-s", "RETRY_TIMES=1", "-s",
              "RETRY_BACKOFF_BASE=0.1"]  # fmt: skip


@pytest.fixture(scope="session", autouse=True)
def no_user_sites(tmp_path_factory: pytest.TempPathFactory) -> None:
    # A developer's own `crawler sites add` file (<checkout>/sites.yaml) adds no real site here.
    os.environ["CRAWLER_USER_SITES"] = str(tmp_path_factory.mktemp("user-sites") / "none.yaml")


def police_texts() -> list[str]:
    """Real-looking police news paragraphs: the entity sets' texts and the seed's."""
    texts = [row["text"] for row in load_set(PROJECT / "tests/data/entities/dev.jsonl")]
    texts += [row["text"] for row in load_set(PROJECT / "tests/data/entities/heldout.jsonl")]
    return texts + split_paragraphs(SEED.read_text(encoding="utf-8"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def free_ports(count: int) -> tuple[int, int]:
    """An HTTP and a transport port range of ``count`` consecutive free ports each, below
    Linux's ephemeral ports (32768 and up): a restarted node finds its ports free, not
    taken by some connection's local end meanwhile."""
    for _ in range(50):
        http, transport = random.randrange(20000, 26000), random.randrange(26000, 32000)
        wanted = [*range(http, http + count), *range(transport, transport + count)]
        if not any(port_problem(port) for port in wanted):
            return http, transport
    raise RuntimeError("no free port ranges")


def node_base() -> Path:
    """Where test nodes live: ES_LOCAL_DIR, as for `crawler es up`, else the project's."""
    return default_base(PROJECT, os.environ.get("ES_LOCAL_DIR"))


@pytest.fixture(scope="session")
def es_url() -> Iterator[str]:
    """ES_TEST_URL if given, else a throwaway local node started for this session."""
    if os.environ.get("ES_TEST_URL"):
        yield os.environ["ES_TEST_URL"]
        return
    # A node of its own per session: sessions run side by side do not share its folder.
    # It dies with the session, even a killed one that never reaches node.down().
    node = LocalNode(
        base=node_base(), name=f"test-{os.getpid()}", port=free_port(), die_with_parent=True
    )
    shutil.rmtree(node.home / "data", ignore_errors=True)
    node.up()
    try:
        yield node.url
    finally:
        node.down()
        shutil.rmtree(node.home, ignore_errors=True)


@pytest.fixture
def es_index(es_url: str) -> Iterator[str]:
    """A fresh alias name for one test; its indices are deleted afterwards."""
    alias = f"test-{uuid.uuid4().hex[:8]}"
    yield alias
    drop_alias(es_url, alias)


@contextlib.contextmanager
def http_request_limit(es: Elasticsearch, limit: str) -> Iterator[None]:
    """Elasticsearch refuses (429, circuit breaker) any HTTP request over `limit` while
    this lasts: the one memory limit on request size that changes at runtime."""
    es.cluster.put_settings(transient={"network.breaker.inflight_requests.limit": limit})
    try:
        yield
    finally:
        es.cluster.put_settings(transient={"network.breaker.inflight_requests.limit": None})


def drop_alias(es_url: str | list[str], alias: str) -> None:
    """Delete the indices behind an alias (wildcard deletes are refused by default)."""
    with Elasticsearch(es_url) as client:
        if client.indices.exists_alias(name=alias):
            client.indices.delete(index=list(client.indices.get_alias(name=alias)))


@pytest.fixture
def es(es_url: str) -> Iterator[Elasticsearch]:
    client = Elasticsearch(es_url)
    yield client
    client.close()


@pytest.fixture
def few_buckets(es: Elasticsearch) -> Iterator[None]:
    """Elasticsearch refusing aggregations of more than a few buckets, as a node short of
    memory refuses large ones."""
    es.cluster.put_settings(persistent={"search.max_buckets": 4})
    try:
        yield
    finally:
        es.cluster.put_settings(persistent={"search.max_buckets": None})


@pytest.fixture
def cli_env(es_url: str, es_index: str) -> dict[str, str]:
    """Environment for running the `crawler` command against the test node and alias."""
    return {**os.environ, "ES_URL": es_url, "ES_INDEX": es_index}


def run_report(*args: str, env: dict[str, str]) -> tuple[dict, subprocess.CompletedProcess]:
    """Run `crawler crawl|nightly ... --json`; its report and the finished process."""
    result = run_cli(*args, "--json", env=env)
    try:
        return json.loads(result.stdout), result
    except json.JSONDecodeError:
        raise AssertionError(
            f"no JSON report: {result.stdout[-500:]}{result.stderr[-2000:]}"
        ) from None


def run_cli(
    *args: str,
    env: dict[str, str] | None = None,
    command: tuple[str, ...] = (sys.executable, "-m", "crawler"),
    cwd: Path = PROJECT,
) -> subprocess.CompletedProcess:
    """Run `python -m crawler ARGS` from the project folder, as a user would (or another
    ``command``, e.g. an installed `crawler`, from another folder)."""
    return subprocess.run(
        [*command, *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


@pytest.fixture(scope="session")
def corpus_index(es_url: str) -> Iterator[str]:
    """The 256-article relevance corpus, through every pipeline step, in its own alias."""
    from testkit.relevance_corpus import index_corpus

    alias = f"test-corpus-{uuid.uuid4().hex[:8]}"
    with Elasticsearch(es_url) as client:
        failed = index_corpus(client, alias)
    assert not failed, failed[:3]
    yield alias
    drop_alias(es_url, alias)


@pytest.fixture(scope="session")
def web(es_url: str, corpus_index: str) -> Iterator[str]:
    """The app served by uvicorn on 127.0.0.1 over the relevance corpus."""
    port = free_port()
    from crawler.commands.serve import server as serving
    from crawler.web.app import create_app

    app = create_app(Elasticsearch(es_url), corpus_index)
    server = serving(app, "127.0.0.1", port)  # as `crawler serve` serves it
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            time.sleep(0.1)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@contextlib.contextmanager
def served(app) -> Iterator[str]:
    """The app served on loopback as `crawler serve` serves it."""
    from crawler.commands.serve import server

    port = free_port()
    serving = server(app, "127.0.0.1", port)
    thread = threading.Thread(target=serving.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not serving.started and time.monotonic() < deadline:
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        serving.should_exit = True
        thread.join(timeout=10)
