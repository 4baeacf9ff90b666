"""FastAPI application: `crawler serve`. One router a concern (crawler/web/*.py), one
backend over Elasticsearch, headers that allow no script."""

from __future__ import annotations

import base64
import hashlib
import html
import re
from typing import TYPE_CHECKING, Any

from elasticsearch import Elasticsearch
from fastapi import FastAPI, HTTPException, Request
from fastapi.exception_handlers import request_validation_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse

from crawler.web import entities, export, feeds, search, watches
from crawler.web.backend import Backend
from crawler.web.templating import TEMPLATES

if TYPE_CHECKING:
    from starlette.types import ASGIApp, Message, Receive, Scope, Send


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
    app.state.backend = Backend(client, index)
    app.add_middleware(SecurityHeaders, headers=security_headers())
    for routes in (search, feeds, watches, export, entities):
        app.include_router(routes.router)

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
