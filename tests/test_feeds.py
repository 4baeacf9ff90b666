from __future__ import annotations

import feedparser
import pytest

from crawler.feeds import feed_entries

NUKEVIET = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom">
<channel>
<title>Công an tỉnh Lai Châu - Tin Tức</title>
<link>https://congan.laichau.gov.vn/vi/news/</link>
<atom:link href="https://congan.laichau.gov.vn/vi/news/rss/" rel="self" type="application/rss+xml"/>
<description>Tin tức</description>
<language>vi</language>
<generator>NukeViet v4.5</generator>
<image>
<url>https://congan.laichau.gov.vn/uploads/logo.png</url>
<title>Công an tỉnh Lai Châu</title>
<link>https://congan.laichau.gov.vn/</link>
</image>
<item>
<title><![CDATA[Bắt giữ 2 đối tượng tàng trữ trái phép chất ma túy]]></title>
<link>https://congan.laichau.gov.vn/vi/news/an-ninh-trat-tu/bat-giu-2-doi-tuong-1234.html</link>
<guid isPermaLink="false">news_1234</guid>
<description><![CDATA[<img src="/uploads/anh.jpg"/> Sáng 27/3, Công an & ...]]></description>
<pubDate>Wed, 27 Mar 2024 08:42:00 +0700</pubDate>
</item>
<item>
<title><![CDATA[Tuyên truyền phòng, chống tội phạm]]></title>
<link>https://congan.laichau.gov.vn/vi/news/tin-tuc/tuyen-truyen-1233.html</link>
<guid isPermaLink="false">news_1233</guid>
<pubDate>Tue, 26 Mar 2024 16:05:00 +0700</pubDate>
</item>
</channel>
</rss>
"""

WORDPRESS = """<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"
\txmlns:content="http://purl.org/rss/1.0/modules/content/"
\txmlns:wfw="http://wellformedweb.org/CommentAPI/"
\txmlns:dc="http://purl.org/dc/elements/1.1/"
\txmlns:atom="http://www.w3.org/2005/Atom"
\txmlns:sy="http://purl.org/rss/1.0/modules/syndication/"
\txmlns:slash="http://purl.org/rss/1.0/modules/slash/"
\t>

<channel>
\t<title>Công an tỉnh Hà Giang</title>
\t<atom:link href="https://conganhagiang.gov.vn/feed/" rel="self" type="application/rss+xml" />
\t<link>https://conganhagiang.gov.vn</link>
\t<description>Trang thông tin điện tử</description>
\t<lastBuildDate>Wed, 27 Mar 2024 02:10:33 +0000</lastBuildDate>
\t<language>vi</language>
\t<sy:updatePeriod>
\thourly\t</sy:updatePeriod>
\t<generator>https://wordpress.org/?v=6.4.3</generator>
\t<item>
\t\t<title>Khởi tố vụ án lừa đảo chiếm đoạt tài sản</title>
\t\t<link>https://conganhagiang.gov.vn/2024/03/27/khoi-to-vu-an-lua-dao/</link>
\t\t<comments>https://conganhagiang.gov.vn/2024/03/27/khoi-to-vu-an-lua-dao/#respond</comments>
\t\t<dc:creator><![CDATA[Phòng Tham mưu]]></dc:creator>
\t\t<pubDate>Wed, 27 Mar 2024 01:42:00 +0000</pubDate>
\t\t<category><![CDATA[An ninh trật tự]]></category>
\t\t<guid isPermaLink="false">https://conganhagiang.gov.vn/?p=5678</guid>
\t\t<description><![CDATA[Ngày 26/3, Cơ quan CSĐT [&#8230;]]]></description>
\t\t<content:encoded><![CDATA[<p>Ngày 26/3, Cơ quan CSĐT Công an tỉnh…</p>]]></content:encoded>
\t\t<wfw:commentRss>https://conganhagiang.gov.vn/2024/03/27/khoi-to-vu-an-lua-dao/feed/</wfw:commentRss>
\t\t<slash:comments>0</slash:comments>
\t</item>
\t</channel>
</rss>
"""

ATOM = """<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:dc="http://purl.org/dc/elements/1.1/">
  <title>Tin an ninh trật tự</title>
  <link rel="self" href="https://congan.example.gov.vn/c/journal/atom"/>
  <id>https://congan.example.gov.vn/c/journal/atom</id>
  <updated>2024-03-27T02:00:00Z</updated>
  <entry>
    <title>Phá chuyên án mua bán người</title>
    <link rel="edit" href="https://congan.example.gov.vn/api/jsonws/journal/91011"/>
    <link rel="alternate" href="https://congan.example.gov.vn/web/guest/-/pha-chuyen-an"/>
    <id>https://congan.example.gov.vn/web/guest/-/pha-chuyen-an</id>
    <updated>2024-03-28T03:00:00Z</updated>
    <published>2024-03-27T01:42:00Z</published>
  </entry>
  <entry>
    <title>Tuần tra kiểm soát dịp lễ</title>
    <link href="/web/guest/-/tuan-tra"/>
    <id>tag:congan.example.gov.vn,2024:91012</id>
    <published>2024-03-26T09:00:00+07:00</published>
  </entry>
</feed>
"""


def rss_item(link: str, date: str = "") -> str:
    stamp = f"<pubDate>{date}</pubDate>" if date else ""
    return f"<item><title>Tin</title><link>{link}</link>{stamp}</item>"


def rss(*items: str, head: str = '<?xml version="1.0" encoding="utf-8"?>') -> bytes:
    channel = f"<channel><title>T</title>{''.join(items)}</channel>"
    return f'{head}<rss version="2.0">{channel}</rss>'.encode()


def test_nukeviet_rss_reads_item_links_and_pubdate() -> None:
    entries = feed_entries(NUKEVIET.encode(), "https://congan.laichau.gov.vn/vi/news/rss/")
    assert [(link, stamp.isoformat()) for link, stamp in entries] == [
        (
            "https://congan.laichau.gov.vn/vi/news/an-ninh-trat-tu/bat-giu-2-doi-tuong-1234.html",
            "2024-03-27T08:42:00+07:00",
        ),
        (
            "https://congan.laichau.gov.vn/vi/news/tin-tuc/tuyen-truyen-1233.html",
            "2024-03-26T16:05:00+07:00",
        ),
    ]


def test_wordpress_feed_gives_the_post_link_in_vietnam_time() -> None:
    ((link, stamp),) = feed_entries(WORDPRESS.encode(), "https://conganhagiang.gov.vn/feed/")
    assert link == "https://conganhagiang.gov.vn/2024/03/27/khoi-to-vu-an-lua-dao/"
    assert stamp.isoformat() == "2024-03-27T08:42:00+07:00"


def test_atom_prefers_alternate_link_and_updated_and_resolves_relative_links() -> None:
    entries = feed_entries(ATOM.encode(), "https://congan.example.gov.vn/c/journal/atom")
    assert [(link, stamp.isoformat()) for link, stamp in entries] == [
        ("https://congan.example.gov.vn/web/guest/-/pha-chuyen-an", "2024-03-28T10:00:00+07:00"),
        ("https://congan.example.gov.vn/web/guest/-/tuan-tra", "2024-03-26T09:00:00+07:00"),
    ]


def test_relative_rss_links_resolve_against_the_feed_url() -> None:
    body = rss(rss_item("/tin-tuc/a-1.html"), rss_item("b-2.html"))
    links = [link for link, _ in feed_entries(body, "http://congan.x.gov.vn/rss/home.rss")]
    assert links == [
        "http://congan.x.gov.vn/tin-tuc/a-1.html",
        "http://congan.x.gov.vn/rss/b-2.html",
    ]


def test_malformed_feed_with_bare_ampersand_and_truncated_end() -> None:
    body = (
        b'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        b"<title>Tin t\xe1\xbb\xa9c & s\xe1\xbb\xb1 ki\xe1\xbb\x87n</title>"
        b"<item><title>An ninh & tr\xe1\xba\xadt t\xe1\xbb\xb1</title>"
        b"<link>http://congan.x.gov.vn/tin?id=1&cat=2</link>"
        b"<pubDate>Wed, 27 Mar 2024 08:42:00 +0700</pubDate></item>"
        b"<item><title>B</title><link>http://congan.x.gov.vn/tin?id=2</link><pubDa"
    )
    entries = feed_entries(body)
    assert [link for link, _ in entries] == [
        "http://congan.x.gov.vn/tin?id=1&cat=2",
        "http://congan.x.gov.vn/tin?id=2",
    ]
    assert entries[0][1].isoformat() == "2024-03-27T08:42:00+07:00"
    assert entries[1][1] is None


def test_feed_without_dates_keeps_its_links() -> None:
    body = rss(rss_item("http://x/a.html"), rss_item("http://x/b.html"))
    assert feed_entries(body) == [("http://x/a.html", None), ("http://x/b.html", None)]


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("Wed, 27 Mar 2024 08:42:00 +0700", "2024-03-27T08:42:00+07:00"),
        ("Wed, 27 Mar 2024 01:42:00 GMT", "2024-03-27T08:42:00+07:00"),
        ("27/03/2024 08:42", "2024-03-27T08:42:00+07:00"),
        ("Thứ tư, 27/03/2024 - 08:42", "2024-03-27T08:42:00+07:00"),
        ("27-03-2024", "2024-03-27T00:00:00+07:00"),  # feedparser alone reads 2027-03-20
        ("2024-03-27T08:42:00", "2024-03-27T08:42:00+07:00"),
        ("2024-03-27T01:42:00Z", "2024-03-27T08:42:00+07:00"),
        # Without a zone, or with one feedparser does not know, it is the portal's own time.
        ("Wed, 27 Mar 2024 08:42:00", "2024-03-27T08:42:00+07:00"),
        ("Wed, 27 Mar 2024 08:42:00 ICT", "2024-03-27T08:42:00+07:00"),
        ("hôm qua", None),
        ("3/27/2024 8:42:00 AM", None),  # month first: no reading is safe
    ],
)
def test_feed_dates_as_the_portals_write_them(written: str, expected: str | None) -> None:
    ((_, stamp),) = feed_entries(rss(rss_item("http://x/a", written)))
    assert (stamp.isoformat() if stamp else None) == expected


def test_wrong_encoding_declaration_still_gives_the_links() -> None:
    latin = '<?xml version="1.0" encoding="iso-8859-1"?>'
    body = rss(rss_item("http://x/cong-an-ha-noi.html"), head=latin)  # UTF-8 text in fact
    assert feed_entries(body) == [("http://x/cong-an-ha-noi.html", None)]
    legacy = (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        "<item><title>C\u00f4ng an ti\u0309nh</title><link>http://x/a.html</link></item>"
        "</channel></rss>"
    ).encode("cp1258")  # Windows-1258 bytes under a UTF-8 declaration
    assert feed_entries(legacy) == [("http://x/a.html", None)]


@pytest.mark.parametrize(
    "body",
    [
        b'<!DOCTYPE html><html lang="vi"><head><title>Trang ch\xe1\xbb\xa7</title>'
        b'<link rel="alternate" type="application/rss+xml" href="/rss"></head>'
        b'<body><a href="/tin-tuc/a-1.html">A</a></body></html>',
        b"<html><body><h1>404 Not Found</h1></body></html>",
        b"\x00garbage",
        b"",
    ],
)
def test_anything_but_a_feed_gives_nothing(body: bytes) -> None:
    assert feed_entries(body, "http://congan.x.gov.vn/rss") == []


def test_no_network_and_no_external_entities(tmp_path, monkeypatch) -> None:
    def no_fetch(*args: object, **kwargs: object) -> None:
        raise AssertionError("feedparser tried to fetch")

    monkeypatch.setattr(feedparser.http, "get", no_fetch)
    secret = tmp_path / "secret.txt"
    secret.write_text("bi-mat", encoding="utf-8")
    body = (
        '<?xml version="1.0"?><!DOCTYPE rss ['
        f'<!ENTITY leak SYSTEM "file://{secret}">'
        '<!ENTITY remote SYSTEM "http://127.0.0.1:9/x">]>'
        '<rss version="2.0"><channel><item><title>&leak;&remote;</title>'
        "<link>http://x/a.html?q=&leak;</link></item></channel></rss>"
    ).encode()
    assert feed_entries(body) == [("http://x/a.html?q=", None)]  # the references dropped
    assert feed_entries(b"http://congan.x.gov.vn/rss/home.rss") == []
