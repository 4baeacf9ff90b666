"""HTML of each CMS family as CMS.md and SITES.md describe it, quirks included."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from html import escape


@dataclass
class Story:
    """One fixture article: what its page shows and what extraction must give back."""

    path: str
    title: str
    paragraphs: list[str]
    date_text: str = ""
    lead: str = ""
    author: str = ""
    caption: str = ""
    image: str = "/uploads/news/2024_03/27/anh-1.jpg"
    tags: list[str] = field(default_factory=list)


def _paragraphs(story: Story, part: slice = slice(None)) -> str:
    return "\n".join(f"<p>{escape(p)}</p>" for p in story.paragraphs[part])


def _figure(story: Story, cls: str = "article center") -> str:
    if not story.caption:
        return ""
    return (
        f'<figure class="{cls}"><img src="{story.image}" alt="">'
        f"<figcaption>{escape(story.caption)}</figcaption></figure>"
    )


def page(title: str, body: str, head: str = "", charset: str = "utf-8") -> str:
    return (
        f'<!DOCTYPE html><html lang="vi"><head><meta charset="{charset}">'
        f"<title>{escape(title)}</title>{head}</head><body>"
        '<div id="header"><nav class="menu"><a href="/">Trang chủ</a></nav></div>'
        f'{body}<footer id="footer">Bản quyền thuộc Công an tỉnh</footer></body></html>'
    )


def nukeviet_article(story: Story, base: str) -> str:
    tags = ", ".join(
        f'<a title="{escape(t)}" href="/vi/news/tag/{t.replace(" ", "-")}"><em>{escape(t)}</em></a>'
        for t in story.tags
    )
    head = (
        '<meta name="generator" content="NukeViet v4.5">'
        f'<meta property="og:title" content="{escape(story.title)}">'
        f'<link rel="canonical" href="{base}{story.path}">'
        # PHP's "T" in date('Y-m-dTH:i:s'): not ISO; extraction must not trust it.
        '<meta property="article:published_time" content="2024-03-27+0708:42:50">'
    )
    date = f'<div class="col-md-12"><span class="h5">{story.date_text}</span></div>'
    body = f"""
<ul class="breadcrumbs"><li><a href="/">Trang chủ</a></li><li><a href="/savefile/an-ninh-trat-tu/">An ninh trật tự</a></li></ul>
<div class="news_column panel panel-default" itemscope itemtype="http://schema.org/NewsArticle">
 <div class="panel-body">
  <h1 class="title margin-bottom-lg" itemprop="headline">{escape(story.title)}</h1>
  <div class="hidden hide d-none" itemprop="author"><span itemprop="name">Công an tỉnh</span></div>
  <span class="hidden hide d-none" itemprop="datePublished">2025-01-01T00:00:00+07:00</span>
  <div class="row margin-bottom-lg">{date}
   <div class="col-md-12"><ul class="list-inline text-right"><li><a class="dimgray">In</a></li></ul></div>
  </div>
  <div class="clearfix">{_figure(story)}
   <div class="hometext m-bottom" itemprop="description">{escape(story.lead)}</div>
  </div>
  <div id="news-bodyhtml" class="bodytext margin-bottom-lg">{_paragraphs(story)}</div>
  <div class="margin-bottom-lg"><p class="h5 text-right"><strong>Tác giả: </strong>{escape(story.author)}</p>
   <p class="h5 text-right"><strong>Nguồn tin: </strong>Công an tỉnh</p></div>
 </div>
</div>
<div class="news_column panel"><div class="panel-body"><div class="h5"><strong>Tags: </strong>{tags}</div></div></div>
<div class="news_column panel"><div class="panel-body other-news"><p class="h3"><strong>Những tin cũ hơn</strong></p>
 <ul class="related"><li><h4><a href="/savefile/an-ninh-trat-tu/tin-cu-1.html">Tin cũ</a></h4></li></ul></div></div>"""
    return page(story.title, body, head)


def nukeviet_listing(title: str, teasers: list[tuple[str, str]], pages: list[str], current: int):
    items = "".join(
        f'<div class="panel panel-default"><div class="panel-body">'
        f'<h3><a href="{href}" title="{escape(t)}">{escape(t)}</a></h3>'
        f'<div class="text-muted"><ul class="list-unstyled list-inline"><li>27/03/2024 08:42:50</li>'
        f"<li>Đã xem: 12</li></ul></div>Tóm tắt...</div></div>"
        for t, href in teasers
    )
    links = []
    for number, href in enumerate(pages, 1):
        if number == current:
            # NukeViet 4.5 with few pages leaves this <li> unclosed.
            links.append(
                f'<li class="page-item active"><a class="page-link" href="javascript:void(0)">{number}</a><li>'
            )
        else:
            rel = ' rel="next"' if number == current + 1 else ""
            links.append(
                f'<li class="page-item"><a class="page-link"{rel} href="{href}">{number}</a></li>'
            )
    body = (
        f'<div class="news_column"><div class="alert alert-info"><h1>{escape(title)}</h1></div>{items}'
        f'<div class="text-center"><ul class="pagination">{"".join(links)}</ul></div></div>'
    )
    return page(title, body, '<meta name="generator" content="NukeViet v4.5">')


def wordpress_article(story: Story, base: str, datetime_attr: str = "") -> str:
    time = (
        f'<span class="posted-on"><time class="entry-date published" datetime="{datetime_attr}">'
        f"{story.date_text}</time></span>"
        if datetime_attr
        else ""
    )
    caption = (
        f'<figure class="wp-caption"><img src="{story.image}"><figcaption class="wp-caption-text">'
        f"{escape(story.caption)}</figcaption></figure>"
        if story.caption
        else ""
    )
    body = f"""
<article class="post type-post status-publish hentry category-tin-tuc entry">
 <header class="entry-header"><h1 class="entry-title">{escape(story.title)}</h1>
  <div class="post-views">Lượt xem: 1532</div></header>
 <div class="entry-content">{_paragraphs(story, slice(0, 1))}{caption}{_paragraphs(story, slice(1, None))}
  <p>{escape(story.author)}</p></div>
 <footer class="entry-footer"><div class="posted-by">{time}</div>
  <div class="post-taxonomies"><span class="cat-links"><a rel="category tag" href="/category/tin-tuc/">Tin tức</a></span></div></footer>
</article>
<nav class="navigation post-navigation"><a href="/bai-khac/">Bài khác</a></nav>"""
    head = f'<meta name="generator" content="WordPress 6.4"><link rel="canonical" href="{base}{story.path}">'
    return page(story.title, body, head)


def wordpress_listing(title: str, teasers: list[tuple[str, str]], next_href: str | None) -> str:
    items = "".join(
        f'<article class="post"><header class="entry-header"><h2 class="entry-title">'
        f'<a href="{href}">{escape(t)}</a></h2></header><div class="entry-content"><p>Trích… '
        f"Đọc tiếp…</p></div></article>"
        for t, href in teasers
    )
    nav = (
        f'<nav class="navigation pagination"><div class="nav-links"><span class="page-numbers current">1</span>'
        f'<a class="next page-numbers" href="{next_href}">Trang sau</a></div></nav>'
        if next_href
        else ""
    )
    return page(
        title,
        f'<header class="page-header"><h1 class="page-title">{escape(title)}</h1></header>{items}{nav}',
    )


def legacy_article(story: Story, charset: str = "utf-8") -> str:
    body = f"""
<div class="ChiTietTin"><div class="TieuDeTin">{escape(story.title)}</div>
<p class="NgayCapNhat">Ngày đăng: {story.date_text}</p>
<span class="MoTa">{escape(story.lead)}</span>
<span class="news-detail">{_paragraphs(story)}</span>
<div class="Tacgia">{escape(story.author)}</div>
<div class="TinKhac"><b>Các tin khác cùng chủ đề</b><ul><li><a href="/tin-tuc/an-ninh-trat-tu/9/tin-khac">Tin khác</a></li></ul></div></div>"""
    return page(story.title, body, charset=charset)


def legacy_listing(teasers: list[tuple[str, str]], pages: list[str]) -> str:
    items = "".join(
        f'<div class="TinCT"><p class="title"><a href="{href}">{escape(t)}</a></p>'
        f'<span class="NgayCapNhat">(04/01/2022)</span></div>'
        for t, href in teasers
    )
    pager = "".join(
        f'<a class="page_link" href="{href}">{n}</a>' for n, href in enumerate(pages, 1)
    )
    return page(
        "Tin tức",
        f'<div id="Tin_Trong_DM">{items}</div><div class="phantrang_repeater">{pager}</div>',
    )


def cand_article(story: Story) -> str:
    caption = (
        f'<table class="contentimg"><tr><td><img src="{story.image}"></td></tr>'
        f'<tr><td class="note">{escape(story.caption)}</td></tr></table>'
        if story.caption
        else ""
    )
    body = f"""
<div class="box-detail"><h1 class="titledetail">{escape(story.title)}</h1>
<div class="timepost">{story.date_text}</div>
<div class="desnews">{escape(story.lead)}</div>
<div class="post-content">{caption}{_paragraphs(story)}<p>{escape(story.author)}</p></div></div>"""
    return page(story.title, body)


def rss(title: str, items: list[tuple[str, str, str]]) -> str:
    entries = "".join(
        f"<item><title>{escape(t)}</title><link>{link}</link><pubDate>{date}</pubDate></item>"
        for t, link, date in items
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>{escape(title)}</title>{entries}</channel></rss>"
    )


def sitemap(urls: list[tuple[str, str]]) -> str:
    entries = "".join(f"<url><loc>{u}</loc><lastmod>{m}</lastmod></url>" for u, m in urls)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}</urlset>'
    )


def sitemap_index(urls: list[str]) -> str:
    entries = "".join(f"<sitemap><loc>{u}</loc></sitemap>" for u in urls)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}</sitemapindex>'
    )


def encode_windows_1258(text: str) -> bytes:
    """Text as a legacy page stores it: windows-1258 has the base vowels (â, ê, ô, ơ, ư)
    precomposed and the five tone marks as combining characters."""
    keep = "\u0302\u0306\u031b"  # circumflex, breve, horn: part of the base letter
    out = []
    for char in unicodedata.normalize("NFC", text):
        try:
            out.append(char.encode("cp1258"))
        except UnicodeEncodeError:
            base, *marks = unicodedata.normalize("NFD", char)
            head = unicodedata.normalize("NFC", base + "".join(m for m in marks if m in keep))
            tone = "".join(m for m in marks if m not in keep)
            out.append(head.encode("cp1258") + tone.encode("cp1258"))
    return b"".join(out)
