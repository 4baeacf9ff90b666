"""Which links are articles by their address alone. One rule for the generic listing, the
listing fallback and sitemaps, so they agree on the same page: the article URL shapes of
the CMS families the registry holds (research/SITES.md, CMS.md) and of the papers in the
page corpus (tests/data/pages), minus listing, tag, feed and file addresses."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from crawler.pages.html import NOT_ARTICLE_URL, canonicalize

_WORD = r"[a-z0-9]+"
_SLUG = rf"{_WORD}(?:-{_WORD})+"
# Article URL shapes, on the path.
ARTICLE_PATHS = re.compile(
    "|".join(
        (
            # NukeViet, thainguyen, bocongan, congan.com.vn, the papers: slug-123.html,
            # slug-t123.html, slug_123.html, slug-post123.tpo (files are refused before)
            rf"/{_SLUG}[-_][a-z]{{0,4}}\d{{2,}}\.[a-z]{{2,5}}$",
            # Thanh Hóa, catphatinh: /cat/a-long-title-slug.html, /bai-viet/slug.catp
            rf"/(?:{_WORD}-){{5,}}{_WORD}\.(?:html?|catp)$",
            # Hòa Bình's portal: /vn/<cat>/<title-of-nine-words-or-more>.aspx (its
            # categories are .aspx too, and run to six words: hoat-dong-cua-cong-an-tinh)
            rf"/(?:{_WORD}-){{8,}}{_WORD}\.aspx$",
            # cand.com.vn -i700001/, baonamdinh slug-12345/, bocongan /bai-viet/slug-<timestamp>
            # (not a category named with a number: /Ban-tin-113/, /tin-tuc-2024/)
            rf"/(?:{_WORD}-){{2,}}(?:[a-z]\d{{3,}}|\d{{5,}})/?$",
            # congan.phutho.gov.vn: /article/<category>/<slug>-<id>-<id>
            rf"/article/(?:[^/]+/)*{_SLUG}-\d+-\d+/?$",
            # conganthaibinh.gov.vn: /tin-tuc/<catalog>/<id>/<friendly-title>
            rf"/\d{{2,}}/{_SLUG}/?$",
            # Joomla: /<category>/1523-title-slug
            rf"/\d{{2,}}-{_WORD}(?:-{_WORD}){{2,}}(?:\.html?)?/?$",
            # Zing 2012 /<cat>/<slug>/a293005.html, NLĐ 2012 /20130311010101p0c1019/<slug>.htm
            rf"/{_SLUG}/[a-z]\d{{4,}}\.html?$|/\d{{8,}}[a-z0-9]*/{_SLUG}\.html?$",
            # SharePoint portals: /Pages/2022-1-6/<Title-slug>.aspx
            r"/pages/\d{4}-\d{1,2}-\d{1,2}/[^/]+\.aspx$",
            # Liferay: .../-/asset_publisher/<id>/content/<title> and .../-/<title>
            rf"/-/asset_publisher/\w+/content/[^/]+(?:/\d+)?/?$|/-/(?:{_WORD}-){{2,}}{_WORD}/?$",
            # WordPress: /2021/12/05/slug/, and a bare /<post-slug>/ of nine words or more
            # (a category's runs to eight: /van-hoa-du-lich-van-hoc-nghe-thuat/)
            rf"/\d{{4}}/\d{{2}}/(?:\d{{2}}/)?{_SLUG}/?$",
            rf"^(?:/{_WORD})?/(?:{_WORD}-){{8,}}{_WORD}/?$",
            # congan.travinh.gov.vn: /catv/ch9/87.prt
            r"/\d+\.prt$",
        )
    ),
    re.IGNORECASE,
)
# ASP.NET and PHP portals: ChiTietTin.aspx?ItemID=3871, NewsDetail.aspx?NewsID=4587,
# index.php?module=tintuc&act=chitiet&id=2231.
DETAIL_PAGE = re.compile(r"(?:chi-?tiet|detail|view)[\w-]*\.(?:aspx|php|jsp)$", re.IGNORECASE)
DETAIL_QUERY = re.compile(
    r"(?:^|&)(?:act|op|action|task|view|do)=(?:chi-?tiet|detail|view)\w*(?:&|$)", re.IGNORECASE
)
ID_QUERY = re.compile(r"(?:^|&)\w*id=\d+(?:&|$)", re.IGNORECASE)
# Never an article: paging, category, tag, author, event and about pages, feeds, the CMS's
# folders.
NOT_ARTICLE_PATHS = re.compile(
    r"/page[-/]\d+/?$|/trang-\d+(?:\.html?)?/?$|-p\d{1,3}/?$|"
    r"/(?:category|categories|chuyen-muc|danh-muc|chu-de|tu-khoa|tag|tags|author|tac-gia|"
    r"topic|event|gioi[-_]thieu|about|rss|feed|uploads?|images?|files?|documents|download|"
    r"themes|assets|static|banners|wp-content|wp-includes|wp-json|wp-admin|admin)(?:/|$)",
    re.IGNORECASE,
)
# Files: archives, images, audio, video, office documents, code, feeds and data.
FILE = re.compile(
    r"\.(?:7z|bz2|gz|rar|tar|xz|zip|bmp|gif|ico|jpe?g|png|svg|tiff?|webp|eps|psd|"
    r"aac|m4a|mid|mp3|ogg|wav|wma|3gp|avi|flv|m4v|mov|mp4|mpe?g|webm|wmv|swf|"
    r"docx?|dotx?|odp|ods|odt|pdf|pptx?|pps|rtf|xlsx?|xlsm|"
    r"apk|bin|css|dmg|exe|iso|jar|js|msi|atom|json|rss|txt|xml)$",
    re.IGNORECASE,
)
PAGING_QUERY = re.compile(r"(?:^|&)(?:p|page|trang|start|pageindex|pagenum|[\w-]*_cur)=\d+")


def looks_like_article(url: str) -> bool:
    """True for a URL with an article's shape and none of a listing's, tag's or file's."""
    parts = urlsplit(canonicalize(url))
    if parts.scheme not in ("http", "https") or NOT_ARTICLE_URL.search(url):
        return False
    if FILE.search(parts.path) or PAGING_QUERY.search(parts.query):
        return False
    if NOT_ARTICLE_PATHS.search(parts.path):
        return False
    if DETAIL_PAGE.search(parts.path) or DETAIL_QUERY.search(parts.query):
        return bool(ID_QUERY.search(parts.query))
    return bool(ARTICLE_PATHS.search(parts.path))


def is_listed_page(url: str) -> bool:
    """A sitemap entry worth fetching as an article: any page of the site but its home,
    paging, category, tag, feed and file URLs (sitemaps list posts of any slug)."""
    parts = urlsplit(canonicalize(url))
    if parts.path in ("", "/") or NOT_ARTICLE_URL.search(url) or FILE.search(parts.path):
        return False
    return not (PAGING_QUERY.search(parts.query) or NOT_ARTICLE_PATHS.search(parts.path))
