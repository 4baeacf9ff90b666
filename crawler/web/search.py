"""The search page, the article page and their JSON API."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse

from crawler.es.search import (
    MAX_PAGE,
    MAX_RESULT_WINDOW,
    InvalidSearch,
    SearchRequest,
    check_article_id,
    get_article,
    more_like_this,
    search,
)
from crawler.text import fold
from crawler.web.backend import Es
from crawler.web.params import Params, invalid
from crawler.web.templating import TEMPLATES, chosen_month, linker, month_chart, quick_ranges

router = APIRouter()

# What the search page says when the index cannot answer (404: none yet; 503: down).
UNANSWERED = {
    404: "Chưa có chỉ mục bài viết nào để tìm: hãy thu thập hoặc nạp bài trước.",
    503: "Tạm thời không tìm được: máy chủ tìm kiếm (Elasticsearch) không trả lời. "
    "Vui lòng thử lại sau ít phút.",
}


@router.get("/api/search", summary="Ranked articles with highlights")
async def api_search(params: Params, es: Es) -> dict[str, Any]:
    [result] = await es.run((search, params))
    return result


@router.get(
    "/api/facets",
    summary="Counts per filter value and per month",
    description="Each facet counts as if its own filter were not given (the other filters "
    "apply), so it lists the values that could be added to it; months without articles "
    "between the first and the last are counted as 0.",
)
async def api_facets(params: Params, es: Es) -> dict[str, Any]:
    [result] = await es.run((search, replace(params, facets=True, group=False, size=1)))
    return {"total": result["total"], "estimated": result["estimated"],
            "facets": result["facets"], "unavailable": result["unavailable"]}  # fmt: skip


@router.get("/api/articles/{article_id}", summary="One article and more like it")
async def api_article(article_id: str, es: Es) -> dict[str, Any]:
    _check_id(article_id)
    article, similar = await es.run((get_article, article_id), (more_like_this, article_id))
    return {"article": article, "more_like_this": similar}


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
async def page(request: Request, params: Params, es: Es) -> HTMLResponse:
    params = replace(params, facets=True)
    status, error = 200, None
    try:
        [result] = await es.run((search, params))
    except HTTPException as exc:
        # The page still, its search box with it, and the status telling the truth.
        result = {"total": 0, "hits": [], "facets": {}}
        status = 404 if exc.status_code == 404 else 503
        error = UNANSWERED[status]
    link = linker(request)
    folded = fold(params.q)
    return TEMPLATES.TemplateResponse(
        request, "search.html",
        {"p": params, "result": result, "error": error, "link": link,
         "pages": _pages(result.get("stories", result["total"]), params),
         "first": (params.page - 1) * params.size + 1,
         "chips": link.chips(), "ranges": quick_ranges(link),
         "months": month_chart(result["facets"].get("dates", []), params.since, params.until,
                               link),
         "chosen_month": chosen_month(params.since, params.until),
         "folded": folded if folded != params.q else None},
        status_code=status,
    )  # fmt: skip


@router.get("/articles/{article_id}", response_class=HTMLResponse, include_in_schema=False)
async def article_page(request: Request, article_id: str, es: Es) -> HTMLResponse:
    _check_id(article_id)
    article, similar = await es.run((get_article, article_id), (more_like_this, article_id))
    return TEMPLATES.TemplateResponse(
        request, "article.html", {"a": article, "similar": similar, "link": linker(request)}
    )


def _check_id(article_id: str) -> None:
    """An id no article can have is the caller's mistake (422), not an outage."""
    try:
        check_article_id(article_id)
    except InvalidSearch as exc:
        raise invalid(("path", "article_id"), exc.why, article_id) from exc


def _pages(total: int, params: SearchRequest) -> list[int]:
    reachable = min(MAX_PAGE, MAX_RESULT_WINDOW // params.size)
    last = max(1, min((total + params.size - 1) // params.size, reachable))
    return list(range(max(1, params.page - 3), min(last, params.page + 3) + 1))
