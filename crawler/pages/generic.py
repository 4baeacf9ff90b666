"""Unknown layouts: the generic reader finds each field; a site's selectors still win."""

from __future__ import annotations

import re
from datetime import datetime
from functools import cached_property
from urllib.parse import urljoin, urlsplit

from crawler.dates import parse_datetime
from crawler.items import Article
from crawler.pages.blocks import Node, node_text
from crawler.pages.html import (
    NOT_ARTICLE_URL,
    PUBLISHER,
    ArticlePage,
    ListingPage,
    canonicalize,
)
from crawler.pages.metadata import (
    breadcrumb_names,
    json_ld,
    ld_article,
    names_of,
    person_names,
    split_site_name,
)
from crawler.pages.reader import Reader, credit_names, is_furniture
from crawler.pages.urls import looks_like_article
from crawler.text import fold

_HOME = re.compile(r"^(?:Trang chủ|Trang nhất|Home|Trang Chủ|TRANG CHỦ)$", re.IGNORECASE)
BREADCRUMB_CSS = (
    '[class*="breadcrumb"], [id*="breadcrumb"], [class*="bread-crumb"], [class*="duongdan"], '
    '[class*="duong-dan"], [class*="duong_dan"], [itemtype*="BreadcrumbList"]'
)
TAG_LINKS_CSS = (
    'a[rel="tag"], a[href*="/tag/"], a[href*="/tags/"], a[href*="/tu-khoa/"], a[href*="?tag="], '
    'a[href*="&tag="], a[href*="/chu-de/"]'
)
_CRUMB_LINE = re.compile(r"^(?:Trang chủ|Trang nhất|Home)\s*[>»›/|]", re.IGNORECASE)
_CRUMB_SEPARATOR = re.compile(r"\s*[>»›/|]\s*")
# A box of tag links, by a class word of its own ("tags", "article__tag", "box-tag"), not a
# WordPress post class naming one tag ("tag-ma-tuy").
_TAG_BOX = re.compile(
    r"(?:^|\s)(?:[\w-]*[_-])?(?:tags?|keywords?|tu-?khoa)(?:[_-](?:list|links?|box|wrap|detail))?(?:\s|$)",
    re.IGNORECASE,
)
_TAG_LABEL = re.compile(r"^(?:Tags?|Từ khóa|Từ khoá|Chủ đề|Keywords?)\s*:", re.IGNORECASE)
# Site-wide values that name no section or subject.
PLACEHOLDER = re.compile(
    r"^(?:news|tin tuc|tintuc|tin tức|home|article|articles|general|uncategorized|"
    r"chưa phân loại|bài viết|default|trang chủ)$",
    re.IGNORECASE,
)
TITLE_SEPARATORS = re.compile(r"\s+[-–—|:»]\s+|\s*\|\s*")
# How far from the headline (in lines) a date still belongs to it.
HEADLINE_LINES = 8
_PUBLISHED_META = (
    "article:published_time", "og:published_time", "datePublished", "pubdate", "publishdate",
    "publish-date", "article.published", "dc.date.issued", "DC.date.issued", "date",
)  # fmt: skip


class GenericArticlePage(ArticlePage):
    """Each field from the CMS family's (or the site's) selector when it finds one, else
    from the generic reader: a profile only says what the reader cannot guess."""

    TITLE_CSS = ""
    BODY_CSS = ""

    @cached_property
    def ld(self) -> list[dict]:
        return json_ld(self.root)

    @cached_property
    def ld_article(self) -> dict:
        return ld_article(self.ld)

    @cached_property
    def site_names(self) -> list[str]:
        names = [self.meta("og:site_name") or "", self.meta("application-name") or ""]
        names += names_of(self.ld_article.get("publisher"))
        return [n for n in names if n]

    @cached_property
    def title_hints(self) -> list[str]:
        """Headlines the metadata gives, the site's name taken off."""
        raw = [
            self.ld_article.get("headline")
            if isinstance(self.ld_article.get("headline"), str)
            else "",
            self.meta("og:title") or "",
            self.meta("twitter:title") or "",
            self.first("title::text") or "",
        ]
        return [split_site_name(t, self.site_names) for t in raw if t and t.strip()]

    @cached_property
    def reader(self) -> Reader:
        descriptions = [self.meta("description") or "", self.meta("og:description") or ""]
        website = (self.meta("og:type") or "").strip().lower() == "website"
        return Reader(self.root, self.title_hints, descriptions, website)

    @cached_property
    def title(self) -> str:
        return (self.first_text("title") if self.css("title") else "") or self.reader.title

    @cached_property
    def lead(self) -> str | None:
        return self.first_text("lead") or self.reader.parts[0]

    @cached_property
    def paragraphs(self) -> list[str]:
        if self.body_node is None:
            return self.reader.parts[1]
        captions = set(self.reader.captions)
        return [p for p in super().paragraphs if p not in captions]

    @cached_property
    def credit(self) -> tuple[list[str], list[str]]:
        """Authors: the byline element, the credit line, else the JSON-LD author."""
        if self.body_node is not None:
            authors, body = super().credit
            from_text: list[str] = []
        else:
            _, body, from_text, _ = self.reader.parts
            authors = []
        authors = authors or self.reader.byline or from_text
        if not authors:
            for name in person_names(self.ld_article.get("author")):
                authors += credit_names(name) or []
        if not authors and (meta := self.meta("author")):
            authors = credit_names(meta) or []
        # The portal named as author (meta author "Dân Trí", "VnExpress") is no person.
        return [a for a in authors if not self._is_site_name(a)], body

    def _is_site_name(self, name: str) -> bool:
        low = " ".join(name.lower().split())
        folded = fold(low).replace(" ", "")
        sites = [" ".join(n.lower().split()) for n in self.site_names]
        sites += [self.meta("copyright") or "", self.meta("application-name") or ""]
        hosts = {
            part for url in (self.url, self.canonical_url)
            for part in urlsplit(url).netloc.lower().split(".")
        }  # fmt: skip
        return (
            bool(PUBLISHER.search(name))
            or any(
                low == n
                or (len(low) >= 4 and re.search(rf"(?<!\w){re.escape(low)}(?!\w)", n.lower()))
                for n in sites
                if n
            )
            or (len(folded) >= 4 and folded in hosts)
            or bool(re.search(r"\.(?:vn|com|net)\b|Báo|Cổng|Ban biên tập|ChannelVN|VCCorp", name))
        )

    @property
    def credited_source(self) -> str | None:
        return self.reader.source

    @property
    def captions(self) -> list[str]:
        return super().captions or self.reader.captions

    @property
    def images(self) -> list[dict[str, str]]:
        if self.body_node is not None:
            return super().images
        base = self.canonical_url
        return [
            {"url": urljoin(base, src), "caption": caption}
            for src, caption in self.reader.caption_images
            if src and not src.startswith("data:")
        ]

    @cached_property
    def published(self) -> tuple[datetime, str] | None:
        """The date shown under the headline when it gives the minute (what readers see;
        metadata may hold an edit time or a mislabelled zone), else the machine-readable
        date (JSON-LD, meta, microdata, <time>), else any date line or text date."""
        if self.css("date") and (selected := self.markup_date()):
            return selected
        machine = self.machine_date()
        visible = self.reader.visible_date()
        if visible and visible[1] == "minute" and visible[2] <= HEADLINE_LINES:
            return visible[0], visible[1]
        if machine and machine[1] == "minute":
            return machine
        if (
            machine and visible and visible[0].date() == machine[0].date()
            and (visible[1] == "minute" or machine[1] == "day")
        ):  # fmt: skip
            return visible[0], visible[1]
        return machine or (visible and (visible[0], visible[1])) or self.text_date()

    def machine_date(self) -> tuple[datetime, str] | None:
        candidates = [self.ld_article.get("datePublished")]
        candidates += [self.meta(name) for name in _PUBLISHED_META]
        for node in self.select('[itemprop="datePublished"]'):
            candidates.append(
                node.attrib.get("content") or node.attrib.get("datetime") or node_text(node)
            )
        for node in self.select("time[datetime]"):
            if not any(is_furniture(a) for a in node.iterancestors()):
                candidates.append(node.attrib["datetime"])
        for value in candidates:
            if isinstance(value, str) and (parsed := parse_datetime(value)):
                return parsed
        return None

    @property
    def category(self) -> list[str]:
        """The breadcrumb after "Trang chủ" (marked up, in JSON-LD, or a line of text
        "Trang chủ > A > B"), else the section the meta tags name."""
        if self.css("category") and (selected := self.first_text("category")):
            return [selected]
        crumbs: list[str] = []
        for node in self.select(BREADCRUMB_CSS):
            items = node.xpath(".//li | .//a[not(ancestor::li)]")
            crumbs = [node_text(item) for item in items]
            if crumbs:
                break
        crumbs = crumbs or breadcrumb_names(self.ld) or self._breadcrumb_line()
        crumbs = [c.strip(" >»/›|") for c in crumbs]
        crumbs = [
            c for c in dict.fromkeys(crumbs)
            if c and not _HOME.match(c) and c != self.title and not c.endswith(":")
        ]  # fmt: skip
        if not crumbs:
            section = self.ld_article.get("articleSection")
            sections = [section] if isinstance(section, str) else section or []
            sections += self.select('meta[itemprop="articleSection"]::attr(content)')
            sections += self.select('meta[property="article:section"]::attr(content)')
            found = [s.strip() for s in sections if isinstance(s, str) and s.strip()]
            crumbs = [c for c in dict.fromkeys(found) if not PLACEHOLDER.match(c)][:1]
        return crumbs or self._section_links() or self._title_sections()

    def _section_links(self) -> list[str]:
        """The section the page's address lies under ("/giai-tri.htm" for
        "/giai-tri/bai-viet.htm"): the link to the longest such section, with the links
        before it when they sit in a small box of their own (a path "Đời sống › Xã hội")."""
        path = urlsplit(self.url).path.rstrip("/")
        best: tuple[int, Node] | None = None
        for link in self.select("a[href]"):
            target = urlsplit(urljoin(self.url, link.attrib["href"]))
            if target.netloc != urlsplit(self.url).netloc:
                continue
            section = re.sub(r"\.[a-z]{2,5}$", "", target.path.rstrip("/"))
            text = node_text(link)
            if not section or section == path or not path.startswith(section + "/"):
                continue
            if not text or len(text) > 40 or _HOME.match(text) or PLACEHOLDER.match(text):
                continue
            box = link.getparent()
            small = box is not None and len(box.xpath(".//a")) <= 4 and not is_furniture(box)
            rank = 2 * len(section) + small
            if best is None or rank > best[0]:
                best = (rank, link)
        if best is None:
            return []
        link = best[1]
        box = link.getparent()
        if box is not None and len(box.xpath(".//a")) <= 4 and not is_furniture(box):
            before = []
            for other in box.xpath(".//a"):
                before.append(node_text(other))
                if other is link:
                    break
            return [t for t in before if t and not _HOME.match(t)]
        return [node_text(link)]

    def _title_sections(self) -> list[str]:
        """The section the <title> names between the headline and the site's name
        ("Headline | Pháp luật | Người Lao Động Online")."""
        raw = " ".join((self.first("title::text") or "").split())
        parts = [p.strip() for p in TITLE_SEPARATORS.split(raw) if p.strip()]
        if len(parts) < 3:
            return []
        hosts = [h for h in urlsplit(self.url).netloc.lower().split(".") if len(h) >= 3]
        hosts = [h for h in hosts if h not in ("www", "com", "net", "org")]
        middle = [
            p for p in parts[1:]
            if not any(h in fold(p).lower().replace(" ", "") for h in hosts)
            and not re.search(r"\.(?:vn|com|net)\b", p, re.IGNORECASE)
            if len(p) <= 30 and len(p.split()) <= 4 and not PLACEHOLDER.match(p)
            and not any(p.lower() in n.lower() or n.lower() in p.lower() for n in self.site_names)
        ]  # fmt: skip
        return middle[:1]

    def _breadcrumb_line(self) -> list[str]:
        for block in self.reader.blocks:
            if _CRUMB_LINE.match(block.text) and len(block.text) < 200:
                return _CRUMB_SEPARATOR.split(block.text)[1:]
        return []

    @property
    def tags(self) -> list[str]:
        """Tag links: article:tag, rel=tag, links to tag pages, links after "Từ khóa:"."""
        links = self.select(f"{TAG_LINKS_CSS}, {self.css('tags')}")
        for node in self.select('[class*="tag"], [class*="keyword"], [class*="tu-khoa"]'):
            if _TAG_BOX.search(node.attrib.get("class", "")):
                links += node.xpath(".//a")
        for block in self.reader.blocks:
            if _TAG_LABEL.match(block.text):
                links += block.node.xpath(".//a")
        found = [node_text(a) for a in dict.fromkeys(links) if not _inline(a)]
        if not found:
            meta = self.select('meta[property="article:tag"]::attr(content)')
            found = [tag for value in meta for tag in value.split(",")]
        cleaned = (t.strip().lstrip("#").strip() for t in found)
        cleaned = (t for t in cleaned if not PLACEHOLDER.match(t))
        return list(
            dict.fromkeys(t for t in cleaned if t and len(t) <= 80 and not _TAG_LABEL.match(t))
        )

    def refusal(self) -> str | None:
        """Why this is not an article page, or None."""
        if NOT_ARTICLE_URL.search(self.url):
            return "not an article: the address is a tag, search, contact or login page"
        if self.select('input[type="password"]'):
            return "not an article: a login form"
        if reason := self.reader.listing_reason:
            return f"not an article: {reason}"
        if self.published is None:
            # A comment form after a full story does not make the page a form.
            if self.select("textarea") and sum(len(p) for p in self.paragraphs) < 500:
                return "not an article: a form (contact or feedback page) with no date"
            if sum(len(p) for p in self.paragraphs) < 500:
                return "not an article: no date and less than 500 characters of story text"
        return super().refusal()

    def to_item(self) -> Article:
        item = super().to_item()
        item.source_tag = self.credited_source
        return item


def _has_words(text: str, words: str) -> bool:
    return bool(re.search(rf"(?<!\w){re.escape(words)}(?!\w)", text.lower()))


def _inline(link: Node) -> bool:
    """A link inside a sentence of the story, not one of a row of tag links."""
    paragraph = next((a for a in link.iterancestors() if a.tag == "p"), None)
    return paragraph is not None and len(node_text(paragraph)) > 3 * len(node_text(link)) + 20


class GenericListingPage(ListingPage):
    LISTING_CSS = "a[href]"
    NEXT_CSS = 'a[rel="next"], .pagination a, .paging a, .pager a'

    def article_urls(self) -> list[str]:
        """Links on the same host with an article's address (crawler.pages.urls), canonical,
        in page order, once: the listing fallback reads a page's links the same way."""
        host = urlsplit(self.url).netloc.lower()
        found = (canonicalize(urljoin(self.url, h.strip())) for h in self.select("a::attr(href)"))
        return list(
            dict.fromkeys(u for u in found if urlsplit(u).netloc == host and looks_like_article(u))
        )
