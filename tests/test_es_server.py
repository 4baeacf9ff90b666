"""`crawler es up | down | status` and the local node's clear errors."""

from __future__ import annotations

import http.server
import json
import os
import shutil
import signal
import socket
import subprocess
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator

import pytest

from crawler.es.probe import PROBE_TIMEOUT, port_problem
from crawler.es.server import LocalCluster, LocalNode, ServerError, _alive, find_java_home
from tests.conftest import free_port, free_ports, node_base, run_cli

GARBAGE = b"\x00\x01\xfe garbage\r\n"


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


def serve_connection(conn: socket.socket, behaviour: str, stop: threading.Event) -> None:
    with conn:
        if behaviour == "hangs up":  # at once, with the request unread: a reset
            return
        conn.settimeout(1)
        try:
            conn.recv(4096)  # the request, if one comes
            if behaviour == "garbage":
                conn.sendall(GARBAGE)
            while behaviour == "drips" and not stop.wait(0.3):  # slower than any timeout
                conn.sendall(b"x")
        except OSError:
            return
        if behaviour == "silent":
            stop.wait()


@pytest.fixture
def listener() -> Iterator[Callable[..., int]]:
    """Starts TCP listeners on loopback that are no web server, each answering every
    connection one way: garbage, silent, hangs up, drips; each one's port."""
    stop = threading.Event()
    sockets: list[socket.socket] = []

    def start(behaviour: str) -> int:
        server = socket.create_server(("127.0.0.1", 0))
        server.settimeout(0.1)
        sockets.append(server)

        def accept() -> None:
            while not stop.is_set():
                try:
                    conn, _ = server.accept()
                except TimeoutError:
                    continue
                except OSError:
                    return
                args = (conn, behaviour, stop)
                threading.Thread(target=serve_connection, args=args, daemon=True).start()

        threading.Thread(target=accept, daemon=True).start()
        return server.getsockname()[1]

    yield start
    stop.set()
    for server in sockets:
        server.close()


def transport_port_of(es_url: str) -> int:
    """The transport port of the node at es_url (a real Elasticsearch transport port)."""
    path = "/_nodes/_local?filter_path=nodes.*.transport_address"
    with urllib.request.urlopen(es_url + path, timeout=10) as resp:
        (node,) = json.load(resp)["nodes"].values()
    host, port = node["transport_address"].rsplit(":", 1)
    if host != "127.0.0.1":
        pytest.skip(f"the test node's transport is on {host}, not this machine")
    return int(port)


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
    node = LocalNode(base=node_base(), name="broken", port=free_port(), heap="1k")
    with pytest.raises(ServerError, match=r"did not start(?s:.*)Too small maximum heap"):
        node.up()


def test_down_when_nothing_runs() -> None:
    result = run_cli("es", "down", env=env_for(f"http://127.0.0.1:{free_port()}"))
    assert result.returncode == 0
    assert "not running" in result.stdout


@pytest.mark.parametrize(
    ("behaviour", "found"),
    [
        ("garbage", f"it answered {GARBAGE!r}, which is not HTTP"),
        ("silent", "it accepted the connection but answered nothing"),
        ("hangs up", "it accepted the connection but answered nothing"),
        ("drips", "it answered b'x"),
    ],
)
def test_http_port_held_by_something_that_is_not_http(
    tmp_path, listener, behaviour: str, found: str
) -> None:
    port = listener(behaviour)
    node = LocalNode(base=tmp_path / "es", port=port)
    started = time.monotonic()
    with pytest.raises(ServerError) as error:
        node.up()
    assert time.monotonic() - started < 2 * PROBE_TIMEOUT + 1
    assert str(error.value).startswith(
        f"port {port} is in use by something that is not Elasticsearch: {found}"
    )
    assert node.down() == f"Elasticsearch is not running at http://127.0.0.1:{port}"


def test_es_up_on_a_garbage_port_is_one_line(tmp_path, listener) -> None:
    port = listener("garbage")
    env = env_for(f"http://127.0.0.1:{port}", ES_LOCAL_DIR=str(tmp_path / "es"))
    up = run_cli("es", "up", env=env)
    assert up.returncode == 2
    assert up.stderr == (
        f"error: port {port} is in use by something that is not Elasticsearch: it answered "
        f"{GARBAGE!r}, which is not HTTP; stop it or choose another port with ES_URL\n"
    )
    down = run_cli("es", "down", env=env)
    assert (down.returncode, down.stderr) == (0, "")
    assert "not running" in down.stdout


def test_transport_port_held_by_another_process(tmp_path, listener) -> None:
    held = listener("garbage")
    node = LocalNode(base=tmp_path / "es", port=free_port(), transport_port=held)
    with pytest.raises(ServerError) as error:
        node.up()
    assert str(error.value) == (
        f"transport port {held} is held by another process: it answered {GARBAGE!r}, which is "
        "not HTTP; choose another with ES_TRANSPORT_PORT, or unset it to take the first free "
        "one from 9300"
    )
    assert not (tmp_path / "es").exists()  # refused before anything was installed


def test_ports_elasticsearch_cannot_use(tmp_path) -> None:
    assert port_problem(free_port()) is None
    assert "below 1024" in port_problem(80)
    port = free_port()
    with pytest.raises(ServerError, match=f"ES_TRANSPORT_PORT is {port}, the HTTP port"):
        LocalNode(base=tmp_path / "es", port=port, transport_port=port).up()


def test_ports_of_a_real_node(es_url: str, tmp_path) -> None:
    """Its transport port is named as such, whether asked for as transport or as HTTP."""
    transport = transport_port_of(es_url)
    node = LocalNode(base=tmp_path / "es", port=free_port(), transport_port=transport)
    with pytest.raises(ServerError) as error:
        node.up()
    assert str(error.value).startswith(
        f"transport port {transport} is held by another process: an Elasticsearch node "
        "(it answered 'This is not an HTTP port', as transport ports do); "
    )
    result = run_cli("es", "up", env=env_for(f"http://127.0.0.1:{transport}"))
    assert result.returncode == 2
    assert f"port {transport} is the transport port of an Elasticsearch node, not its HTTP" in (
        result.stderr
    )


def test_node_on_a_chosen_transport_port() -> None:
    node = LocalNode(base=node_base(), name=f"transport-{os.getpid()}",
                     port=free_port(), transport_port=free_port())  # fmt: skip
    try:
        node.up()
        assert transport_port_of(node.url) == node.transport_port
    finally:
        node.down()
        shutil.rmtree(node.home, ignore_errors=True)


def test_es_commands_refuse_a_remote_url() -> None:
    result = run_cli("es", "up", env=env_for("https://search.example.org:9243"))
    assert result.returncode == 2
    assert "not on this machine" in result.stderr


def test_a_killed_process_not_yet_reaped_is_not_running() -> None:
    """A node killed with SIGKILL stays a zombie until its parent reaps it; `es up` right
    after must see it stopped and start it, not wait 180 s for a dead node's health."""
    child = subprocess.Popen(["sleep", "60"])
    try:
        assert _alive(child.pid)
        os.kill(child.pid, signal.SIGKILL)
        deadline = time.monotonic() + 10
        while _alive(child.pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not _alive(child.pid)  # a zombie: this process has not reaped it yet
        assert os.waitpid(child.pid, os.WNOHANG)[0] == child.pid
    finally:
        child.kill()
        child.wait()


def test_cluster_ports_that_overlap_are_refused_before_anything_starts(tmp_path) -> None:
    port = free_port()
    cluster = LocalCluster(base=tmp_path / "es", size=3, port=port, transport_port=port + 2)
    with pytest.raises(ServerError, match=r"overlap the HTTP ports"):
        cluster.up()
    assert not (tmp_path / "es").exists()


def test_a_cluster_that_cannot_start_leaves_no_member_running() -> None:
    """node-2's HTTP port is taken by another web server: node-1, started already, is
    stopped again, and the error names the port."""
    port, transport = free_ports(2)
    taken = http.server.ThreadingHTTPServer(("127.0.0.1", port + 1), NotFoundHandler)
    threading.Thread(target=taken.serve_forever, daemon=True).start()
    cluster = LocalCluster(base=node_base(), size=2, port=port, transport_port=transport,
                           heap="256m", die_with_parent=True, prefix=f"r{os.getpid()}")  # fmt: skip
    try:
        with pytest.raises(ServerError, match=rf"port {port + 1} is in use by something"):
            cluster.up()
        assert not any(node.running for node in cluster.nodes)
    finally:
        taken.shutdown()
        taken.server_close()
        cluster.down()
        for node in cluster.nodes:
            shutil.rmtree(node.home, ignore_errors=True)
