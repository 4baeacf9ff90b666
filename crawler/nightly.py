"""The nightly run's report: what each site gave, what failed and why, and whether the
run crossed a threshold that should wake someone up."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from datetime import datetime
from pathlib import Path
from typing import Any

SITE_FAILURE = re.compile(r"^\[(?P<site>[^\]]+)\] (?P<reason>.*)$")
KINDS = ("new", "updated", "unchanged", "failed")


def build_report(
    stats: dict[str, Any], failures: list[str], started: datetime, finished: datetime,
    spooled_waiting: int,
) -> dict[str, Any]:  # fmt: skip
    """The report of one run from the crawl's stats and its failure list."""
    sites: dict[str, dict[str, Any]] = defaultdict(
        lambda: {
            "pages": 0,
            "articles": 0,
            "skipped": 0,
            "not_article": 0,
            "failed_pages": 0,
            **dict.fromkeys(KINDS, 0),
            "failures": [],
        }  # fmt: skip
    )
    for key, value in stats.items():
        parts = key.split("/")
        if key.startswith("police/") and len(parts) == 3:
            name = {"failed": "failed_pages"}.get(parts[2], parts[2])
            sites[parts[1]][name] = value
        elif key.startswith("elasticsearch/site/") and len(parts) == 4:
            sites[parts[2]][parts[3]] = value
        elif key.startswith("incremental/site/") and len(parts) == 4:
            sites[parts[2]]["skipped"] = value
    others = []
    for failure in failures:
        match = SITE_FAILURE.match(failure)
        if match:
            sites[match["site"]]["failures"].append(match["reason"])
        else:
            others.append(failure)
    statuses = {
        key.rsplit("/", 1)[1]: value
        for key, value in stats.items()
        if key.startswith("downloader/response_status_count/")
    }
    return {
        "started": started.isoformat(timespec="seconds"),
        "finished": finished.isoformat(timespec="seconds"),
        "duration_s": round((finished - started).total_seconds(), 1),
        "sites": dict(sorted(sites.items())),
        "other_failures": others,
        "robots_refusals": stats.get("robotstxt/forbidden", 0),
        "http_statuses": statuses,
        "spooled": stats.get("elasticsearch/spooled", 0),
        "spool_waiting": spooled_waiting,
        "totals": {
            "pages": stats.get("response_received_count", 0),
            "articles": stats.get("item_scraped_count", 0),
            **{kind: stats.get(f"elasticsearch/{kind}", 0) for kind in KINDS},
        },
    }


def previous_reports(folder: Path, count: int) -> list[dict[str, Any]]:
    """The last reports written to the folder, newest first."""
    paths = sorted(folder.glob("run-*.json"), reverse=True)[:count] if folder.is_dir() else []
    return [json.loads(p.read_text(encoding="utf-8")) for p in paths]


def alarms(
    report: dict[str, Any], earlier: list[dict[str, Any]], max_failed_ratio: float,
    empty_nights: int,
) -> list[str]:  # fmt: skip
    """Why the run should be looked at in the morning; empty when all is well."""
    found = []
    for site, figures in report["sites"].items():
        failed = figures["failed_pages"] + figures["failed"]
        seen = figures["pages"] + failed
        if seen and failed / seen > max_failed_ratio:
            found.append(f"{site}: {failed} of {seen} pages or articles failed")
        nights = [report, *earlier[: empty_nights - 1]]
        if len(nights) == empty_nights and all(
            _yield(night["sites"].get(site)) == 0 for night in nights
        ):
            found.append(f"{site}: no article {empty_nights} nights in a row")
    return found


def _yield(figures: dict[str, Any] | None) -> int:
    if not figures:
        return 0
    return figures["articles"] + figures["skipped"]


def summary(report: dict[str, Any], problems: list[str]) -> str:
    """A few lines to read in the morning."""
    totals = report["totals"]
    lines = [
        f"Nightly run {report['started']} - {report['finished']} ({report['duration_s']} s): "
        f"{totals['pages']} pages, {totals['articles']} articles, new {totals['new']}, updated "
        f"{totals['updated']}, unchanged {totals['unchanged']}, failed {totals['failed']}; "
        f"robots.txt refusals {report['robots_refusals']}; waiting in the spool "
        f"{report['spool_waiting']}"
    ]
    for site, figures in report["sites"].items():
        failures = (
            f"; {len(figures['failures'])} failed: {figures['failures'][0]}"
            if figures["failures"]
            else ""
        )
        lines.append(
            f"  {site}: {figures['pages']} pages, {figures['articles']} articles "
            f"(new {figures['new']}, updated {figures['updated']}, unchanged "
            f"{figures['unchanged']}), {figures['skipped']} already indexed{failures}"
        )
    lines += [f"ALARM: {problem}" for problem in problems]
    return "\n".join(lines)
