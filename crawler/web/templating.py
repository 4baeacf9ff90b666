"""The page templates and what they share: links that keep the current search."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.templating import Jinja2Templates

from crawler.es.search import SORTS
from crawler.web.params import PARAMS

TEMPLATES = Jinja2Templates(directory=Path(__file__).parent / "templates")
SORT_LABELS = dict(zip(SORTS, ("Liên quan nhất", "Mới nhất"), strict=True))
TEMPLATES.env.globals["SORT_LABELS"] = SORT_LABELS


def linker(request: Request) -> Any:
    """link(name=value, ...): the current search with some parameters changed."""
    current = {k: v for k, v in request.query_params.items() if k in PARAMS and v}

    def link(**changes: Any) -> str:
        merged = {**current, **{k: v for k, v in changes.items()}}
        if "page" not in changes:
            merged.pop("page", None)
        return "/?" + urlencode({k: v for k, v in merged.items() if v not in (None, "")})

    return link
