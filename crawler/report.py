"""A run's report: one object for `--json`, the nightly file and the runs index, and the
summary people read, made from it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from datetime import datetime

    from scrapy.crawler import Crawler

    from crawler.runs import RunResult

INTERRUPTED = ("shutdown", "cancelled")  # Scrapy's finish reasons for Ctrl-C and SIGTERM
# A shared crawl's finish reason when Redis stayed out of reach (REDIS_OUTAGE_LIMIT).
QUEUE_UNREACHABLE = "shared_queue_unreachable"
COLUMNS = (
    ("pages", "pages"), ("articles", "articles"), ("not_article", "not article"),
    ("skipped", "skipped"), ("new", "new"), ("updated", "updated"),
    ("unchanged", "unchanged"), ("failed", "failed"), ("spooled", "spooled"),
)  # fmt: skip


def run_report(
    result: RunResult, crawler: Crawler, started: datetime, finished: datetime,
    spool_waiting: int, stopped_early: str | None = None, until_stopped: bool = False,
) -> dict[str, Any]:  # fmt: skip
    """The report of one run, as `--json` prints it and the nightly run stores it.
    ``until_stopped``: a worker that runs until a signal ends it, its normal end."""
    stats = crawler.stats.get_stats()
    statuses = {
        key.rsplit("/", 1)[1]: value
        for key, value in stats.items()
        if key.startswith("downloader/response_status_count/")
    }
    return {
        "started": started.isoformat(timespec="seconds"),
        "finished": finished.isoformat(timespec="seconds"),
        "duration_s": round((finished - started).total_seconds(), 1),
        "stopped_early": stopped_early,
        "interrupted": stats.get("finish_reason") == QUEUE_UNREACHABLE
        or (not until_stopped and stats.get("finish_reason") in INTERRUPTED),
        **result.to_dict(),
        "robots_refusals": stats.get("robotstxt/forbidden", 0),
        "http_statuses": statuses,
        "spool_waiting": spool_waiting,
    }


def failed(figures: dict[str, Any]) -> int:
    """Pages that could not be read and articles that did not reach the index."""
    return figures["failed_pages"] + figures["failed"]


def summary(report: dict[str, Any]) -> str:
    """A table per site, the totals, what stopped the run early, and every failure."""
    width = max([len("site"), *(len(site) for site in report["sites"])]) + 2
    rows = [f"{'site':<{width}}" + "".join(f"{label:>{len(label) + 2}}" for _, label in COLUMNS)]
    for site, figures in [*report["sites"].items(), ("total", report["totals"])]:
        values = {**figures, "failed": failed(figures)}
        rows.append(
            f"{site:<{width}}"
            + "".join(f"{values[name]:>{len(label) + 2}}" for name, label in COLUMNS)
        )
    totals = report["totals"]
    indexed = totals["new"] + totals["updated"] + totals["unchanged"]
    rows.append(
        f"{totals['pages']} pages, {totals['articles']} articles in {report['duration_s']} s; "
        f"indexed {indexed} (new {totals['new']}, updated {totals['updated']}, unchanged "
        f"{totals['unchanged']}); skipped as already indexed: {totals['skipped']}; "
        f"robots.txt refusals: {report['robots_refusals']}"
    )
    if report.get("stopped_early"):
        rows.append(f"note: {report['stopped_early']}")
    if totals["spooled"] or report["spool_waiting"]:
        rows.append(
            f"spooled: {totals['spooled']} articles of this run not indexed yet, "
            f"{report['spool_waiting']} waiting in all: run `crawler spool flush` "
            "when Elasticsearch is back"
        )
    # A site read another way than its registry entry says (report["notes"]): it worked,
    # but its entry wants looking at.
    rows += [f"note: [{n['site']}] {n['message']}" for n in report.get("notes", [])]
    rows.append(f"failed: {failed(totals)}")
    rows += [f"  failed: [{f['site']}] {f['url']}: {f['reason']}" for f in report["failures"]]
    return "\n".join(rows)


def complete(report: dict[str, Any]) -> bool:
    """The run ended by itself and everything it found is in the index: nothing failed,
    nothing left spooled."""
    totals = report["totals"]
    return not report["interrupted"] and not failed(totals) and not totals["spooled"]
