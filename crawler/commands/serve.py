"""`crawler serve`: the search page and its JSON API."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from crawler.commands.base import EXIT_OK, CliError, project_settings
from crawler.es.client import client_from_settings

if TYPE_CHECKING:
    import uvicorn
    from fastapi import FastAPI

HELP = "the search page and JSON API"
EXAMPLE = "crawler serve --port 8080"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, default=8080, help="port to listen on")


# A request line and headers up to this many bytes are read, however TCP splits them: at
# h11's default (16 KiB), a URL with a filter value far over its bound, arriving in pieces,
# was cut off as an invalid request (400) instead of refused naming the parameter (422).
MAX_REQUEST_HEAD = 256 * 1024


def server(app: FastAPI, host: str, port: int) -> uvicorn.Server:
    """uvicorn serving the app, without its `server: uvicorn` banner."""
    import uvicorn

    config = uvicorn.Config(app, host=host, port=port, log_level="warning", server_header=False,
                            h11_max_incomplete_event_size=MAX_REQUEST_HEAD)  # fmt: skip
    return uvicorn.Server(config)


def write_warning(host: str, token: str | None) -> str | None:
    """What to say when the app listens beyond loopback without a write token: saved
    searches then cannot be changed from other machines (reading stays open)."""
    from crawler.web.watches import is_loopback

    if token or host == "localhost" or is_loopback(host):
        return None
    return (
        f"warning: listening on {host} without WEB_WRITE_TOKEN: saving or removing watches "
        "is refused to every client but this machine; set WEB_WRITE_TOKEN to allow it"
    )


def run(args: argparse.Namespace) -> int:
    from crawler.web.app import create_app

    settings = project_settings()
    app = create_app(client_from_settings(settings), settings["ES_INDEX"])
    print(f"Search page at http://{args.host}:{args.port}/ (API: /api/search, /openapi.json)")
    warning = write_warning(args.host, settings.get("WEB_WRITE_TOKEN"))
    if warning:
        print(warning, file=sys.stderr)
    serving = server(app, args.host, args.port)
    try:
        serving.run()
    except KeyboardInterrupt:  # Ctrl-C, raised again by uvicorn once it has shut down
        return EXIT_OK
    if not serving.started:
        raise CliError(f"cannot serve on {args.host}:{args.port} (uvicorn says why above)")
    return EXIT_OK
