"""Pages of one person and one organisation, and their JSON: articles a month as an SVG
chart (no script: the page's policy allows none), ranks and titles over time, provinces,
who is named with them."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse

from crawler.es.entity_profile import (
    EntityNotFound,
    check_name,
    organization_profile,
    person_profile,
)
from crawler.es.search import MAX_FILTER_LENGTH, InvalidSearch
from crawler.web.backend import Es
from crawler.web.params import invalid
from crawler.web.templating import TEMPLATES

router = APIRouter()

Province = Annotated[
    str | None,
    Query(description="only the namesake of this province (as published or as of today)",
          max_length=MAX_FILTER_LENGTH),
]  # fmt: skip

KINDS = {"person": "Người", "organization": "Cơ quan, đơn vị"}
CHART = {"width": 600, "height": 200, "left": 44, "right": 8, "top": 12, "bottom": 40}


@router.get("/api/people/{name:path}", summary="A person: articles over time, ranks, titles")
async def api_person(name: str, es: Es, province: Province = None) -> dict[str, Any]:
    return await _profile(es, person_profile, name, province or None)


@router.get("/api/organizations/{name:path}", summary="An organisation: articles over time")
async def api_organization(name: str, es: Es) -> dict[str, Any]:
    return await _profile(es, organization_profile, name)


@router.get("/people/{name:path}", response_class=HTMLResponse, include_in_schema=False)
async def person_page(
    request: Request, name: str, es: Es, province: Province = None
) -> HTMLResponse:
    profile = await _profile(es, person_profile, name, province or None)
    return _page(request, profile)


@router.get("/organizations/{name:path}", response_class=HTMLResponse, include_in_schema=False)
async def organization_page(request: Request, name: str, es: Es) -> HTMLResponse:
    return _page(request, await _profile(es, organization_profile, name))


async def _profile(es: Es, function: Any, name: str, *args: Any) -> dict[str, Any]:
    """The profile, or 422 for a name no article can have, 404 for one none has."""
    try:
        check_name(name)
    except InvalidSearch as exc:
        raise invalid(("path", "name"), exc.why, name) from exc
    try:
        [profile] = await es.run((function, name, *args))
    except EntityNotFound as exc:
        raise HTTPException(404, _not_found(exc)) from exc
    return profile


def _not_found(exc: EntityNotFound) -> str:
    who = "người" if exc.kind == "person" else "cơ quan, đơn vị"
    where = f" ở {exc.province}" if exc.province else ""
    return f"Không có bài nào nêu tên {who} “{exc.name}”{where}."


def _page(request: Request, profile: dict[str, Any]) -> HTMLResponse:
    filter_name = "person" if profile["kind"] == "person" else "organization"
    search = {filter_name: profile["name"]}
    if profile["province"]:
        search["province"] = profile["province"]
    return TEMPLATES.TemplateResponse(
        request, "entity.html",
        {"e": profile, "kind": KINDS[profile["kind"]], "chart": month_chart(profile["months"]),
         "search_link": "/?" + urlencode(search, quote_via=quote)},
    )  # fmt: skip


def month_chart(months: list[dict[str, Any]]) -> dict[str, Any]:
    """The geometry of the articles-a-month chart: a bar a month (empty ones at zero),
    count ticks on the left, months (or only years, when there are many) below."""
    width, height = CHART["width"], CHART["height"]
    left, top = CHART["left"], CHART["top"]
    plot_w = width - left - CHART["right"]
    plot_h = height - top - CHART["bottom"]
    base = top + plot_h
    highest = max((m["count"] for m in months), default=0) or 1
    step = _tick_step(highest)
    highest = -(-highest // step) * step  # the scale ends on a tick
    width_each = plot_w / max(len(months), 1)
    bars, labels = [], []
    for i, month in enumerate(months):
        h = plot_h * month["count"] / highest
        x = left + i * width_each
        year, number = month["month"][:4], month["month"][5:7]
        bars.append({"x": round(x + width_each * 0.1, 1), "y": round(base - h, 1),
                     "w": round(max(width_each * 0.8, 1), 1), "h": round(h, 1),
                     "month": month["month"], "count": month["count"]})  # fmt: skip
        centre = round(x + width_each / 2, 1)
        if len(months) <= 24:
            labels.append({"x": centre, "y": base + 14, "text": f"{int(number)}"})
        if number == "01" or i == 0:
            labels.append({"x": centre, "y": base + 30, "text": year})
    ticks = range(0, highest + 1, step)
    return {
        "width": width,
        "height": height,
        "left": left,
        "right": width - CHART["right"],
        "base": base,
        "bars": bars,
        "labels": labels,
        "ticks": [{"y": round(base - plot_h * t / highest, 1), "value": t} for t in ticks],
    }


def _tick_step(highest: int) -> int:
    """A round step (1, 2, 5, 10, 20, 50...) giving at most five ticks up to ``highest``."""
    step = 1
    while highest / step > 4:
        for factor in (2, 5 / 2, 2):
            step = round(step * factor)
            if highest / step <= 4:
                break
    return step
