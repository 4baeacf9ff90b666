"""`crawler serve`: the search page and its JSON API."""

from __future__ import annotations

import argparse

from crawler.commands.base import EXIT_OK, project_settings
from crawler.es.client import client_from_settings

HELP = "the search page and JSON API"
EXAMPLE = "crawler serve --port 8080"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, default=8080, help="port to listen on")


def run(args: argparse.Namespace) -> int:
    import uvicorn

    from crawler.web.app import create_app

    settings = project_settings()
    app = create_app(client_from_settings(settings), settings["ES_INDEX"])
    print(f"Search page at http://{args.host}:{args.port}/ (API: /api/search, /openapi.json)")
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning")
    return EXIT_OK
