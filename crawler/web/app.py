"""FastAPI application: `crawler serve`. The page and the API take the same parameters."""

from __future__ import annotations

import base64
import hashlib
import html
import inspect
import re
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any
from urllib.parse import urlencode

import anyio
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
    check_article_id,
    get_article,
    more_like_this,
    parameters,
    search,
)

if TYPE_CHECKING:
    from starlette.types import ASGIApp, Message, Receive, Scope, Send

TEMPLATES = Jinja2Templates(directory=Path(__file__).parent / "templates")
PARAMS = tuple(param.name for param in parameters())  # what the page's links carry on
URL_FIELDS = ("url", "canonical_url")  # a file: address in them is a path on this machine


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


async def search_params(**values: Any) -> SearchRequest:
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
    """The application over one client and index alias (tests pass their own).

    No /docs or /redoc: both load their script from a CDN; /openapi.json describes the API.
    """
    app = FastAPI(
        title="Tin công an các tỉnh: tìm kiếm",
        description="Search Vietnamese provincial police news: the API behind the search page.",
        version="1",
        docs_url=None,
        redoc_url=None,
    )
    app.add_middleware(SecurityHeaders, headers=security_headers())
    # The client is synchronous: each call takes a worker thread, and at most as many
    # run at once as the client has connections. The others wait their turn here, in
    # order, holding no thread (a thread without a connection would only wait in it).
    limiter = anyio.CapacityLimiter(connections(client))

    def call_es(*calls: tuple[Any, ...]) -> list[Any]:
        try:
            return [call(client, index, *args) for call, *args in calls]
        except NotFoundError as exc:
            raise HTTPException(404, "not found") from exc
        except (TransportError, ApiError) as exc:
            raise HTTPException(503, f"search is unavailable: {type(exc).__name__}") from exc

    async def run(*calls: tuple[Any, ...]) -> list[Any]:
        """The results of (function, *args) calls on the client and index, in one thread,
        without the local paths of replayed files."""
        results = await anyio.to_thread.run_sync(partial(call_es, *calls), limiter=limiter)
        return [without_local_paths(result) for result in results]

    @app.get("/api/search", summary="Ranked articles with highlights")
    async def api_search(params: Params) -> dict[str, Any]:
        [result] = await run((search, params))
        return result

    @app.get("/api/facets", summary="Counts per filter value and per month")
    async def api_facets(params: Params) -> dict[str, Any]:
        [result] = await run((search, replace(params, facets=True, size=1)))
        return {"total": result["total"], "facets": result["facets"]}

    @app.get("/api/articles/{article_id}", summary="One article and more like it")
    async def api_article(article_id: str) -> dict[str, Any]:
        _check_id(article_id)
        article, similar = await run((get_article, article_id), (more_like_this, article_id))
        return {"article": article, "more_like_this": similar}

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    async def page(request: Request, params: Params) -> HTMLResponse:
        params = replace(params, facets=True)
        try:
            [result] = await run((search, params))
            error = None
        except HTTPException as exc:
            result, error = {"total": 0, "hits": [], "facets": {}}, exc.detail
        return TEMPLATES.TemplateResponse(
            request, "search.html",
            {"p": params, "result": result, "error": error, "link": _linker(request),
             "pages": _pages(result.get("stories", result["total"]), params)},
        )  # fmt: skip

    @app.get("/articles/{article_id}", response_class=HTMLResponse, include_in_schema=False)
    async def article_page(request: Request, article_id: str) -> HTMLResponse:
        _check_id(article_id)
        article, similar = await run((get_article, article_id), (more_like_this, article_id))
        return TEMPLATES.TemplateResponse(
            request, "article.html", {"a": article, "similar": similar, "link": _linker(request)}
        )

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Any:
        if request.url.path.startswith("/api/"):
            return JSONResponse({"error": exc.detail}, status_code=exc.status_code)
        return _error_page(exc.status_code, str(exc.detail))

    @app.exception_handler(RequestValidationError)
    async def invalid_parameters(request: Request, exc: RequestValidationError) -> Any:
        if request.url.path.startswith("/api/"):
            return await request_validation_exception_handler(request, exc)
        return _error_page(422, "; ".join(f"{e['loc'][-1]}: {e['msg']}" for e in exc.errors()))

    return app


def _check_id(article_id: str) -> None:
    """An id no article can have is the caller's mistake (422), not an outage."""
    try:
        check_article_id(article_id)
    except InvalidSearch as exc:
        error = {"type": "value_error", "loc": ("path", "article_id"), "msg": exc.why,
                 "input": article_id}  # fmt: skip
        raise RequestValidationError([error]) from exc


def connections(client: Elasticsearch) -> int:
    """How many requests the client can have in flight: its connections to every node."""
    return sum(node.config.connections_per_node for node in client.transport.node_pool.all())


def without_local_paths(value: Any) -> Any:
    """An answer without the paths of this machine that replayed files carry: their
    seed_path, a file: address as url or canonical_url (of the article or an image)."""
    if isinstance(value, list):
        return [without_local_paths(v) for v in value]
    if not isinstance(value, dict):
        return value
    return {
        key: None
        if key in URL_FIELDS and isinstance(v, str) and v.lower().startswith("file:")
        else without_local_paths(v)
        for key, v in value.items()
        if key != "seed_path"
    }


def _inline_style_source() -> str:
    """The CSP source that lets the page's one stylesheet, inline in base.html, apply and
    no other inline style: its hash, taken from the template as rendered."""
    rendered = TEMPLATES.get_template("base.html").render()
    css = re.search(r"<style>(.*?)</style>", rendered, re.DOTALL)
    if css is None:
        return "'none'"
    digest = hashlib.sha256(css.group(1).encode()).digest()
    return f"'sha256-{base64.b64encode(digest).decode()}'"


def security_headers() -> list[tuple[bytes, bytes]]:
    """What every answer says to the browser: no script, no framing, no sniffing, only
    this site's stylesheet, forms and images, and no referrer sent to other sites."""
    policy = (
        f"default-src 'none'; style-src {_inline_style_source()}; img-src 'self'; "
        "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
    )
    return [
        (b"content-security-policy", policy.encode()),
        (b"x-content-type-options", b"nosniff"),
        (b"referrer-policy", b"same-origin"),
        (b"x-frame-options", b"DENY"),
    ]


class SecurityHeaders:
    """ASGI middleware adding headers to every HTTP answer (plain ASGI, not Starlette's
    BaseHTTPMiddleware, which costs every request a task and a stream)."""

    def __init__(self, app: ASGIApp, headers: list[tuple[bytes, bytes]]) -> None:
        self.app = app
        self.headers = headers

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", ()), *self.headers]
            await send(message)

        await self.app(scope, receive, send_with_headers)


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
