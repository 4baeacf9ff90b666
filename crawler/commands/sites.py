"""`crawler sites`: the registry's entries with their health; `check` which of them work,
`detect` the profile that reads a page, `add` an entry of your own."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from crawler.commands.base import EXIT_FAILED, EXIT_OK, CliError, project_settings
from crawler.dates import VIETNAM_TZ
from crawler.site_state import DEGRADED, FAILING, OK, Outcome, load_state, record, state_path
from crawler.sites import RegistryError, configured_sites, load_sites, save_entry, user_registry

if TYPE_CHECKING:
    from scrapy.settings import Settings

    from crawler.site_detect import Detection
    from crawler.site_verdict import SiteCheck
    from crawler.sites import Site

HELP = "list the sites of the registry and their health; check, detect, add sites"
EXAMPLE = "crawler sites check --site laichau --site thaibinh"
STATES = {"ok": OK, "warn": DEGRADED, "fail": FAILING}  # a check's verdict -> the state kept


def add_arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="action", metavar="ACTION")
    check = actions.add_parser(
        "check", help="which sites work: connect, robots.txt, start points, two articles",
        description="Fetch each site's robots.txt, start points and a few of its articles "
        "as the crawl would, say what works, and keep the result for `crawler sites` and "
        "the nightly report. Exit code 1 when a site fails, 2 when the check is "
        "interrupted (nothing is kept then).",
    )  # fmt: skip
    check.add_argument("--site", action="append", metavar="ID",
                       help="only this site (repeat; default: every enabled site)")  # fmt: skip
    check.add_argument("--articles", type=int, default=2, metavar="N",
                       help="articles to read per site (default: 2)")  # fmt: skip
    check.add_argument("--timeout", type=float, default=90.0, metavar="SECONDS",
                       help="time bound per site: no request is sent after it "
                       "(default: 90)")  # fmt: skip
    _common(check)
    detect = actions.add_parser(
        "detect", help="fetch one page and say which extraction profile reads it",
        description="Fetch one page (an article or a listing) and read it with every "
        "profile: the one that reads it is what `crawler sites add --profile` takes.",
    )  # fmt: skip
    detect.add_argument("url", metavar="URL")
    _common(detect)
    add = actions.add_parser(
        "add", help="add a site (or replace a shipped one) in your own registry file",
        description="Write a checked entry to CRAWLER_USER_SITES, URL its listing; it "
        "replaces the shipped entry of the same id, whose name, province, hosts, limits, "
        "feeds and sitemaps it keeps unless given (selector overrides: while the profile "
        "stays the same).",
    )  # fmt: skip
    add.add_argument("id", metavar="ID")
    add.add_argument("url", metavar="URL", help="a listing page of the site's news")
    add.add_argument("--province", help="the province the site publishes for")
    add.add_argument("--profile",
                     help="extraction profile (default: the replaced entry's, else the one "
                     "`detect` finds on URL)")  # fmt: skip
    add.add_argument("--name", help="the unit's name (default: the host)")
    add.add_argument("--host", action="append", metavar="HOST",
                     help="a host of the site (repeat; default: URL's host)")  # fmt: skip
    add.add_argument("--feed", action="append", metavar="URL", help="an RSS/Atom feed (repeat)")
    add.add_argument("--sitemap", action="append", metavar="URL", help="a sitemap (repeat)")
    add.add_argument("-s", "--set", action="append", metavar="KEY=VALUE",
                     help="override a Scrapy setting when fetching URL (repeat)")  # fmt: skip
    add.set_defaults(json=False)
    _verbose(add)


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    parser.add_argument("-s", "--set", action="append", metavar="KEY=VALUE",
                        help="override a Scrapy setting (repeat)")  # fmt: skip
    _verbose(parser)


def _verbose(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-v", "--verbose", action="store_true", default=argparse.SUPPRESS,
                        help="show the Scrapy log")  # fmt: skip


def run(args: argparse.Namespace) -> int:
    settings = project_settings()
    action = getattr(args, "action", None)
    if action == "check":
        return check(settings, args)
    if action == "detect":
        return detect(args)
    if action == "add":
        return add(settings, args)
    return listing(settings)


def _sites(settings: Settings) -> list[Site]:
    try:
        return configured_sites(settings)
    except RegistryError as exc:
        raise CliError(str(exc)) from exc


def _overrides(args: argparse.Namespace) -> dict[str, Any]:
    from crawler.commands.crawl import crawl_overrides

    overrides = crawl_overrides(args) | {"PROGRESS_ENABLED": False}  # the table says it
    if not any(pair.startswith("LOG_LEVEL=") for pair in args.set or []):
        # What went wrong is in the table, not a log line per failed request (-v: the log).
        overrides["LOG_LEVEL"] = "INFO" if args.verbose else "CRITICAL"
    return overrides


# --- crawler sites -------------------------------------------------------------------


def listing(settings: Settings) -> int:
    sites = _sites(settings)
    path, user = Path(settings["CRAWLER_SITES"]), user_registry(settings)
    own = {s.id for s in load_sites(user)} if user and user.exists() else set()
    state = load_state(state_path(settings))
    mine = f", {len(own)} of them from {user}" if own else ""
    print(f"{len(sites)} sites in {path}{mine}")
    print(f"{'id':<14} {'profile':<13} {'province':<18} {'merged into':<14} {'hosts':<34} health")
    for site in sites:
        flags = ("" if site.verified else " (unverified)") + ("" if site.enabled else " (off)")
        flags += " (yours)" if site.id in own else ""
        health = state[site.id].describe() if site.id in state else "not checked"
        print(
            f"{site.id:<14} {site.profile:<13} {site.province:<18} "
            f"{site.merged_into or '-':<14} {', '.join(site.hosts) + flags:<34} {health}"
        )
    return EXIT_OK


# --- crawler sites check ----------------------------------------------------------------


def check(settings: Settings, args: argparse.Namespace) -> int:
    from crawler.site_check import check_sites

    if args.articles < 1:
        raise CliError(f"--articles {args.articles}: must be 1 or more")
    if not args.timeout > 0:
        raise CliError(f"--timeout {args.timeout:g}: must be more than 0 seconds")
    sites = _sites(settings)
    known = {s.id: s for s in sites}
    unknown = [i for i in args.site or [] if i not in known]
    if unknown:
        raise CliError(f"no site with id {', '.join(unknown)} (see `crawler sites`)")
    chosen = [known[i] for i in dict.fromkeys(args.site)] if args.site else [
        s for s in sites if s.enabled
    ]  # fmt: skip
    if not chosen:
        raise CliError("no enabled site to check (see `crawler sites`)")
    print(f"checking {len(chosen)} site(s), at most {args.timeout:g} s each...", file=sys.stderr)
    checks, stopped = check_sites(chosen, _overrides(args), args.articles, args.timeout)
    path = state_path(settings)
    if stopped:  # a site cut off mid-check has no verdict: keep none, not a false failure
        raise CliError(f"the check was interrupted ({stopped}): no result kept in {path}")
    when = datetime.now(VIETNAM_TZ)
    if args.json:
        report = {"checked": when.isoformat(timespec="seconds"), "state": str(path),
                  "sites": [c.to_dict() for c in checks]}  # fmt: skip
        print(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        print(check_table(checks))
    try:  # the results are printed already: a state that cannot be kept costs only itself
        record(path, {c.site: Outcome(STATES[c.status], c.reason) for c in checks}, when, "check")
    except OSError as exc:
        print(f"warning: {path}: results not kept: {_os_error(exc)}", file=sys.stderr)
    else:
        if not args.json:
            print(f"results kept in {path} (shown by `crawler sites`)")
    return EXIT_FAILED if any(c.status == "fail" for c in checks) else EXIT_OK


def check_table(checks: list[SiteCheck]) -> str:
    """A line per site: verdict, robots.txt, links per start point, articles read, time,
    and why when not ok; then the count of each verdict."""
    cells = [
        (
            c.site,
            c.status.upper() if c.status == "fail" else c.status,
            ",".join(_robots(h.connect, h.robots) for h in c.hosts) or "-",
            ", ".join(f"{p.kind} {p.links}" for p in c.start),
            f"{sum(a.read for a in c.articles)} of {len(c.articles)}",
            f"{c.seconds:.1f} s",
            c.reason,
        )
        for c in checks
    ]
    head = ("site", "result", "robots", "links", "articles", "time", "reason")
    widths = [max(len(row[i]) for row in [head, *cells]) for i in range(len(head) - 1)]
    rows = []
    for row in [head, *cells]:
        padded = [cell.rjust(w) if i == 5 else cell.ljust(w) for i, (cell, w) in
                  enumerate(zip(row, widths, strict=False))]  # fmt: skip
        rows.append("  ".join([*padded, row[-1]]).rstrip())
    counts = {v: sum(c.status == v for c in checks) for v in ("ok", "warn", "fail")}
    rows.append(f"{len(checks)} sites: {counts['ok']} ok, {counts['warn']} with warnings, "
                f"{counts['fail']} failing")  # fmt: skip
    return "\n".join(rows)


def _robots(connect: str, robots: str) -> str:
    if connect != "ok":
        return "-"
    if "disallows" in robots:
        return "disallows"
    if robots.startswith("none"):
        return "none"
    return "ok" if robots == "HTTP 200" else robots.split(":")[0]


# --- crawler sites detect ---------------------------------------------------------------


def detect(args: argparse.Namespace) -> int:
    from crawler.site_check import fetch_page
    from crawler.site_detect import detect as read_all

    _http_url(args.url, "URL")
    page = fetch_page(args.url, _overrides(args))
    if page.error:
        if args.json:
            print(json.dumps({"url": args.url, "error": page.error}, ensure_ascii=False))
        print(f"{args.url}: {page.error}", file=sys.stderr)
        return EXIT_FAILED
    found = read_all(page.url, page.body, page.encoding)
    if args.json:
        print(json.dumps(found.to_dict(), ensure_ascii=False, indent=2))
    else:
        print(detect_table(found))
    return EXIT_OK if found.profile else EXIT_FAILED


def detect_table(found: Detection) -> str:
    if found.profile:
        article = "an article" if found.kind == "article" else "a listing"
        head = f"{found.url}: read by profile {found.profile} ({article} page"
        head += f"; its markup looks like {found.signature})"
    else:
        head = f"{found.url}: no profile reads it as an article or finds article links in it"
    rows = [head, f"{'profile':<14}{'date':<18}{'body':>6}{'links':>6}  {'authors':<22}title"]
    for r in found.readings:
        mark = "*" if r.profile == found.profile else " "
        date = (r.published or "-")[:16].replace("T", " ")
        title = r.title[:60] if r.refusal is None else f"({r.refusal})"
        rows.append(f"{mark}{r.profile:<13}{date:<18}{r.body_chars:>6}{r.links:>6}  "
                    f"{', '.join(r.authors)[:20]:<22}{title}")  # fmt: skip
    if found.profile:
        rows.append(f"add the site: crawler sites add ID LISTING-URL --profile {found.profile} "
                    "--province PROVINCE")  # fmt: skip
    return "\n".join(rows)


# --- crawler sites add --------------------------------------------------------------------


def add(settings: Settings, args: argparse.Namespace) -> int:
    path = Path(settings["CRAWLER_USER_SITES"])
    site_id = args.id.strip()
    known = next((s for s in _sites(settings) if s.id == site_id), None)
    host = urlsplit(args.url).netloc.lower()
    hosts = args.host or list(dict.fromkeys([host, *(known.hosts if known else ())]))
    start = [("listing", args.url), *_kept_start(known, args, hosts)]
    for kind, url in start:
        _http_url(url, f"site '{site_id}': field 'start' {kind} URL")
    entry: dict[str, Any] = {
        "id": site_id,
        "name": args.name or (known.name if known else host),
        "province": args.province or (known.province if known else ""),
    }
    if known and known.merged_into and not args.province:
        entry["merged_into"] = known.merged_into
    profile = args.profile or (known.profile if known else _detected(args))
    entry |= {"hosts": hosts, "profile": profile, "start": [{kind: url} for kind, url in start]}
    if known:
        entry |= {"max_pages": known.max_pages, "recrawl_days": known.recrawl_days}
        # Selectors are written for the profile they refine: kept while it is the same.
        overrides = {"selectors": dict(known.selectors), "date_format": known.date_format}
        overrides = {key: value for key, value in overrides.items() if value}
        if overrides and profile == known.profile:
            entry["overrides"] = overrides
    try:
        site = save_entry(path, entry)
    except RegistryError as exc:
        raise CliError(str(exc)) from exc
    except OSError as exc:
        raise CliError(f"{path}: cannot write your site registry: {_os_error(exc)}") from exc
    replaced = " (it replaces the registry's entry of that id)" if known else ""
    print(f"{site.id}: written to {path}{replaced}: profile {site.profile}, "
          f"province {site.province}, {len(site.start)} start point(s)")  # fmt: skip
    if known:
        print(_what_was_kept(known, site, args))
    print(f"see whether it works: crawler sites check --site {site.id}")
    return EXIT_OK


def _kept_start(
    known: Site | None, args: argparse.Namespace, hosts: list[str]
) -> list[tuple[str, str]]:
    """The feeds and sitemaps of the entry: those given, else the replaced entry's (those on
    the entry's hosts: `--host` may leave an old host out)."""
    kept: list[tuple[str, str]] = []
    for kind, given in (("feed", args.feed), ("sitemap", args.sitemap)):
        if given:
            kept += [(kind, url) for url in given]
        elif known:
            kept += [(p.kind, p.url) for p in known.start
                     if p.kind == kind and urlsplit(p.url).netloc.lower() in hosts]  # fmt: skip
    return kept


def _what_was_kept(known: Site, site: Site, args: argparse.Namespace) -> str:
    """What the new entry took over from the replaced one, and what it left out: said, as a
    feed or selector lost unseen is a site that quietly gets worse."""
    given = {"name": args.name, "province": args.province, "hosts": args.host,
             "profile": args.profile}  # fmt: skip
    kept = [name for name, value in given.items() if not value]
    kept.append("max_pages, recrawl_days")
    for kind in ("feed", "sitemap"):
        own = [p for p in site.start if p.kind == kind and p in known.start]
        if own and not getattr(args, kind):
            kept.append(f"{len(own)} {kind}(s)")
    if site.selectors or site.date_format:
        kept.append("selector overrides")
    dropped = [p.url for p in known.start if p.kind != "listing" and p not in site.start]
    if (known.selectors or known.date_format) and not (site.selectors or site.date_format):
        dropped.append(f"selector overrides (written for profile {known.profile})")
    line = f"kept from the registry's entry: {', '.join(kept)}"
    return line + (f"; dropped: {', '.join(dropped)}" if dropped else "")


def _detected(args: argparse.Namespace) -> str:
    """The profile that reads URL, fetched now: the one step from a URL to an entry."""
    from crawler.site_check import fetch_page
    from crawler.site_detect import detect as read_all

    page = fetch_page(args.url, _overrides(args))
    if page.error:
        raise CliError(f"{args.url}: {page.error}; give --profile to add it without fetching")
    found = read_all(page.url, page.body, page.encoding)
    print(f"{args.url}: profile {found.profile or 'generic'} "
          f"({found.kind or 'no article or links found'})", file=sys.stderr)  # fmt: skip
    return found.profile or "generic"


def _os_error(exc: OSError) -> str:
    """Why a file could not be written, naming the file that refused when it is another."""
    why = exc.strerror or str(exc)
    return f"{why} ({exc.filename})" if exc.filename else why


def _http_url(url: str, what: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise CliError(f"{what} {url!r} must be an http(s)://host/... address")
