"""Atom feeds: one per saved search, and one for any search (journalists read feeds)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response
from feedgen.feed import FeedGenerator
from lxml import etree

from crawler.dates import VIETNAM_TZ
from crawler.es.search import SearchRequest, build_query
from crawler.watches import ARTICLE_FIELDS, WatchError, describe, get_watch, search_values
from crawler.web.backend import Es
from crawler.web.params import Params
from crawler.web.watches import WebSettings

if TYPE_CHECKING:
    from elasticsearch import Elasticsearch

router = APIRouter()
FEED_SIZE = 50
ATOM = "application/atom+xml; charset=utf-8"
NS = "{http://www.w3.org/2005/Atom}"


def latest(
    client: Elasticsearch, index: str, request: SearchRequest, size: int = FEED_SIZE
) -> list[dict[str, Any]]:
    """The newest matching articles, each on its own (a feed reader marks each read)."""
    response = client.search(
        index=index,
        query=build_query(request),
        sort=[{"published": {"order": "desc", "missing": "_last"}}, {"fetched_at": "desc"}],
        size=size,
        source=ARTICLE_FIELDS,
        ignore_unavailable=True,
    )
    return [{**hit["_source"], "id": hit["_id"]} for hit in response["hits"]["hits"]]


@router.get("/feeds/search.atom", summary="Atom feed of any search, newest first")
async def search_feed(request: Request, params: Params, es: Es) -> Response:
    [articles] = await es.run((latest, params))
    values = search_values(params)
    title = f"Tin công an: {describe(values)}"
    return _atom(request, title, values, articles)


@router.get("/feeds/{name}.atom", summary="Atom feed of a saved search, newest first")
async def watch_feed(request: Request, name: str, es: Es, settings: WebSettings) -> Response:
    watches = settings.get("ES_WATCHES_INDEX")

    def find(client: Elasticsearch, index: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        try:
            watch = get_watch(client, watches, name)
            return watch.search, latest(client, index, watch.request())
        except WatchError as exc:
            raise HTTPException(404, str(exc)) from None

    [(values, articles)] = await es.run((find,))
    return _atom(request, f"Tin công an: {name}", values, articles)


def _when(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=VIETNAM_TZ)


def _web(url: str | None) -> str | None:
    return url if url and url.lower().startswith(("http://", "https://")) else None


def _atom(
    request: Request, title: str, values: dict[str, Any], articles: list[dict[str, Any]]
) -> Response:
    base = str(request.base_url).rstrip("/")
    feed = FeedGenerator()
    feed.id(str(request.url))
    feed.title(title)
    feed.subtitle(describe(values))
    feed.author({"name": "Tin công an các tỉnh"})
    feed.language("vi")
    feed.link(href=str(request.url), rel="self", type="application/atom+xml")
    feed.link(href=f"{base}/?{urlencode(values, doseq=True)}", rel="alternate", type="text/html")
    feed.generator("vn-police-news")
    moments, links = [], []
    for article in articles:
        entry = feed.add_entry(order="append")
        original = _web(article.get("url"))
        entry.id(original or uuid.uuid5(uuid.NAMESPACE_URL, article["id"]).urn)
        entry.title(article.get("title") or "(không có tiêu đề)")
        published = _when(article.get("published"))
        updated = published or _when(article.get("fetched_at")) or datetime.now(VIETNAM_TZ)
        moments.append(updated)
        entry.updated(updated)
        if published:
            entry.published(published)
        these = [{"href": f"{base}/articles/{quote(article['id'], safe='')}", "rel": "alternate"}]
        if original:
            these.append({"href": original, "rel": "via"})
        entry.link([{**link, "type": "text/html"} for link in these])
        links.append(these)
        if article.get("lead"):
            entry.summary(article["lead"])
        for term in (article.get("province"), article.get("site")):
            if term:
                entry.category(term=term)
    feed.updated(max(moments, default=datetime.now(VIETNAM_TZ)))
    return Response(_with_link_relations(feed.atom_str(pretty=True), links), media_type=ATOM)


def _with_link_relations(atom: bytes, links: list[list[dict[str, str]]]) -> bytes:
    """feedgen 1.0 writes an entry's links without their rel and type (it reads them from
    the element it has just made): two bare links would both be "alternate", which Atom
    forbids. They are put back here, entry by entry, in the order they were given."""
    root = etree.fromstring(atom)
    for entry, given in zip(root.iterfind(f"{NS}entry"), links, strict=True):
        for element, link in zip(entry.iterfind(f"{NS}link"), given, strict=True):
            element.set("rel", link["rel"])
            element.set("type", "text/html")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
