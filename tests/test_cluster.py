"""A three-node cluster on loopback: a crawl and a nightly run lose a node (SIGKILL) midway,
searches keep answering, every article is indexed once, the node rejoins, green again."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest
from elasticsearch import Elasticsearch

from crawler.es.client import hosts
from crawler.es.server import LocalCluster, LocalNode, _tail
from testkit.sites.generated import build, registry_yaml
from testkit.sites.server import FixtureSite, stop
from tests.conftest import FAST_CRAWL, PROJECT, drop_alias, free_ports, node_base, run_cli

ARTICLES = 40
# Small bulk requests, so that writes are under way when the node dies; no entities (speed).
# The site holds its pages while the test kills a node: a download timeout longer than that.
RUN = [*FAST_CRAWL, "-s", "NER_ENABLED=0", "-s", "ES_BULK_SIZE=4", "-s", "DOWNLOAD_TIMEOUT=300",
       "--json"]  # fmt: skip


@pytest.fixture(scope="module")
def cluster() -> Iterator[LocalCluster]:
    http, transport = free_ports(3)
    cluster = LocalCluster(
        base=node_base(), size=3, port=http, transport_port=transport,
        die_with_parent=True, name=f"test-cluster-{os.getpid()}", prefix=f"c{os.getpid()}",
    )  # fmt: skip
    try:
        cluster.up()
        yield cluster
    finally:
        cluster.down()
        for node in cluster.nodes:
            subprocess.run(["rm", "-rf", str(node.home)], check=False)


@pytest.fixture
def site() -> Iterator[FixtureSite]:
    """A site of ARTICLES articles whose pages take a moment each: a run of some seconds."""
    site = build("wordpress", "127.0.0.2", ARTICLES)
    for route in site.routes.values():
        route.delay = 0.15
    yield site
    stop(site)


def _environment(cluster: LocalCluster, site: FixtureSite, tmp_path: Path) -> dict[str, str]:
    registry = tmp_path / "sites.yaml"
    registry.write_text(registry_yaml([site]), encoding="utf-8")
    return {**os.environ, "ES_URL": cluster.url, "ES_INDEX": f"cl-{uuid.uuid4().hex[:8]}",
            "ES_RUNS_INDEX": f"cl-runs-{uuid.uuid4().hex[:8]}", "CRAWLER_SITES": str(registry),
            "CRAWLER_RUNS_DIR": str(tmp_path / "runs"),
            "CRAWLER_SPOOL_DIR": str(tmp_path / "spool")}  # fmt: skip


def _kill_midway(cluster: LocalCluster, site: FixtureSite, env: dict[str, str], command: str):
    """Run the command; once a third of the articles were fetched (the site then holds its
    pages: the run cannot end while the test waits for the index's copies), SIGKILL a node
    that holds a copy of the index (the primary's, unless that node is the elected master:
    a lost master is an election on top, which a busy 2-core machine may not finish within
    the client's timeouts) and search through the others while the run goes on. The
    finished process, the killed node and the searches' exit codes."""
    _every_member_up(cluster)
    site.hold_after = ARTICLES // 3
    process = subprocess.Popen(
        [sys.executable, "-m", "crawler", command, *RUN], cwd=PROJECT, env=env,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    deadline = time.monotonic() + 120
    while sum(site.requests.values()) <= site.hold_after and time.monotonic() < deadline:
        time.sleep(0.05)
    try:
        assert process.poll() is None, "the run ended before a node could be killed"
        client = Elasticsearch(hosts(cluster.url))
        victim = _holder(cluster, client, env["ES_INDEX"])
        victim.kill()
        searches = [_search(env)]  # the node is gone, the run waits for the site
    finally:
        site.released.set()
    while process.poll() is None:
        searches.append(_search(env))
        time.sleep(1)
    stdout, stderr = process.communicate()
    result = subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)
    return result, victim, searches


def _search(env: dict[str, str]) -> int:
    return run_cli("search", "công an", "--json", env=env).returncode


def _every_member_up(cluster: LocalCluster) -> None:
    """A run starts on a whole, green cluster. A member that stopped since the last test
    (which checked it green with three nodes) is named with its log, then started again:
    this test is about the node it kills itself."""
    if not all(node.running for node in cluster.nodes):
        warnings.warn(f"members stopped between tests:\n{_members(cluster)}", stacklevel=2)
        cluster.up()
    with Elasticsearch(hosts(cluster.url)) as client:
        health = client.cluster.health(
            wait_for_nodes=str(cluster.size), wait_for_status="green", timeout="120s"
        )
    whole = (health["status"], health["number_of_nodes"]) == ("green", cluster.size)
    assert whole, _members(cluster)


def _members(cluster: LocalCluster) -> str:
    """Which members run, and the last lines of the log and watchdog of those that do not."""
    lines = []
    for node in cluster.nodes:
        lines.append(f"{node.name} ({node.url}): {'running' if node.running else 'STOPPED'}")
        if not node.running:
            lines += [f"{log}:\n{_tail(log, 12)}" for log in (node.log_file, node.watchdog_log)]
    return "\n".join(lines)


def _holder(cluster: LocalCluster, client: Elasticsearch, alias: str) -> LocalNode:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if client.indices.exists_alias(name=alias):
            # Both copies started first: a node killed while the replica is still being
            # built takes the only copy with it (red), as it would on any cluster.
            waiting = client.options(request_timeout=90)  # the client's own is 10 s
            waiting.cluster.health(index=alias, wait_for_status="green", timeout="60s")
            master = client.cat.master(format="json")[0]["node"]
            rows = client.cat.shards(index=alias, format="json", h="prirep,state,node")
            started = sorted((r["prirep"], r["node"]) for r in rows if r["state"] == "STARTED")
            holders = [node for _, node in started if node != master]
            if holders:
                return next(n for n in cluster.nodes if n.name == holders[0])
        time.sleep(0.2)
    raise AssertionError(f"no started copy of {alias} on a node that is not the master")


def _indexed_once(client: Elasticsearch, alias: str) -> list[str]:
    client.indices.refresh(index=alias)
    hits = client.search(index=alias, size=1000, source=["url"])["hits"]["hits"]
    return [hit["_source"]["url"] for hit in hits]


@pytest.mark.parametrize("command", ["crawl", "nightly"])
def test_a_run_survives_a_killed_node(cluster, site, tmp_path, command) -> None:
    env = _environment(cluster, site, tmp_path)
    result, victim, searches = _kill_midway(cluster, site, env, command)
    client = Elasticsearch(hosts(cluster.url))
    try:
        output = (result.stdout[-1500:], result.stderr[-3000:], f"killed {victim.name}")
        assert result.returncode == 0, "\n".join((*output, _members(cluster)))
        urls = _indexed_once(client, env["ES_INDEX"])
        assert len(urls) == len(set(urls)) == ARTICLES
        # Searches answered while the cluster was short of a node.
        assert searches, "no search ran during the run"
        assert set(searches) == {0}, searches
        health = client.cluster.health()
        assert health["number_of_nodes"] == 2, _members(cluster)
        status = run_cli("es", "status", env=env)
        assert f"not answering: {victim.url} (listed in ES_URL" in status.stdout, status.stdout
        # The node comes back and the replicas are placed again: green.
        victim.up()
        health = client.cluster.health(wait_for_status="green", timeout="120s")
        assert (health["status"], health["number_of_nodes"]) == ("green", 3), _members(cluster)
        shards = client.cat.shards(index=env["ES_INDEX"], format="json", h="prirep,state")
        assert sorted(row["prirep"] for row in shards) == ["p", "r"]
    finally:
        if not victim.running:  # a failed assertion above: the next tests need it back
            victim.up()
        drop_alias(hosts(cluster.url), env["ES_INDEX"])
        if client.indices.exists(index=env["ES_RUNS_INDEX"]):
            client.indices.delete(index=env["ES_RUNS_INDEX"])
        client.close()


def test_es_commands_manage_a_cluster(cluster, tmp_path) -> None:
    """`crawler es status` names the nodes and the shards of a cluster ES_URL lists."""
    env = {**os.environ, "ES_URL": cluster.url}
    status = run_cli("es", "status", env=env)
    assert status.returncode == 0, status.stderr
    assert "3 node(s)" in status.stdout
    for node in cluster.nodes:
        assert node.name in status.stdout
    assert "(master)" in status.stdout
    again = run_cli("es", "up", env=env)  # every member runs: nothing to start
    assert again.returncode == 0, again.stderr
    assert "already running, a cluster of 3 nodes" in again.stdout
    wrong = {**env, "ES_URL": f"{cluster.nodes[0].url},http://127.0.0.1:9"}
    refused = run_cli("es", "up", env=wrong)
    assert refused.returncode == 2
    assert "not 2 consecutive ports" in refused.stderr
    for size in ("0", "10"):
        refused = run_cli("es", "up", "--nodes", size, env=env)
        assert refused.returncode == 2, size
        assert f"--nodes {size}: a local cluster has 1 to 9 nodes" in refused.stderr


def test_es_down_stops_the_cluster_and_no_other_node(cluster, es_url) -> None:
    """`crawler es down` with any member's address stops every member, even when that
    member has crashed; the test session's own node in the same folder keeps running.
    (Last: the cluster is gone after it.)"""
    crashed = cluster.nodes[0]
    crashed.kill()
    env = {**os.environ, "ES_URL": crashed.url, "ES_LOCAL_DIR": str(node_base())}
    result = run_cli("es", "down", env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("stopped") == 2, result.stdout
    assert not any(node.running for node in cluster.nodes)
    assert Elasticsearch(es_url).cluster.health()["status"] in ("green", "yellow")
