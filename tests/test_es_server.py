"""`crawler es up | down | status` and the local node's clear errors."""

from __future__ import annotations

import http.server
import os
import threading
from collections.abc import Iterator

import pytest

from crawler.es.server import LocalNode, ServerError, default_base, find_java_home
from tests.conftest import PROJECT, free_port, run_cli


class NotFoundHandler(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        self.send_error(404, "Not Found")


@pytest.fixture
def other_server() -> Iterator[int]:
    """A web server on loopback that is not Elasticsearch: 404 for everything."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), NotFoundHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


def env_for(url: str, **extra: str) -> dict[str, str]:
    return {**os.environ, "ES_URL": url, **extra}


def test_up_twice_is_harmless_and_status_reports(es_url: str) -> None:
    for _ in range(2):
        result = run_cli("es", "up", env=env_for(es_url))
        assert result.returncode == 0, result.stderr
        assert "already running" in result.stdout
    status = run_cli("es", "status", env=env_for(es_url))
    assert status.returncode == 0, status.stderr
    assert status.stdout.startswith("Elasticsearch 8.19.21 at ")
    assert any(health in status.stdout for health in (": green", ": yellow"))


def test_port_taken_by_something_else(other_server: int) -> None:
    result = run_cli("es", "up", env=env_for(f"http://127.0.0.1:{other_server}"))
    assert result.returncode == 2
    assert f"port {other_server} is in use by something that is not Elasticsearch" in (
        result.stderr
    )


def test_no_java(tmp_path) -> None:
    env = env_for(
        f"http://127.0.0.1:{free_port()}",
        ES_JAVA_HOME="/nonexistent/jdk",
        ES_LOCAL_DIR=str(tmp_path / "es"),
    )
    result = run_cli("es", "up", env=env)
    assert result.returncode == 2
    assert "ES_JAVA_HOME=/nonexistent/jdk has no bin/java" in result.stderr
    with pytest.raises(ServerError, match="no Java found"):
        find_java_home({"PATH": "/nonexistent"})


def test_failed_download_names_the_url(tmp_path, other_server: int) -> None:
    repo = f"http://127.0.0.1:{other_server}/maven2"
    env = env_for(
        f"http://127.0.0.1:{free_port()}",
        ES_MAVEN_REPO=repo,
        ES_LOCAL_DIR=str(tmp_path / "es"),
        XDG_CACHE_HOME=str(tmp_path / "cache"),
    )
    result = run_cli("es", "up", env=env)
    assert result.returncode == 2
    assert f"download of {repo}/org/elasticsearch/distribution" in result.stderr
    assert "failed: HTTP Error 404" in result.stderr


def test_node_that_does_not_come_up_shows_its_log(es_url: str) -> None:
    node = LocalNode(base=default_base(PROJECT), name="broken", port=free_port(), heap="1k")
    with pytest.raises(ServerError, match=r"did not start(?s:.*)Too small maximum heap"):
        node.up()


def test_down_when_nothing_runs() -> None:
    result = run_cli("es", "down", env=env_for(f"http://127.0.0.1:{free_port()}"))
    assert result.returncode == 0
    assert "not running" in result.stdout


def test_es_commands_refuse_a_remote_url() -> None:
    result = run_cli("es", "up", env=env_for("https://search.example.org:9243"))
    assert result.returncode == 2
    assert "not on this machine" in result.stderr
