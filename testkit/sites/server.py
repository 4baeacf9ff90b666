"""Serve the fixture sites on 127.0.0.x, one loopback address per site, with a request log.

Each site is a dict of routes: path (with query) -> Route. Behaviours the crawler must
survive are route flags: a 500 that recovers, a page slower than the download timeout,
a redirect, a body in windows-1258, ETag validators. A site can also hold every request
past a count until the test releases it.
"""

from __future__ import annotations

import http.server
import threading
import time
from collections import Counter
from dataclasses import dataclass, field


@dataclass
class Route:
    body: bytes = b""
    content_type: str = "text/html; charset=utf-8"
    status: int = 200
    location: str = ""
    fail_first: int = 0  # answer 500 this many times, then the page
    delay: float = 0.0
    etag: str = ""


@dataclass
class FixtureSite:
    name: str
    host: str
    routes: dict[str, Route]
    port: int = 0
    requests: Counter = field(default_factory=Counter)
    server: http.server.ThreadingHTTPServer | None = None
    # Past this many requests, each waits for `released`: a test acts while a run is
    # surely still under way, however long the action takes.
    hold_after: int | None = None
    released: threading.Event = field(default_factory=threading.Event)

    @property
    def base(self) -> str:
        return f"http://{self.host}:{self.port}"


class _Handler(http.server.BaseHTTPRequestHandler):
    # Keep-alive, as the real sites' web servers: one connection serves many requests.
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes; without TCP_NODELAY the body of a kept-alive
    # connection waits for the client's delayed ACK (40 ms a response).
    disable_nagle_algorithm = True
    server: _Server

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        site = self.server.site
        site.requests[self.path] += 1
        route = site.routes.get(self.path)
        if route is None:
            self.send_error(404)
            return
        if site.hold_after is not None and sum(site.requests.values()) > site.hold_after:
            site.released.wait(timeout=600)
        if route.delay:
            time.sleep(route.delay)
        if site.requests[self.path] <= route.fail_first:
            self.send_error(500, "Internal Server Error")
            return
        if route.etag and self.headers.get("If-None-Match") == route.etag:
            self.send_response(304)
            self.end_headers()
            return
        self.send_response(route.status)
        if route.location:
            self.send_header("Location", route.location)
        self.send_header("Content-Type", route.content_type)
        if route.etag:
            self.send_header("ETag", route.etag)
        self.send_header("Content-Length", str(len(route.body)))
        self.end_headers()
        self.wfile.write(route.body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    site: FixtureSite

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # a client that gave up on the slow page: expected, not worth a traceback


def serve(site: FixtureSite) -> FixtureSite:
    server = _Server((site.host, 0), _Handler)
    server.site = site
    site.server, site.port = server, server.server_address[1]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return site


def stop(site: FixtureSite) -> None:
    if site.server:
        site.server.shutdown()
        site.server.server_close()


def html(text: str, charset: str = "utf-8") -> Route:
    return Route(text.encode(charset), f"text/html; charset={charset}")


def xml(text: str) -> Route:
    return Route(text.encode(), "application/xml; charset=utf-8")
