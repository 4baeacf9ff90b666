"""Shared machinery of HTML page objects: decoding, and CSS-driven article and listing pages.

A CMS family is a subclass that sets the CSS selectors of its markup; a site's registry
entry may replace any of them. Page objects do no I/O: they get the URL, the bytes and
the declared charset, and return fields.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property, lru_cache
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from lxml import etree
from parsel import Selector
from parsel.csstranslator import HTMLTranslator

from crawler.dates import VIETNAM_TZ, parse_datetime
from crawler.items import Article
from crawler.nlp.gazetteer import places
from crawler.pages.blocks import Node, node_text
from crawler.pages.seed import article_id
from crawler.text import credit_names

_META_CHARSET = re.compile(rb"""<meta[^>]+charset=["']?([\w-]+)""", re.IGNORECASE)
CLUTTER = re.compile(
    r"^(?:A-\s*A\s*A\+|Chia sẻ|Lưu|In bài|Thăm dò ý kiến|Tổng số điểm của bài viết là.*|"
    r"Lượt xem:?\s*\d+|Đã xem:?\s*\d+|Các tin khác.*|Tin liên quan.*|Bình luận.*|"
    r"Nguồn(?: tin)?:.*|Những tin (?:cũ|mới) hơn|Theo dòng sự kiện|Tags?:.*)$",
    re.IGNORECASE,
)
# Links that are never articles: tags, search, forms, feeds, media, accounts.
NOT_ARTICLE_URL = re.compile(
    r"/(?:tag|tags|tim-kiem|search|lien-he|contact|login|dang-nhap|rss|feed)(?:/|$|\?)|"
    r"\.(?:jpe?g|png|gif|pdf|docx?|xlsx?|zip|rar|mp[34])$|[?&](?:q|keyword|s)=",
    re.IGNORECASE,
)
MIN_BODY_CHARS = 150
# The publisher a police portal names in its head or footer: "Công an tỉnh Đắk Lắk".
PUBLISHER = re.compile(
    r"Công an (?:tỉnh|thành phố|TP\.?)\s*(?P<name>[A-ZĐÀ-Ỹ][\wÀ-ỹ]*(?:\s[A-ZĐÀ-Ỹ][\wÀ-ỹ]*){0,3})"
)


def decode_html(body: bytes, declared: str | None = None) -> str:
    """Unicode text of a page whatever its label says: UTF-8 first (strict decoding
    detects it reliably), then the declared and <meta> charsets, then windows-1258."""
    meta = _META_CHARSET.search(body[:4096])
    candidates = ["utf-8", declared, meta and meta.group(1).decode("ascii"), "cp1258"]
    for encoding in candidates:
        if not encoding:
            continue
        try:
            text = body.decode(encoding)
        except (LookupError, UnicodeDecodeError):
            continue
        return unicodedata.normalize("NFC", text)
    return unicodedata.normalize("NFC", body.decode("utf-8", errors="replace"))


def canonicalize(url: str) -> str:
    """The URL without fragment and tracking or Liferay redirect parameters."""
    parts = urlsplit(url)
    noise = ("redirect", "inheritredirect", "utm_")
    query = [(k, v) for k, v in parse_qsl(parts.query) if not k.lower().startswith(noise)]
    return urlunsplit((parts.scheme, parts.netloc.lower(), parts.path, urlencode(query), ""))


@lru_cache(maxsize=1024)
def _compiled(css: str) -> etree.XPath:
    """A CSS selector (with parsel's ::text and ::attr()) compiled to XPath once: parsel
    translates and lxml compiles a query again at every call."""
    return etree.XPath(HTMLTranslator().css_to_xpath(css), smart_strings=False)


def select(css: str, node: Node) -> list:
    """The elements (or, for ::text and ::attr(), the strings) a CSS selector finds."""
    return _compiled(css)(node)


@dataclass
class HtmlPage:
    """A fetched HTML document: URL, raw bytes, declared charset, site selector overrides."""

    url: str
    body: bytes
    encoding: str | None = None
    selectors: dict[str, str] = field(default_factory=dict)
    date_format: str | None = None

    @cached_property
    def html(self) -> str:
        return decode_html(self.body, self.encoding)

    def css(self, name: str) -> str:
        """The selector for a field: the site's override, else the family's."""
        return self.selectors.get(name) or getattr(self, name.upper() + "_CSS", "") or ""

    @cached_property
    def root(self) -> Node:
        """The parsed document (parsel's lxml parser settings)."""
        return Selector(text=self.html).root

    def select(self, css: str, node: Node | None = None) -> list:
        """What a CSS selector finds in the page, or under one of its nodes."""
        return select(css, self.root if node is None else node)

    def first(self, css: str) -> str | None:
        """The first string a ::text or ::attr() selector finds."""
        found = self.select(css)
        return found[0] if found else None

    def first_text(self, name: str) -> str:
        query = self.css(name)
        node = self.select(query)[:1] if query else []
        return node_text(node[0]) if node else ""

    def meta(self, key: str) -> str | None:
        value = self.first(f'meta[property="{key}"]::attr(content)')
        return value or self.first(f'meta[name="{key}"]::attr(content)')


class ArticlePage(HtmlPage):
    """An article in the markup of one CMS family; the family sets the *_CSS selectors."""

    TITLE_CSS = "h1"
    LEAD_CSS = ""
    BODY_CSS = "article"
    DATE_CSS = ""
    AUTHOR_CSS = ""
    CAPTION_CSS = "figcaption, .wp-caption-text, td.note, .image-caption"
    CATEGORY_CSS = ""
    TAGS_CSS = 'a[rel="tag"]'
    # Where the article's images and captions are, when not inside the body.
    CONTAINER_CSS = ""
    # Inside the body: what is never article text.
    REMOVE_CSS = "script, style, form, nav, .hidden, .d-none, .social, .share"

    @cached_property
    def title(self) -> str:
        return self.first_text("title") or (self.meta("og:title") or "").strip()

    @cached_property
    def lead(self) -> str | None:
        return self.first_text("lead") or None

    @cached_property
    def body_node(self) -> Node | None:
        nodes = self.select(self.css("body")) if self.css("body") else []
        return nodes[0] if nodes else None

    @cached_property
    def paragraphs(self) -> list[str]:
        """Text blocks of the body, without captions, clutter and empty lines."""
        if self.body_node is None:
            return []
        skip = f"{self.REMOVE_CSS}, {self.css('caption')}, table"
        # Keep the element proxies alive: lxml reuses them only while they exist.
        excluded = set(self.select(skip, self.body_node))
        blocks = []
        for node in self.select("p, h2, h3, h4, li, div:not(:has(p, div))", self.body_node):
            if excluded.intersection([node, *node.iterancestors()]):
                continue
            text = node_text(node)
            if text and not CLUTTER.match(text) and text not in blocks:
                blocks.append(text)
        return blocks

    @cached_property
    def credit(self) -> tuple[list[str], list[str]]:
        """Authors, and the body without the credit line that named them."""
        byline = self.first_text("author")
        if byline:
            names = credit_names(byline) or [byline.split(":")[-1].strip()]
            return [n for n in names if n], self.paragraphs
        for index in range(len(self.paragraphs) - 1, max(len(self.paragraphs) - 4, -1), -1):
            if names := credit_names(self.paragraphs[index]):
                return names, self.paragraphs[:index]
        return [], self.paragraphs

    @cached_property
    def container(self) -> Node | None:
        nodes = self.select(self.CONTAINER_CSS) if self.CONTAINER_CSS else []
        return nodes[0] if nodes else self.body_node

    @property
    def images(self) -> list[dict[str, str]]:
        images = []
        if self.container is None:
            return images
        for img in self.select("img", self.container):
            src = img.attrib.get("src") or img.attrib.get("data-src")
            if not src or src.startswith("data:"):
                continue
            holder = img.xpath("ancestor::figure[1] | ancestor::table[1]")
            caption_nodes = self.select(self.css("caption"), holder[0]) if holder else []
            caption = node_text(caption_nodes[0]) if caption_nodes else ""
            images.append({"url": urljoin(self.url, src), "caption": caption})
        return images

    @property
    def captions(self) -> list[str]:
        if self.container is None:
            return []
        texts = [node_text(n) for n in self.select(self.css("caption"), self.container)]
        return list(dict.fromkeys(t for t in texts if t))

    @property
    def published(self) -> tuple[datetime, str] | None:
        """The visible date, else a machine-readable one, else a full date in the text."""
        return self.markup_date() or self.text_date()

    def markup_date(self) -> tuple[datetime, str] | None:
        if self.css("date"):
            node = self.select(self.css("date"))[:1]
            if node:
                value = node[0].attrib.get("datetime") or node_text(node[0])
                if parsed := self._site_format(value) or parse_datetime(value):
                    return parsed
        for candidate in (
            self.meta("article:published_time"),
            self.first("time[datetime]::attr(datetime)"),
        ):
            if parsed := parse_datetime(candidate):
                return parsed
        return None

    def _site_format(self, value: str) -> tuple[datetime, str] | None:
        if not self.date_format:
            return None
        try:
            parsed = datetime.strptime(value.strip(), self.date_format)
        except ValueError:
            return None
        has_time = any(code in self.date_format for code in ("%H", "%I", "%M"))
        return parsed.replace(tzinfo=VIETNAM_TZ), "minute" if has_time else "day"

    def text_date(self) -> tuple[datetime, str] | None:
        """A date with its year in the opening paragraphs ("Ngày 19 tháng 11 năm 2021")."""
        for text in [self.lead or "", *self.paragraphs[:2]]:
            if parsed := parse_datetime(text):
                day = parsed[0].replace(hour=0, minute=0, second=0)
                return day, "day"
        return None

    @property
    def category(self) -> list[str]:
        """The section path, outermost first (a profile reads the innermost)."""
        found = self.first_text("category") or self.meta("article:section")
        return [found] if found else []

    @property
    def tags(self) -> list[str]:
        found = self.select('meta[property="article:tag"]::attr(content)')
        found += [node_text(n) for n in self.select(self.css("tags"))]
        return list(dict.fromkeys(t.strip() for t in found if t.strip()))

    @property
    def canonical_url(self) -> str:
        link = self.first('link[rel="canonical"]::attr(href)') or self.meta("og:url")
        return canonicalize(urljoin(self.url, link) if link else self.url)

    def publisher_province(self) -> str | None:
        """The province whose police publish the page, when its head or footer says so."""
        texts = [self.meta("og:site_name"), self.meta("author"), self.first("title::text")]
        footers = self.select("footer, [class*=footer], [id*=footer]")
        texts += [node_text(node) for node in footers[-1:]]
        provinces = places()
        for match in (m for text in texts if text for m in PUBLISHER.finditer(text)):
            words = match.group("name").split()
            for size in range(len(words), 0, -1):
                place = provinces.get(" ".join(words[:size]))
                if place and place.kind == "province":
                    return place.name
        return None

    @property
    def language(self) -> str:
        return (self.first("html::attr(lang)") or "vi").split("-")[0].lower()

    def refusal(self) -> str | None:
        """Why the page is not an article (no headline, too little text), or None."""
        if not self.title:
            return "not an article: no headline"
        if sum(len(p) for p in self.paragraphs) < MIN_BODY_CHARS:
            return f"not an article: less than {MIN_BODY_CHARS} characters of story text"
        return None

    def is_article(self) -> bool:
        return self.refusal() is None

    def to_item(self) -> Article:
        authors, body = self.credit
        lead = self.lead
        if lead and body and body[0] == lead:
            body = body[1:]
        published = self.published
        canonical = self.canonical_url
        return Article(
            id=article_id(canonical),
            url=self.url,
            canonical_url=canonical,
            source="site",
            title=self.title,
            lead=lead,
            body=body,
            captions=self.captions,
            images=self.images,
            authors=authors,
            category=self.category,
            tags=self.tags,
            published=published[0].isoformat() if published else None,
            published_precision=published[1] if published else None,
            language=self.language,
        )


class ListingPage(HtmlPage):
    """A list of article teasers with pagination; the family sets the selectors."""

    LISTING_CSS = "h2 a, h3 a"
    NEXT_CSS = 'a[rel="next"], link[rel="next"]'
    NEXT_TEXT = re.compile(r"^(?:Next|Sau|Tiếp|Trang sau|›|»|>)", re.IGNORECASE)

    def article_urls(self) -> list[str]:
        """Absolute URLs of the article links, in page order, without repeats."""
        hrefs = self.select(self.css("listing"))
        urls = [urljoin(self.url, a.attrib.get("href", "")) for a in hrefs if a.attrib.get("href")]
        return list(dict.fromkeys(u for u in urls if not NOT_ARTICLE_URL.search(u)))

    def next_urls(self) -> list[str]:
        """Further listing pages to follow (a rel=next link, or numbered page links)."""
        urls = []
        for link in self.select(self.css("next")):
            href = link.attrib.get("href", "")
            if not href or href.startswith(("javascript", "#")):
                continue
            rel = link.attrib.get("rel", "")
            if "next" in rel or self.NEXT_TEXT.match(node_text(link)) or node_text(link).isdigit():
                urls.append(urljoin(self.url, href))
        return list(dict.fromkeys(u for u in urls if u != self.url))
