"""FastAPI application: `crawler serve`. The page and the API take the same parameters."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

from elastic_transport import TransportError
from elasticsearch import ApiError, Elasticsearch, NotFoundError
from fastapi import Depends, FastAPI, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.templating import Jinja2Templates

from crawler.es.search import SORTS, SearchRequest, get_article, more_like_this, search

TEMPLATES = Jinja2Templates(directory=Path(__file__).parent / "templates")
PARAMS = ("q", "province", "site", "since", "until", "entity", "person", "organization",
          "place", "category", "sort", "page")  # fmt: skip


def search_params(
    q: Annotated[str, Query(max_length=2000, description='words, "phrases", -not, a OR b')] = "",
    province: Annotated[str | None, Query(description="as published or as merged in 2025")] = None,
    site: Annotated[str | None, Query(description="site id of the registry")] = None,
    since: Annotated[date | None, Query(description="published on or after")] = None,
    until: Annotated[date | None, Query(description="published on or before")] = None,
    entity: Annotated[str | None, Query(description="any person, organisation or place")] = None,
    person: str | None = None,
    organization: str | None = None,
    place: str | None = None,
    category: str | None = None,
    sort: Annotated[str, Query(pattern="^(relevance|date)$")] = "relevance",
    page: Annotated[int, Query(ge=1, le=1000)] = 1,
    size: Annotated[int, Query(ge=1, le=100)] = 10,
) -> SearchRequest:
    return SearchRequest(q=q, province=province, site=site, since=since, until=until,
                         entity=entity, person=person, organization=organization, place=place,
                         category=category, sort=sort, page=page, size=size)  # fmt: skip


Params = Annotated[SearchRequest, Depends(search_params)]


def create_app(client: Elasticsearch, index: str) -> FastAPI:
    """The application over one client and index alias (tests pass their own)."""
    app = FastAPI(
        title="Tin công an các tỉnh: tìm kiếm",
        description="Search Vietnamese provincial police news: the API behind the search page.",
        version="1",
    )

    def run(call: Any, *args: Any) -> Any:
        try:
            return call(client, index, *args)
        except NotFoundError as exc:
            raise HTTPException(404, "not found") from exc
        except (TransportError, ApiError) as exc:
            raise HTTPException(503, f"search is unavailable: {type(exc).__name__}") from exc

    @app.get("/api/search", summary="Ranked articles with highlights")
    def api_search(params: Params) -> dict[str, Any]:
        return run(search, params)

    @app.get("/api/facets", summary="Counts per filter value and per month")
    def api_facets(params: Params) -> dict[str, Any]:
        params.facets, params.size = True, 1
        result = run(search, params)
        return {"total": result["total"], "facets": result["facets"]}

    @app.get("/api/articles/{article_id}", summary="One article and more like it")
    def api_article(article_id: str) -> dict[str, Any]:
        article = run(get_article, article_id)
        return {"article": article, "more_like_this": run(more_like_this, article_id)}

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def page(request: Request, params: Params) -> HTMLResponse:
        params.facets = True
        try:
            result = run(search, params)
            error = None
        except HTTPException as exc:
            result, error = {"total": 0, "hits": [], "facets": {}}, exc.detail
        return TEMPLATES.TemplateResponse(
            request, "search.html",
            {"p": params, "result": result, "error": error, "link": _linker(request),
             "pages": _pages(result.get("stories", result["total"]), params)},
        )  # fmt: skip

    @app.get("/articles/{article_id}", response_class=HTMLResponse, include_in_schema=False)
    def article_page(request: Request, article_id: str) -> HTMLResponse:
        article = run(get_article, article_id)
        similar = run(more_like_this, article_id)
        return TEMPLATES.TemplateResponse(
            request, "article.html", {"a": article, "similar": similar, "link": _linker(request)}
        )

    @app.exception_handler(HTTPException)
    def http_error(request: Request, exc: HTTPException) -> Any:
        if request.url.path.startswith("/api/"):
            return JSONResponse({"error": exc.detail}, status_code=exc.status_code)
        body = f"<!doctype html><meta charset=utf-8><p>Lỗi {exc.status_code}: {exc.detail}</p>"
        return HTMLResponse(body, status_code=exc.status_code)

    return app


def _linker(request: Request) -> Any:
    """link(name=value, ...): the current search with some parameters changed."""
    current = {k: v for k, v in request.query_params.items() if k in PARAMS and v}

    def link(**changes: Any) -> str:
        merged = {**current, **{k: v for k, v in changes.items()}}
        if "page" not in changes:
            merged.pop("page", None)
        return "/?" + urlencode({k: v for k, v in merged.items() if v not in (None, "")})

    return link


def _pages(total: int, params: SearchRequest) -> list[int]:
    last = max(1, min((total + params.size - 1) // params.size, 1000))
    return list(range(max(1, params.page - 3), min(last, params.page + 3) + 1))


SORT_LABELS = dict(zip(SORTS, ("Liên quan nhất", "Mới nhất"), strict=True))
TEMPLATES.env.globals["SORT_LABELS"] = SORT_LABELS
