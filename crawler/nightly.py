"""The nightly run's report: what each site gave, what failed and why, and whether the
run crossed a threshold that should wake someone up."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from elastic_transport import TransportError
from elasticsearch import ApiError

from crawler.dates import VIETNAM_TZ
from crawler.es.client import client_from_settings
from crawler.es.index import IndexSetupError, ensure_small_index, merge_segments
from crawler.es.spool import FlushResult, Spool, SpoolBusy
from crawler.report import failed, run_report, summary
from crawler.runner import run_spider, stopped_early
from crawler.runs import LISTING_FALLBACK
from crawler.site_state import DEGRADED, FAILING, OK, Outcome, record, state_path
from crawler.watches import ChannelResult, failures, results_summary, run_watches

if TYPE_CHECKING:
    from elasticsearch import Elasticsearch
    from scrapy.settings import Settings

    from crawler.sites import Site


@dataclass
class NightlyRun:
    """One nightly run: its report (as stored), the file it was written to, its alarms."""

    report: dict[str, Any]
    path: Path
    alarms: list[str]


def run_nightly(settings: Settings, overrides: dict[str, Any], site_ids: list[str]) -> NightlyRun:
    """Flush what an earlier run left in the spool, crawl, then write and store the report
    with its alarms (a report Elasticsearch cannot store stays in the file, with a warning)."""
    client = client_from_settings(settings)
    spool = Spool(Path(settings["CRAWLER_SPOOL_DIR"]))
    flushed = flush_spool(spool, client, settings["ES_INDEX"])
    started = datetime.now(VIETNAM_TZ)
    result, crawler = run_spider("police", overrides, site=",".join(site_ids))
    report = run_report(
        result, crawler, started, datetime.now(VIETNAM_TZ), spool.pending(), stopped_early(crawler)
    )
    runs = Path(settings["CRAWLER_RUNS_DIR"])
    earlier = previous_reports(runs, settings.getint("NIGHTLY_EMPTY_NIGHTS"))
    problems = alarms(report, earlier, settings.getfloat("NIGHTLY_MAX_FAILED_RATIO"),
                      settings.getint("NIGHTLY_EMPTY_NIGHTS"))  # fmt: skip
    report["spool_flush"] = flushed.to_dict() if flushed else None
    if flushed and flushed.set_aside:
        problems.append(f"spool: {flushed.bad_lines} lines that hold no article and "
                        f"{flushed.dead_letters} articles Elasticsearch will never take "
                        f"set aside in {spool.rejected}")  # fmt: skip
    report["watches"] = send_watches(client, settings, problems)
    report["merge"] = merge_after_night(client, settings)  # after the alerts: minutes
    report["alarms"] = problems
    outcomes = site_outcomes(report, list(getattr(crawler.spider, "sites", {}).values()))
    report["site_health"] = []
    # A full disk or a broken runs folder: what was crawled is indexed; the night says so
    # (an alarm, the report still stored in Elasticsearch) instead of ending in a traceback.
    try:
        state = record(state_path(settings), outcomes, datetime.now(VIETNAM_TZ), "nightly")
        report["site_health"] = [
            {"site": site, "status": state[site].status, "since": state[site].since,
             "reason": state[site].reason}
            for site in outcomes
            if state[site].status != OK
        ]  # fmt: skip
    except OSError as exc:
        problems.append(f"site health not saved in {state_path(settings)}: {exc}")
    path = runs / f"run-{started.strftime('%Y%m%dT%H%M%S')}.json"
    partial = path.with_suffix(".json.partial")  # a run killed while writing leaves no half
    try:
        runs.mkdir(parents=True, exist_ok=True)
        partial.write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
        partial.replace(path)
    except OSError as exc:
        problems.append(f"run report not written to {path}: {exc}")
    stored = {**report, "sites": [{"site": k, **v} for k, v in report["sites"].items()]}
    try:
        ensure_small_index(client, settings["ES_RUNS_INDEX"])
        client.index(index=settings["ES_RUNS_INDEX"], document=stored)
    except (TransportError, ApiError) as exc:
        print(f"warning: run report not stored in Elasticsearch: {exc}", file=sys.stderr)
    return NightlyRun(report, path, problems)


def merge_after_night(client: Elasticsearch, settings: Settings) -> dict[str, Any] | None:
    """Merge the index's segments when more than NIGHTLY_MERGE_ABOVE: it is written at night
    and read all day. What was merged, or why not (a warning, never the night's failure)."""
    above = settings.getint("NIGHTLY_MERGE_ABOVE")
    alias = settings["ES_INDEX"]
    if above < 0:
        return None
    try:
        merged = merge_segments(client, alias, above)
    except (TransportError, ApiError) as exc:
        print(f"warning: segments of {alias} not merged: {exc}", file=sys.stderr)
        return {"error": str(exc)}
    if not merged.changed:
        return None
    print(f"merged {merged}", file=sys.stderr)
    return {"index": merged.index, "segments_before": merged.before,
            "segments_after": merged.after, "seconds": round(merged.seconds, 1)}  # fmt: skip


def send_watches(
    client: Elasticsearch, settings: Settings, problems: list[str]
) -> list[dict[str, Any]] | None:
    """Each saved search sends what the run found for it; a channel that failed is an
    alarm (its articles go again next run), as are watches that could not run at all."""
    try:
        results = run_watches(client, settings)
    except (TransportError, ApiError) as exc:
        problems.append(f"watches: not run, Elasticsearch failed: {type(exc).__name__}")
        return None
    problems.extend(failures(results))
    return [result.to_dict() for result in results]


def flush_spool(spool: Spool, client: Elasticsearch, alias: str) -> FlushResult | None:
    """Index what an earlier run left in the spool; a line or an article that cannot be
    indexed is set aside, never stops the night. On stderr: stdout may be `--json`."""
    if not spool.files():
        return None
    try:
        flushed = spool.flush(client, alias)
    except (SpoolBusy, IndexSetupError) as exc:
        print(f"spool: not flushed: {exc}", file=sys.stderr)
        return None
    print(f"spool: indexed {flushed.indexed} articles left by an earlier run, "
          f"{flushed.waiting} waiting, {flushed.set_aside} set aside in {spool.rejected}",
          file=sys.stderr)  # fmt: skip
    return flushed


def previous_reports(folder: Path, count: int) -> list[dict[str, Any]]:
    """The last reports written to the folder, newest first."""
    paths = sorted(folder.glob("run-*.json"), reverse=True) if folder.is_dir() else []
    reports = []
    for path in paths:
        if len(reports) == count:
            break
        try:
            reports.append(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            # One damaged report must not stop every later night: it is skipped, said once.
            print(f"warning: {path}: not a readable run report ({exc}); skipped", file=sys.stderr)
    return reports


def alarms(
    report: dict[str, Any], earlier: list[dict[str, Any]], max_failed_ratio: float,
    empty_nights: int,
) -> list[str]:  # fmt: skip
    """Why the run should be looked at in the morning; empty when all is well."""
    found = ["the run was stopped by a signal before the end"] if report.get("interrupted") else []
    for site, figures in report["sites"].items():
        lost = failed(figures)
        seen = figures["pages"] + lost
        if seen and lost / seen > max_failed_ratio:
            found.append(f"{site}: {lost} of {seen} pages or articles failed")
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


def site_outcomes(report: dict[str, Any], sites: list[Site]) -> dict[str, Outcome]:
    """Each crawled site's health from the run's figures: failing when its pages failed
    and it gave no article, when it gave nothing at all, or when every listing of it
    failed (HTTP error, no links); degraded when its listing selectors found no links
    and the crawl fell back to other ways (the spider's notes). An interrupted run
    judges only the sites it reached."""
    failures: dict[str, list[dict[str, Any]]] = {}
    for failure in report.get("failures", []):
        failures.setdefault(failure["site"], []).append(failure)
    fallbacks = {
        note["site"]: note.get("message", "")
        for note in report.get("notes", [])
        if note.get("kind") == LISTING_FALLBACK
    }
    stopped = report.get("interrupted") or report.get("stopped_early")
    outcomes = {}
    for site in sites:
        figures = report["sites"].get(site.id)
        if not figures:
            if not stopped:
                outcomes[site.id] = Outcome(
                    FAILING, "no page fetched (robots.txt may disallow its start points)"
                )
            continue
        lost = failures.get(site.id, [])
        gave = figures["articles"] + figures["skipped"]
        listings = {p.url for p in site.start if p.kind == "listing"}
        failed_listings = listings & {f["url"] for f in lost}
        if (figures["failed_pages"] and not gave) or (
            listings and failed_listings == listings and site.id not in fallbacks
        ):
            outcomes[site.id] = Outcome(FAILING, _why(lost, gave))
        elif site.id in fallbacks:
            outcomes[site.id] = Outcome(DEGRADED, fallbacks[site.id] or "listing fell back")
        elif not gave and figures["not_article"]:
            why = f"no article read ({figures['not_article']} pages were no articles)"
            outcomes[site.id] = Outcome(DEGRADED, why)
        else:
            outcomes[site.id] = Outcome(OK)
    return outcomes


def _why(failures: list[dict[str, Any]], gave: int) -> str:
    """The site's failures in a few words: the first with its URL, then other reasons."""
    if not failures:
        return f"pages failed, {gave} articles"
    first, *others = failures
    reasons = [f"{_short(first['reason'])} at {first['url']}"]
    reasons += list(dict.fromkeys(_short(f["reason"]) for f in others if f is not first))
    return "; ".join(reasons[:3]) + f", {gave} articles"


def _short(reason: str, limit: int = 90) -> str:
    """A reason cut to one readable clause: the run's summary has the whole of it."""
    return reason if len(reason) <= limit else reason[: limit - 1].rstrip() + "…"


def health_lines(report: dict[str, Any]) -> list[str]:
    """A line per site that is not ok: "thaibinh: HTTP 404 at URL, 0 articles since
    2026-11-20"."""
    lines = []
    for entry in report.get("site_health") or []:
        site, status = entry["site"], entry["status"]
        label = site if status == FAILING else f"{site} ({status})"
        lines.append(f"{label}: {entry['reason']} since {entry['since'][:10]}")
    return lines


def nightly_summary(run: NightlyRun) -> str:
    """The run's summary, then its alarms: a few lines to read in the morning."""
    lines = [f"Nightly run {run.report['started']} - {run.report['finished']}", summary(run.report)]
    if run.report.get("watches"):
        lines.append(watches_summary(run.report["watches"]))
    if health := health_lines(run.report):
        lines += ["sites not working:", *(f"  {line}" for line in health)]
    lines += [f"ALARM: {problem}" for problem in run.alarms]
    lines.append(f"report: {run.path}")
    return "\n".join(lines)


def watches_summary(results: list[dict[str, Any]]) -> str:
    return results_summary([ChannelResult(**result) for result in results])
