"""What listens on a local port: Elasticsearch (its health and version), its transport
port, or something else, said in words, within a deadline whatever the listener does."""

from __future__ import annotations

import errno
import json
import re
import socket
import time
from typing import Any

# Seconds one request of a probe may take, however the listener behaves.
PROBE_TIMEOUT = 2.0
# What an Elasticsearch transport port says to an HTTP request, before it hangs up.
TRANSPORT_ANSWER = b"This is not an HTTP port"


def probe(port: int, timeout: float = PROBE_TIMEOUT) -> dict[str, Any] | None:
    """What listens on 127.0.0.1:port, found out within ``timeout`` seconds a request: None
    if nothing, else a description.

    The description has ``elasticsearch`` (bool), and for Elasticsearch ``health`` and
    ``version``; for anything else ``answer``, what it is in words, and ``transport``,
    true for an Elasticsearch transport port.
    """
    raw = _http_get(port, "/_cluster/health", time.monotonic() + timeout)
    if raw is None:
        return None
    try:
        health = json.loads(_http_body(raw))
        if "cluster_name" in health:
            path = "/_nodes/_local?filter_path=nodes.*.version"
            answer = _http_get(port, path, time.monotonic() + timeout)
            nodes = json.loads(_http_body(answer or b""))["nodes"]
            version = next(iter(nodes.values()))["version"]
            return {"elasticsearch": True, "health": health["status"], "version": version}
    except (ValueError, TypeError, KeyError, AttributeError, StopIteration):
        pass
    return {
        "elasticsearch": False,
        "answer": describe(raw),
        "transport": raw.startswith(TRANSPORT_ANSWER),
    }


def _http_get(port: int, path: str, deadline: float) -> bytes | None:
    """The answer of 127.0.0.1:port to an HTTP/1.0 GET, as far as it came by the deadline
    (64 KB at most); None when nothing accepts the connection.

    Plain sockets, not urllib: a listener that sends garbage or drips bytes must cost
    no more than the deadline, and never raise.
    """
    try:
        sock = socket.create_connection(("127.0.0.1", port), max(deadline - time.monotonic(), 0.01))
    except OSError:
        return None
    answer = b""
    with sock:
        try:
            sock.sendall(f"GET {path} HTTP/1.0\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode())
            while len(answer) < 65536 and (left := deadline - time.monotonic()) > 0:
                sock.settimeout(left)
                chunk = sock.recv(65536)
                if not chunk:
                    break
                answer += chunk
        except OSError:  # timed out or reset: what came so far is the answer
            pass
    return answer


def _http_body(answer: bytes) -> bytes:
    """The body of a complete 200 answer; ValueError for anything else."""
    head, blank, body = answer.partition(b"\r\n\r\n")
    if not blank or not re.match(rb"HTTP/1\.[01] 200 ", head):
        raise ValueError("not an HTTP 200 answer")
    return body


def describe(answer: bytes) -> str:
    """What a listener is, in words, from its answer to an HTTP request."""
    if not answer:
        return "it accepted the connection but answered nothing"
    if answer.startswith(TRANSPORT_ANSWER):
        said = TRANSPORT_ANSWER.decode()
        return f"an Elasticsearch node (it answered {said!r}, as transport ports do)"
    head, _, body = answer.partition(b"\r\n\r\n")
    status = re.match(rb"HTTP/1\.[01] (\d{3})", head)
    if status:
        return (
            f"it answered HTTP {status.group(1).decode()} {body[:100].decode(errors='replace')!r}"
        )
    return f"it answered {answer[:100]!r}, which is not HTTP"


def port_problem(port: int) -> str | None:
    """Why Elasticsearch could not listen on 127.0.0.1:port, or None when it could."""
    if port < 1024:
        return "below 1024, and Elasticsearch (never run as root) cannot listen there"
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as Elasticsearch does
        try:
            sock.bind(("127.0.0.1", port))
            return None
        except OSError as exc:
            if exc.errno != errno.EADDRINUSE:
                return f"not usable ({exc.strerror})"
    raw = _http_get(port, "/", time.monotonic() + PROBE_TIMEOUT)
    found = "it does not accept connections on 127.0.0.1" if raw is None else describe(raw)
    return f"held by another process: {found}"
