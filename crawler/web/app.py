"""FastAPI application: `crawler serve`. The page and the API take the same parameters."""

from __future__ import annotations

import html
import inspect
from dataclasses import replace
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

from elastic_transport import TransportError
from elasticsearch import ApiError, Elasticsearch, NotFoundError
from fastapi import Depends, FastAPI, HTTPException, Query, Request
from fastapi.exception_handlers import request_validation_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.templating import Jinja2Templates

from crawler.es.search import (
    MAX_PAGE,
    MAX_RESULT_WINDOW,
    SORTS,
    InvalidSearch,
    Parameter,
    SearchRequest,
    get_article,
    more_like_this,
    parameters,
    search,
)

TEMPLATES = Jinja2Templates(directory=Path(__file__).parent / "templates")
PARAMS = tuple(param.name for param in parameters())  # what the page's links carry on


def _query(param: Parameter) -> Any:
    """The query parameter's type, description and bounds (for /openapi.json): checking
    the bounds is SearchRequest's, so the API and the command line say the same."""
    schema = {
        "minimum": param.minimum,
        "maximum": param.maximum,
        "maxLength": param.max_length,
        "enum": list(param.choices) or None,
    }
    kind = param.type if param.default is not None else param.type | None
    extra = {k: v for k, v in schema.items() if v is not None} or None
    return Annotated[kind, Query(description=param.help, json_schema_extra=extra)]


def search_params(**values: Any) -> SearchRequest:
    """The request of /api/search, /api/facets and the page; its signature, made from
    SearchRequest's parameters below, is what FastAPI reads."""
    try:
        return SearchRequest(**values)
    except InvalidSearch as exc:
        where = ("query", exc.field)
        error = {
            "type": "value_error",
            "loc": where,
            "msg": exc.why,
            "input": values.get(exc.field),
        }
        raise RequestValidationError([error]) from exc


search_params.__signature__ = inspect.Signature(
    [
        inspect.Parameter(
            p.name, inspect.Parameter.KEYWORD_ONLY, default=p.default, annotation=_query(p)
        )
        for p in parameters()
    ],
    return_annotation=SearchRequest,
)
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
        result = run(search, replace(params, facets=True, size=1))
        return {"total": result["total"], "facets": result["facets"]}

    @app.get("/api/articles/{article_id}", summary="One article and more like it")
    def api_article(article_id: str) -> dict[str, Any]:
        article = run(get_article, article_id)
        return {"article": article, "more_like_this": run(more_like_this, article_id)}

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def page(request: Request, params: Params) -> HTMLResponse:
        params = replace(params, facets=True)
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
        return _error_page(exc.status_code, str(exc.detail))

    @app.exception_handler(RequestValidationError)
    async def invalid_parameters(request: Request, exc: RequestValidationError) -> Any:
        if request.url.path.startswith("/api/"):
            return await request_validation_exception_handler(request, exc)
        return _error_page(422, "; ".join(f"{e['loc'][-1]}: {e['msg']}" for e in exc.errors()))

    return app


def _error_page(status: int, reason: str) -> HTMLResponse:
    body = f"<!doctype html><meta charset=utf-8><p>Lỗi {status}: {html.escape(reason)}</p>"
    return HTMLResponse(body, status_code=status)


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
    reachable = min(MAX_PAGE, MAX_RESULT_WINDOW // params.size)
    last = max(1, min((total + params.size - 1) // params.size, reachable))
    return list(range(max(1, params.page - 3), min(last, params.page + 3) + 1))


SORT_LABELS = dict(zip(SORTS, ("Liên quan nhất", "Mới nhất"), strict=True))
TEMPLATES.env.globals["SORT_LABELS"] = SORT_LABELS
