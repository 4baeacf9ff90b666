"""Saved searches ("watches") and their alerts: each sends the articles new to it, once.

Delivery state is kept per channel (the webhook, each e-mail address): the ids already
delivered to it, the newest MAX_DELIVERED. A run sends the articles that match the
search, were fetched after the watch was saved, and are not in that list; the ids are
added only once the channel took them, so a failed channel gets the same articles on the
next run and a delivered article is never sent again. Articles that waited in the spool
are found too: nothing depends on the order articles reach the index.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from elasticsearch import ConflictError, NotFoundError

from crawler.dates import VIETNAM_TZ
from crawler.es.index import ensure_small_index
from crawler.es.search import InvalidSearch, SearchRequest, build_query, parameters

if TYPE_CHECKING:
    from collections.abc import Iterable

    from elasticsearch import Elasticsearch
    from scrapy.settings import Settings

LEAVE_OUT = ("page", "size", "facets")  # what a watch never keeps: it has no pages
NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
RESERVED = ("search", "new")  # /feeds/search.atom and /watches/new are routes
EMAIL = re.compile(r"^[^@\s,;<>\"']+@[^@\s,;<>\"']+\.[^@\s,;<>\"'.]+$")
MAX_EMAILS = 20
MAX_DELIVERED = 10_000  # ids remembered per channel; far more than a year of one search
LEASE = timedelta(minutes=15)  # a run holds a watch this long at most, then it is free
ARTICLE_FIELDS = ["id", "url", "title", "published", "province", "site", "lead", "fetched_at"]
MAPPING: dict[str, Any] = {
    "dynamic": "strict",
    "properties": {
        "name": {"type": "keyword"},
        # Generic: SearchRequest's parameters change, the stored values are kept as given.
        "search": {"type": "object", "enabled": False},
        "webhook": {"type": "keyword", "index": False},
        "emails": {"type": "keyword"},
        "created": {"type": "date"},
        "lease": {"type": "date"},
        "state": {"type": "object", "enabled": False},
    },
}


class WatchError(ValueError):
    """A watch that cannot be made, found or rebuilt: one line saying which and why."""


@dataclass
class Watch:
    name: str
    search: dict[str, Any]
    webhook: str | None = None
    emails: list[str] = field(default_factory=list)
    created: str = ""
    state: list[dict[str, Any]] = field(default_factory=list)  # one entry per channel
    lease: str | None = None

    def channels(self) -> list[str]:
        """The pushed channels: "webhook" and "email:ADDRESS" (the feed is pulled)."""
        return (["webhook"] if self.webhook else []) + [f"email:{a}" for a in self.emails]

    def channel_state(self, channel: str) -> dict[str, Any]:
        for entry in self.state:
            if entry["channel"] == channel:
                return entry
        entry = {"channel": channel, "delivered": [], "sent": 0, "last_run": None,
                 "last_error": None}  # fmt: skip
        self.state.append(entry)
        return entry

    def request(self) -> SearchRequest:
        return rebuild_request(self.search)

    def public(self, reveal: bool = True) -> dict[str, Any]:
        """What the list, the page and the API show: no secret, no delivered ids. Not
        ``reveal``: the addresses masked and no error text (who follows what is private)."""
        channels = []
        for state in map(self.channel_state, self.channels()):
            shown = {key: state[key] for key in ("channel", "sent", "last_run", "last_error")}
            shown["state"] = None if not state["last_run"] else (
                "failed" if state["last_error"] else "ok")  # fmt: skip
            if not reveal:
                shown["last_error"] = None
                if shown["channel"].startswith("email:"):
                    shown["channel"] = "email:" + masked_email(shown["channel"][6:])
            channels.append(shown)
        return {
            "name": self.name,
            "search": self.search,
            "webhook": redacted_url(self.webhook) if self.webhook else None,
            "emails": self.emails if reveal else [masked_email(a) for a in self.emails],
            "created": self.created,
            "channels": channels,
        }  # fmt: skip

    def document(self) -> dict[str, Any]:
        return {
            "name": self.name, "search": self.search, "webhook": self.webhook,
            "emails": self.emails, "created": self.created, "lease": self.lease,
            "state": self.state,
        }  # fmt: skip


def check_name(name: str) -> str:
    if not NAME.match(name or "") or name in RESERVED:
        raise WatchError(
            f"watch name {name!r}: use 1 to 64 letters, digits, '-' or '_' "
            f"(not {' or '.join(RESERVED)})"
        )
    return name


def check_webhook(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise WatchError(f"webhook {redacted_url(url)!r}: not an http(s):// address")
    return url


def check_email(address: str) -> str:
    if not EMAIL.match(address or "") or len(address) > 254:
        raise WatchError(f"e-mail {address!r}: not an address like ten@example.vn")
    return address


def masked_email(address: str) -> str:
    """ban@example.vn as b***@example.vn: the desk is recognisable, the address is not."""
    local, _, domain = address.rpartition("@")
    return f"{local[:1]}***@{domain}" if local else "***"


def redacted_url(url: str) -> str:
    """A webhook address as shown: scheme, host and port; its path and query often hold
    the receiver's own token (Slack, Teams), so they are never shown."""
    parts = urlsplit(url)
    host = parts.hostname or "?"
    port = f":{parts.port}" if parts.port else ""
    rest = "/…" if parts.path.strip("/") or parts.query else "/"
    return f"{parts.scheme}://{host}{port}{rest}"


def search_values(request: SearchRequest) -> dict[str, Any]:
    """The public parameters a watch keeps: those not at their default, as JSON values."""
    values = {}
    for param in parameters():
        value = getattr(request, param.name)
        if param.name in LEAVE_OUT or value == param.default or value in (None, "", [], ()):
            continue
        values[param.name] = _jsonable(value)
    return values


def _jsonable(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_jsonable(v) for v in value]
    return value


def rebuild_request(values: dict[str, Any]) -> SearchRequest:
    """The stored values as a SearchRequest, checked; a parameter this version no longer
    has is an error, never dropped (that would widen the search without a word)."""
    known = {param.name: param for param in parameters()}
    given: dict[str, Any] = {}
    for name, value in values.items():
        param = known.get(name)
        if name in LEAVE_OUT:
            raise WatchError(f"search parameter {name!r}: a watch has no pages or facets")
        if param is None:
            raise WatchError(f"search parameter {name!r} is not one this version knows")
        try:
            given[name] = _parsed(param.type, param.default, value)
        except ValueError:
            raise WatchError(
                f"search parameter {name}: {value!r} is not a date like 2024-01-31"
            ) from None
    try:
        return SearchRequest(**given)
    except InvalidSearch as exc:
        raise WatchError(f"search parameter {exc.field} {exc.why}") from None
    except TypeError as exc:
        raise WatchError(f"search parameters: {exc}") from None


def _parsed(kind: type, default: Any, value: Any) -> Any:
    if isinstance(value, list):
        items = [_parsed(kind, None, v) for v in value]
        return tuple(items) if isinstance(default, tuple) else items
    if kind is date and isinstance(value, str):
        return date.fromisoformat(value)
    return value


def describe(values: dict[str, Any]) -> str:
    """The search in one line: `"ma túy" · province=Sơn La`."""
    words = [f'"{values["q"]}"'] if values.get("q") else []
    for name, value in values.items():
        if name != "q":
            shown = ", ".join(map(str, value)) if isinstance(value, list) else value
            words.append(f"{name}={shown}")
    return " · ".join(words) or "(mọi bài)"


# --- The index ------------------------------------------------------------------


def ensure_index(client: Elasticsearch, index: str) -> None:
    """The watches index with its strict mapping, made on first use."""
    ensure_small_index(client, index, MAPPING)


def _watch(source: dict[str, Any]) -> Watch:
    return Watch(**{k: source.get(k) for k in Watch.__dataclass_fields__ if k in source})


def add_watch(client: Elasticsearch, index: str, watch: Watch) -> Watch:
    """Save a new watch; a name already taken is a WatchError."""
    check_name(watch.name)
    if watch.webhook:
        check_webhook(watch.webhook)
    if len(watch.emails) > MAX_EMAILS:
        raise WatchError(f"at most {MAX_EMAILS} e-mail addresses, got {len(watch.emails)}")
    watch.emails = list(dict.fromkeys(check_email(a) for a in watch.emails))
    # A search that cannot run is refused now, not at night; kept as it will be rebuilt.
    watch.search = search_values(rebuild_request(watch.search))
    watch.created = watch.created or now().isoformat(timespec="seconds")
    ensure_index(client, index)
    try:
        client.create(index=index, id=watch.name, document=watch.document(), refresh="true")
    except ConflictError:
        raise WatchError(f"a watch named {watch.name!r} exists already") from None
    return watch


def list_watches(client: Elasticsearch, index: str) -> list[Watch]:
    if not client.indices.exists(index=index):
        return []
    hits = client.search(index=index, size=1000, sort=[{"name": "asc"}])["hits"]["hits"]
    return [_watch(hit["_source"]) for hit in hits]


def get_watch(client: Elasticsearch, index: str, name: str) -> Watch:
    try:
        return _watch(client.get(index=index, id=name)["_source"])
    except NotFoundError:
        raise WatchError(f"no watch named {name!r} (`crawler watch list` lists them)") from None


def remove_watch(client: Elasticsearch, index: str, name: str) -> None:
    try:
        client.delete(index=index, id=name, refresh="true")
    except NotFoundError:
        raise WatchError(f"no watch named {name!r} (`crawler watch list` lists them)") from None


def _save(client: Elasticsearch, index: str, watch: Watch) -> None:
    client.index(index=index, id=watch.name, document=watch.document(), refresh="true")


def _claim(client: Elasticsearch, index: str, name: str) -> Watch | None:
    """The watch, held for this run; None when another run holds it (two runs at once
    must not both send the same articles)."""
    found = client.get(index=index, id=name)
    watch = _watch(found["_source"])
    if watch.lease and datetime.fromisoformat(watch.lease) > now():
        return None
    watch.lease = (now() + LEASE).isoformat(timespec="seconds")
    try:
        client.index(
            index=index, id=name, document=watch.document(), refresh="true",
            if_seq_no=found["_seq_no"], if_primary_term=found["_primary_term"],
        )  # fmt: skip
    except ConflictError:
        return None
    return watch


def now() -> datetime:
    return datetime.now(VIETNAM_TZ)


# --- Finding and sending ------------------------------------------------------------


def matching_query(watch: Watch, exclude: Iterable[str] = ()) -> dict[str, Any]:
    """The watch's search, limited to articles fetched since it was saved, less ``exclude``."""
    query: dict[str, Any] = {
        "bool": {
            "must": [build_query(watch.request())],
            "filter": [{"range": {"fetched_at": {"gte": watch.created}}}],
        }
    }
    ids = list(exclude)
    if ids:
        query["bool"]["must_not"] = [{"ids": {"values": ids}}]
    return query


def new_articles(
    client: Elasticsearch, articles: str, watch: Watch, channel: str, limit: int
) -> tuple[list[dict[str, Any]], int]:
    """Up to ``limit`` articles the channel has not had, oldest first, and how many in all."""
    delivered = watch.channel_state(channel)["delivered"]
    response = client.search(
        index=articles,
        query=matching_query(watch, delivered),
        sort=[{"fetched_at": "asc"}, {"id": "asc"}],
        size=limit,
        source=ARTICLE_FIELDS,
        track_total_hits=True,
        ignore_unavailable=True,  # no articles index yet: nothing new
    )
    hits = [{**hit["_source"], "id": hit["_id"]} for hit in response["hits"]["hits"]]
    return hits, response["hits"]["total"]["value"]


@dataclass
class ChannelResult:
    """What one channel of one watch got in a run, for the nightly report."""

    watch: str
    channel: str
    sent: int = 0
    waiting: int = 0  # matching articles left for the next run (over the limit, or failed)
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"watch": self.watch, "channel": self.channel, "sent": self.sent,
                "waiting": self.waiting, "error": self.error}  # fmt: skip


def run_watches(
    client: Elasticsearch, settings: Settings, names: list[str] | None = None
) -> list[ChannelResult]:
    """Send each watch's new articles to each of its channels; a result per channel.

    Elasticsearch errors are raised (the run cannot go on); a channel that fails is a
    result with its error, its articles kept for the next run."""
    from crawler.notify import DeliveryError, deliver

    index = settings.get("ES_WATCHES_INDEX")
    articles_index = settings.get("ES_INDEX")
    limit = settings.getint("WATCH_MAX_ARTICLES")
    if names:
        wanted = [get_watch(client, index, name).name for name in names]
    else:
        wanted = [watch.name for watch in list_watches(client, index)]
    results: list[ChannelResult] = []
    for name in wanted:
        watch = _claim(client, index, name)
        if watch is None:
            results.append(ChannelResult(name, "*", error="busy: another run is sending it"))
            continue
        try:
            for channel in watch.channels():
                results.append(_send(client, index, articles_index, watch, channel, limit,
                                     settings, deliver, DeliveryError))  # fmt: skip
        finally:
            watch.lease = None
            _save(client, index, watch)
    return results


def _send(
    client: Elasticsearch, index: str, articles_index: str, watch: Watch, channel: str,
    limit: int, settings: Settings, deliver: Any, failure: type[Exception],
) -> ChannelResult:  # fmt: skip
    result = ChannelResult(watch.name, channel)
    state = watch.channel_state(channel)
    state["last_run"] = now().isoformat(timespec="seconds")
    try:
        found, total = new_articles(client, articles_index, watch, channel, limit)
    except WatchError as exc:
        result.error = state["last_error"] = str(exc)
        return result
    result.waiting = total
    if found:
        try:
            deliver(channel, watch, found, settings)
        except failure as exc:
            result.error = state["last_error"] = str(exc)
            return result
        state["delivered"] = (state["delivered"] + [a["id"] for a in found])[-MAX_DELIVERED:]
        state["sent"] += len(found)
        result.sent, result.waiting = len(found), total - len(found)
    state["last_error"] = None
    _save(client, index, watch)  # at once: a later channel's crash must not resend these
    return result


def failures(results: list[ChannelResult]) -> list[str]:
    """The alarms of a run: one line per channel that failed."""
    return [f"watch {r.watch} → {r.channel}: {r.error}" for r in results
            if r.error and not r.error.startswith("busy")]  # fmt: skip


def results_summary(results: list[ChannelResult]) -> str:
    if not results:
        return "watches: none saved"
    lines = ["watches:"]
    for r in results:
        if r.error:
            lines.append(f"  {r.watch} → {r.channel}: FAILED: {r.error} "
                         f"({r.waiting} waiting for the next run)")  # fmt: skip
        else:
            more = f", {r.waiting} more next run" if r.waiting else ""
            lines.append(f"  {r.watch} → {r.channel}: sent {r.sent}{more}")
    return "\n".join(lines)
