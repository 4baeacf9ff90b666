"""Saved searches on the web: the /watches page, its form, and the JSON API.

Reading stays open, but a client that may not write sees e-mail addresses masked and no
error text. Writing needs WEB_WRITE_TOKEN when it is set (a Bearer header for the
API, the form's field for the page); without it, only a client on this machine
(loopback) may write: an app listening beyond loopback refuses everyone else."""

from __future__ import annotations

import hmac
import ipaddress
import os
import re
from typing import TYPE_CHECKING, Annotated, Any
from urllib.parse import urlencode, urlsplit

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from crawler.watches import (
    Watch,
    WatchError,
    add_watch,
    describe,
    list_watches,
    remove_watch,
    search_values,
)
from crawler.web.backend import Es
from crawler.web.params import Params
from crawler.web.templating import TEMPLATES

if TYPE_CHECKING:
    from elasticsearch import Elasticsearch
    from scrapy.settings import Settings

router = APIRouter()

# Why a write is refused: (the page's words, the API's words).
REFUSALS = {
    "cross-site": (
        "Ghi bị từ chối: yêu cầu đến từ một trang khác.",
        "write refused: the request comes from another site (Origin)",
    ),
    "token": (
        "Ghi bị từ chối: cần mã ghi đúng (WEB_WRITE_TOKEN).",
        "write refused: a valid token is needed (Authorization: Bearer WEB_WRITE_TOKEN)",
    ),
    "remote": (
        "Ghi bị từ chối: máy chủ chưa đặt WEB_WRITE_TOKEN nên chỉ nhận thay đổi từ chính "
        "máy chủ (127.0.0.1).",
        "write refused: WEB_WRITE_TOKEN is not set, so only clients on loopback may write",
    ),
}


def settings(request: Request) -> Settings:
    """The project settings, read once per app (tests set ``app.state.settings``)."""
    found = getattr(request.app.state, "settings", None)
    if found is None:
        os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "crawler.settings")
        from scrapy.utils.project import get_project_settings

        found = request.app.state.settings = get_project_settings()
    return found


WebSettings = Annotated[Any, Depends(settings)]


def is_loopback(host: str | None) -> bool:
    try:
        return host is not None and ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def write_refusal(
    client_host: str | None, origin: str | None, host: str | None, given: str | None,
    token: str | None, fetch_site: str | None = None,
) -> str | None:  # fmt: skip
    """Why a write is refused (a key of REFUSALS), or None when it is allowed.

    A token set: every write carries it. No token: only loopback clients write. Either
    way a request the browser says comes from elsewhere is refused: Sec-Fetch-Site other
    than same-origin or none (typed, bookmarked), ``Origin: null`` (a sandboxed frame, a
    redirect), an Origin that is not this host. Scripts send neither header."""
    if fetch_site is not None and fetch_site.strip().lower() not in ("same-origin", "none"):
        return "cross-site"
    if origin is not None and (
        origin.strip().lower() == "null"
        or urlsplit(origin.strip()).netloc.lower() != (host or "").strip().lower()
    ):
        return "cross-site"
    if token:
        ok = given is not None and hmac.compare_digest(given.encode(), token.encode())
        return None if ok else "token"
    return None if is_loopback(client_host) else "remote"


def _refusal(request: Request, given: str | None, config: Settings) -> str | None:
    return write_refusal(
        request.client.host if request.client else None, request.headers.get("origin"),
        request.headers.get("host"), given, config.get("WEB_WRITE_TOKEN"),
        request.headers.get("sec-fetch-site"),
    )  # fmt: skip


def may_write(request: Request, config: Settings) -> bool:
    """Whether this client could write (the token or loopback): only such a client sees
    the subscribers' addresses and the channels' errors in full."""
    return write_refusal(
        request.client.host if request.client else None, None, None, _bearer(request),
        config.get("WEB_WRITE_TOKEN"),
    ) is None  # fmt: skip


def _bearer(request: Request) -> str | None:
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    return value.strip() if scheme.lower() == "bearer" else None


def _check_api_write(request: Request, config: Settings) -> None:
    why = _refusal(request, _bearer(request), config)
    if why:
        raise HTTPException(403, REFUSALS[why][1])


def _status(exc: WatchError) -> int:
    text = str(exc)
    return 409 if "exists already" in text else 404 if text.startswith("no watch") else 422


# --- The JSON API ---------------------------------------------------------------


class NewWatch(BaseModel):
    name: str = Field(description="letters, digits, '-' or '_'")
    search: dict[str, Any] = Field(
        default_factory=dict, description="search parameters, as /api/search takes them"
    )
    webhook: str | None = Field(None, description="http(s) address for JSON POSTs")
    emails: list[str] = Field(default_factory=list, description="addresses of the digest")


def _list(config: Settings, reveal: bool) -> Any:
    def call(client: Elasticsearch, _index: str) -> list[dict[str, Any]]:
        watches = list_watches(client, config.get("ES_WATCHES_INDEX"))
        return [w.public(reveal=reveal) for w in watches]

    return call


def _write(action: Any, *args: Any) -> Any:
    """A watches call for Backend.run: a WatchError becomes the caller's 4xx."""

    def call(client: Elasticsearch, _index: str) -> Any:
        try:
            return action(client, *args)
        except WatchError as exc:
            raise HTTPException(_status(exc), str(exc)) from None

    return call


@router.get(
    "/api/watches",
    summary="Saved searches (no secrets)",
    description="A client that may not write (no token, not on loopback) sees each e-mail "
    "address masked (b***@example.vn) and each channel's state without its error text.",
)
async def api_watches(request: Request, es: Es, config: WebSettings) -> dict[str, Any]:
    [found] = await es.run((_list(config, may_write(request, config)),))
    return {"watches": found}


@router.post("/api/watches", status_code=201, summary="Save a search (needs the write token)")
async def api_add(request: Request, body: NewWatch, es: Es, config: WebSettings) -> Any:
    _check_api_write(request, config)
    watch = Watch(body.name, body.search, body.webhook, body.emails)
    [saved] = await es.run((_write(add_watch, config.get("ES_WATCHES_INDEX"), watch),))
    return saved.public()


@router.delete("/api/watches/{name}", status_code=204, summary="Delete a saved search")
async def api_remove(request: Request, name: str, es: Es, config: WebSettings) -> Response:
    _check_api_write(request, config)
    await es.run((_write(remove_watch, config.get("ES_WATCHES_INDEX"), name),))
    return Response(status_code=204)


# --- The page ---------------------------------------------------------------------


def _page(request: Request, template_args: dict[str, Any], status: int = 200) -> HTMLResponse:
    return TEMPLATES.TemplateResponse(request, "watches.html", template_args, status_code=status)


def search_link(values: dict[str, Any]) -> str:
    return "/?" + urlencode(values, doseq=True)


@router.get("/watches", response_class=HTMLResponse, include_in_schema=False)
async def watches_page(
    request: Request, es: Es, config: WebSettings, saved: str = "", removed: str = ""
) -> HTMLResponse:
    [found] = await es.run((_list(config, may_write(request, config)),))
    for watch in found:
        watch["link"] = search_link(watch["search"])
        watch["described"] = describe(watch["search"])
    notice = (f"Đã lưu “{saved}”." if saved else "") or (f"Đã xóa “{removed}”." if removed else "")
    return _page(request, {"view": "list", "watches": found, "notice": notice,
                           "token_needed": bool(config.get("WEB_WRITE_TOKEN"))})  # fmt: skip


def _form(
    request: Request, params_values: dict[str, Any], config: Settings, error: str | None = None,
    status: int = 200, given: dict[str, str] | None = None,
) -> HTMLResponse:  # fmt: skip
    return _page(request, {
        "view": "new", "values": params_values, "described": describe(params_values),
        "action": "/watches?" + urlencode(params_values, doseq=True),
        "link": search_link(params_values), "error": error, "given": given or {},
        "token_needed": bool(config.get("WEB_WRITE_TOKEN")),
    }, status)  # fmt: skip


@router.get("/watches/new", response_class=HTMLResponse, include_in_schema=False)
async def new_watch_page(request: Request, params: Params, config: WebSettings) -> HTMLResponse:
    return _form(request, search_values(params), config)


@router.post("/watches", response_class=HTMLResponse, include_in_schema=False)
async def create_from_page(
    request: Request, params: Params, es: Es, config: WebSettings,
    name: Annotated[str, Form()] = "", webhook: Annotated[str, Form()] = "",
    emails: Annotated[str, Form()] = "", token: Annotated[str, Form()] = "",
) -> Response:  # fmt: skip
    values = search_values(params)
    given = {"name": name, "webhook": webhook, "emails": emails}
    why = _refusal(request, token or None, config)
    if why:
        return _form(request, values, config, REFUSALS[why][0], 403, given)
    addresses = [a for a in re.split(r"[\s,;]+", emails) if a]
    watch = Watch(name.strip(), values, webhook.strip() or None, addresses)
    try:
        await es.run((_write(add_watch, config.get("ES_WATCHES_INDEX"), watch),))
    except HTTPException as exc:
        if exc.status_code >= 500:
            raise
        return _form(request, values, config, f"Không lưu được: {exc.detail}", exc.status_code,
                     given)  # fmt: skip
    return RedirectResponse("/watches?" + urlencode({"saved": watch.name}), status_code=303)


@router.post("/watches/{name}/delete", response_class=HTMLResponse, include_in_schema=False)
async def delete_from_page(
    request: Request, name: str, es: Es, config: WebSettings,
    token: Annotated[str, Form()] = "",
) -> Response:  # fmt: skip
    why = _refusal(request, token or None, config)
    if why:
        raise HTTPException(403, REFUSALS[why][0])
    await es.run((_write(remove_watch, config.get("ES_WATCHES_INDEX"), name),))
    return RedirectResponse("/watches?" + urlencode({"removed": name}), status_code=303)
