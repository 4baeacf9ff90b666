"""The page templates and what they share: links that keep the current search, the
chosen filters as chips, the month chart's links (links only: the pages run no script)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import Request
from fastapi.templating import Jinja2Templates

from crawler.es.search import EXCLUDE, SORTS
from crawler.web.params import PARAMS

TEMPLATES = Jinja2Templates(directory=Path(__file__).parent / "templates")
SORT_LABELS = dict(zip(SORTS, ("Liên quan nhất", "Mới nhất"), strict=True))
TEMPLATES.env.globals["SORT_LABELS"] = SORT_LABELS
# A name as one path segment: /people/<name>, "/" included.
TEMPLATES.env.filters["segment"] = lambda value: quote(str(value), safe="")
FILTER_LABELS = {
    "province": "Tỉnh", "site": "Trang", "entity": "Nhắc đến", "person": "Người",
    "organization": "Cơ quan", "place": "Địa danh", "category": "Chuyên mục",
}  # fmt: skip
VIETNAM = timezone(timedelta(hours=7))
# What a new search, the export and a saved search leave out of the current one.
NOT_A_FILTER = ("page", "size", "facets")


class Links:
    """``link(name=value)``: the current search with parameters changed (None removes;
    any change but the page goes back to page 1); ``link.add``/``link.remove`` one value
    of a filter; ``link.query()`` the search as a query string for other pages."""

    def __init__(self, request: Request) -> None:
        self.current: dict[str, list[str]] = {}
        for key, value in request.query_params.multi_items():
            if key in PARAMS and value:
                self.current.setdefault(key, []).append(value)

    def _href(self, params: dict[str, list[str]], keep_page: bool = False) -> str:
        if not keep_page:
            params.pop("page", None)
        return "/?" + self._encode(params)

    @staticmethod
    def _encode(params: dict[str, list[str]]) -> str:
        pairs = [(k, str(v)) for k, values in params.items() for v in values if v not in ("", None)]
        return urlencode(pairs)

    def __call__(self, **changes: Any) -> str:
        merged = {k: list(v) for k, v in self.current.items()}
        for key, value in changes.items():
            if value is None or value == "":
                merged.pop(key, None)
            else:
                merged[key] = list(value) if isinstance(value, list | tuple) else [value]
        return self._href(merged, keep_page="page" in changes)

    def has(self, name: str, value: str) -> bool:
        return value in self.current.get(name, [])

    def add(self, name: str, value: str) -> str:
        """Another value of a filter (any of them matches); no longer excluded, if it was
        (and no longer chosen, for an exclusion)."""
        merged = {k: list(v) for k, v in self.current.items()}
        opposite = name[len(EXCLUDE) :] if name.startswith(EXCLUDE) else EXCLUDE + name
        if value in merged.get(opposite, []):
            merged[opposite].remove(value)
        if value not in merged.get(name, []):
            merged.setdefault(name, []).append(value)
        return self._href(merged)

    def remove(self, name: str, value: str) -> str:
        merged = {k: [v for v in values if not (k == name and v == value)]
                  for k, values in self.current.items()}  # fmt: skip
        return self._href(merged)

    def toggle(self, name: str, value: str) -> str:
        return self.remove(name, value) if self.has(name, value) else self.add(name, value)

    def clear(self) -> str:
        """Every filter gone; the words, the order and the page size kept."""
        kept = {k: v for k, v in self.current.items() if k in ("q", "sort", "size")}
        return self._href(kept)

    def query(self, **changes: Any) -> str:
        """The search as a query string, without paging (export, saved searches)."""
        kept = {k: list(v) for k, v in self.current.items() if k not in NOT_A_FILTER}
        kept.update({k: [v] for k, v in changes.items() if v not in (None, "")})
        return self._encode(kept)

    def hidden(self, *leave_out: str) -> list[tuple[str, str]]:
        """The current parameters as (name, value) pairs for a form's hidden inputs, so
        the form keeps them: all but ``leave_out``, the page and the form's own fields."""
        return [(k, v) for k, values in self.current.items() if k not in (*leave_out, "page")
                for v in values]  # fmt: skip

    def chips(self) -> list[dict[str, str]]:
        """The chosen filters, each with the link that removes it."""
        found = []
        for name, label in FILTER_LABELS.items():
            for value in self.current.get(name, []):
                found.append({"label": f"{label}: {value}", "href": self.remove(name, value)})
            for value in self.current.get(EXCLUDE + name, []):
                found.append({"label": f"Trừ {label.lower()}: {value}", "excluded": "1",
                              "href": self.remove(EXCLUDE + name, value)})  # fmt: skip
        for name, label in (("since", "Từ ngày"), ("until", "Đến ngày")):
            for value in self.current.get(name, []):
                found.append({"label": f"{label} {value}", "href": self(**{name: None})})
        return found


def linker(request: Request) -> Links:
    """link(name=value, ...): the current search with some parameters changed."""
    return Links(request)


def _month_bounds(month: str) -> tuple[date, date]:
    first = date.fromisoformat(month + "-01")
    following = (first + timedelta(days=32)).replace(day=1)
    return first, following - timedelta(days=1)


def chosen_month(since: date | None, until: date | None) -> str | None:
    """The month since..until covers exactly, if it does: the start of a range."""
    if since is None or until is None:
        return None
    month = since.isoformat()[:7]
    return month if (since, until) == _month_bounds(month) else None


def month_chart(months: list[dict[str, Any]], since: date | None, until: date | None,
                link: Links) -> list[dict[str, Any]]:  # fmt: skip
    """Each month's bar: its height (0-100), whether it is in the chosen dates, and its
    link. A click chooses that month; once one month is chosen, a click on another
    chooses both and the months between (a range in two clicks), on it again clears."""
    peak = max((m["count"] for m in months), default=0) or 1
    start = chosen_month(since, until)
    bars = []
    for m in months:
        first, last = _month_bounds(m["month"])
        if start == m["month"]:
            href = link(since=None, until=None)
        elif start:
            begin, end = _month_bounds(start)
            href = link(since=min(first, begin).isoformat(), until=max(last, end).isoformat())
        else:
            href = link(since=first.isoformat(), until=last.isoformat())
        chosen = (
            bool(since or until)
            and (since is None or since <= last)
            and (until is None or until >= first)
        )
        bars.append({**m, "height": round(100 * m["count"] / peak), "href": href,
                     "chosen": chosen})  # fmt: skip
    return bars


def quick_ranges(link: Links, today: date | None = None) -> list[dict[str, str]]:
    """The last 7 days, the last 30 days, this year: the other filters kept."""
    today = today or datetime.now(UTC).astimezone(VIETNAM).date()
    starts = (("7 ngày", today - timedelta(days=6)), ("30 ngày", today - timedelta(days=29)),
              ("Năm nay", today.replace(month=1, day=1)))  # fmt: skip
    return [{"label": label, "href": link(since=start.isoformat(), until=None)}
            for label, start in starts]  # fmt: skip
