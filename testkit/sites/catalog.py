"""The fixture sites: what each serves, and the articles a crawl must find there."""

from __future__ import annotations

from testkit.sites import markup
from testkit.sites.markup import Story
from testkit.sites.server import FixtureSite, Route, html, serve, xml

ROBOTS = "User-agent: *\nDisallow: /private/\n"

LAICHAU = [
    Story(
        "/savefile/an-ninh-trat-tu/bat-giu-doi-tuong-trom-cap-tai-san-101.html",
        "Bắt giữ đối tượng trộm cắp tài sản tại thành phố Lai Châu",
        [
            "Ngày 26-3, Công an thành phố Lai Châu đã bắt giữ Nguyễn Văn Hùng (SN 1995) về hành vi trộm cắp tài sản.",
            "Qua công tác nắm tình hình, lực lượng Cảnh sát hình sự phát hiện đối tượng có biểu hiện nghi vấn nên đã triển khai biện pháp nghiệp vụ.",
            "Vụ việc đang được Cơ quan Cảnh sát điều tra Công an tỉnh Lai Châu tiếp tục điều tra, làm rõ.",
        ],
        date_text="Thứ tư - 27/03/2024 08:42",
        lead="Công an thành phố Lai Châu vừa bắt giữ một đối tượng trộm cắp tài sản của người dân.",
        author="Minh Hằng",
        caption="Đối tượng Nguyễn Văn Hùng tại cơ quan Công an.",
        tags=["trộm cắp", "Lai Châu"],
    ),
    Story(
        "/savefile/an-ninh-trat-tu/phong-chay-chua-chay-mua-kho-102.html",
        "Tăng cường phòng cháy, chữa cháy trong mùa khô",
        [
            "Phòng Cảnh sát PCCC và CNCH Công an tỉnh Lai Châu đã tổ chức kiểm tra an toàn phòng cháy tại các chợ trên địa bàn.",
            "Qua kiểm tra, đoàn đã hướng dẫn các hộ kinh doanh sắp xếp hàng hóa gọn gàng, trang bị bình chữa cháy.",
        ],
        date_text="Thứ năm - 28/03/2024 15:10",
        lead="Lực lượng Cảnh sát PCCC tăng cường kiểm tra trong mùa khô.",
        author="Hoàng Lâm",
    ),
    Story(
        "/savefile/an-ninh-trat-tu/tuyen-truyen-an-toan-giao-thong-103.html",
        "Tuyên truyền an toàn giao thông cho học sinh",
        [
            "Đội Cảnh sát giao thông Công an huyện Tam Đường đã phối hợp với nhà trường tuyên truyền pháp luật về trật tự an toàn giao thông.",
            "Hơn 500 học sinh đã được hướng dẫn kỹ năng tham gia giao thông an toàn và đội mũ bảo hiểm đúng cách.",
        ],
        date_text="Thứ sáu - 29/03/2024 09:05",
        author="Thu Trang",
    ),
    Story(
        "/savefile/an-ninh-trat-tu/triet-pha-duong-day-ma-tuy-104.html",
        "Triệt phá đường dây mua bán trái phép chất ma túy",
        [
            "Phòng Cảnh sát điều tra tội phạm về ma túy Công an tỉnh Lai Châu đã triệt phá thành công một đường dây mua bán trái phép chất ma túy.",
            "Thu giữ 2 bánh heroin cùng nhiều tang vật liên quan; các đối tượng đã bị tạm giữ hình sự.",
        ],
        date_text="Thứ bảy - 30/03/2024 20:15",
        author="Văn Huỳnh",
    ),
]
NOT_ARTICLE = "/savefile/thong-bao/danh-sach-van-ban-150.html"
DISALLOWED = "/private/bao-cao-noi-bo-160.html"

QUANGBINH = [
    Story(
        "/cong-an-quang-binh-dau-tranh-voi-toi-pham-ma-tuy/",
        "Công an Quảng Bình đấu tranh với tội phạm ma túy",
        [
            "Ngày 19 tháng 11 năm 2021, Công an tỉnh Quảng Bình tổ chức hội nghị sơ kết công tác đấu tranh phòng, chống tội phạm ma túy.",
            "Trong năm, lực lượng chức năng đã phát hiện, bắt giữ nhiều vụ án, thu giữ lượng lớn ma túy tổng hợp.",
        ],
        author="Phương Thảo",
        caption="Đại tá Nguyễn Hữu Hợp phát biểu tại hội nghị.",
    ),
    Story(
        "/ra-quan-cao-diem-tan-cong-tran-ap-toi-pham/",
        "Ra quân cao điểm tấn công, trấn áp tội phạm",
        [
            "Sáng 2-12, Công an tỉnh Quảng Bình tổ chức lễ ra quân cao điểm tấn công, trấn áp tội phạm dịp Tết Nguyên đán.",
            "Lãnh đạo Công an tỉnh yêu cầu các đơn vị tập trung lực lượng, phương tiện bảo đảm an ninh trật tự.",
        ],
        date_text="02/12/2021",
        author="Minh Tuấn",
    ),
    Story(
        "/bat-qua-tang-vu-danh-bac-tai-dong-hoi/",
        "Bắt quả tang vụ đánh bạc tại Đồng Hới",
        [
            "Công an thành phố Đồng Hới vừa bắt quả tang nhóm đối tượng đang đánh bạc dưới hình thức ghi số đề.",
            "Tang vật thu giữ gồm tiền mặt, điện thoại di động và nhiều giấy tờ liên quan đến hoạt động ghi số đề.",
        ],
        date_text="05/12/2021",
        author="Ngọc Anh",
    ),
]
OLD_PATH = "/2021/12/05/bat-qua-tang-danh-bac/"

THAIBINH = [
    Story(
        "/tin-tuc/an-ninh-trat-tu/501/khoi-to-vu-an-lua-dao",
        "Khởi tố vụ án lừa đảo chiếm đoạt tài sản qua mạng",
        [
            "Cơ quan Cảnh sát điều tra Công an tỉnh Thái Bình đã ra quyết định khởi tố vụ án lừa đảo chiếm đoạt tài sản.",
            "Đối tượng giả danh nhân viên ngân hàng, lừa nhiều người dân chuyển tiền vào tài khoản của mình.",
        ],
        date_text="04/01/2022",
        lead="Thủ đoạn giả danh nhân viên ngân hàng để chiếm đoạt tài sản.",
        author="Thái Hòa",
    ),
    Story(
        "/tin-tuc/an-ninh-trat-tu/502/trang-cham",
        "Trang trả lời chậm",
        [
            "Trang này trả lời chậm hơn thời gian chờ của trình thu thập, nên không có bài nào được lấy."
        ],
        date_text="05/01/2022",
    ),
]

CAND = [
    Story(
        "/Phap-luat/canh-bao-thu-doan-lua-dao-moi-i700001/",
        "Cảnh báo thủ đoạn lừa đảo mới qua ứng dụng giả mạo",
        [
            "Cục Cảnh sát hình sự Bộ Công an cảnh báo các đối tượng lừa đảo sử dụng ứng dụng giả mạo cơ quan nhà nước.",
            "Người dân cần cảnh giác, không cài đặt ứng dụng lạ và không cung cấp mã OTP cho bất kỳ ai.",
        ],
        date_text="09:54 17/02/2024",
        lead="Thủ đoạn mới nhắm vào người cao tuổi.",
        author="Hoàng Anh",
        caption="Ứng dụng giả mạo có giao diện giống hệt ứng dụng thật.",
    ),
    Story(
        "/Ban-tin-113/bat-nhom-doi-tuong-dua-xe-i700002/",
        "Bắt nhóm đối tượng đua xe trái phép",
        [
            "Công an thành phố Hà Nội đã bắt giữ nhóm thanh niên tụ tập đua xe trái phép trên tuyến đường ven sông.",
            "Lực lượng chức năng tạm giữ 12 xe máy cùng nhiều đối tượng liên quan để xử lý theo quy định.",
        ],
        date_text="22:10 18/02/2024",
        author="Lê Minh",
    ),
]


def _listing_laichau(site: FixtureSite) -> dict[str, Route]:
    pages = ["/savefile/an-ninh-trat-tu/", "/savefile/an-ninh-trat-tu/page-2/"]
    first = [(s.title, s.path) for s in LAICHAU[:2]]
    first += [("Danh sách văn bản", NOT_ARTICLE), ("Báo cáo nội bộ", DISALLOWED)]
    return {
        pages[0]: html(markup.nukeviet_listing("An ninh trật tự", first, pages, 1)),
        pages[1]: html(
            markup.nukeviet_listing(
                "An ninh trật tự", [(LAICHAU[2].title, LAICHAU[2].path)], pages, 2
            )
        ),
    }


def populate(site: FixtureSite) -> None:
    base = site.base
    if site.name == "laichau":
        routes = {"/robots.txt": Route(ROBOTS.encode(), "text/plain")}
        routes |= _listing_laichau(site)
        for story in LAICHAU:
            routes[story.path] = html(markup.nukeviet_article(story, base))
        routes[LAICHAU[1].path].fail_first = 1  # a 500 that recovers on retry
        routes[LAICHAU[0].path].etag = '"laichau-101"'
        routes[NOT_ARTICLE] = html(
            markup.page("Danh sách văn bản", "<table><tr><td>Số 12/TB</td></tr></table>")
        )
        routes[DISALLOWED] = html(markup.nukeviet_article(LAICHAU[0], base))
        feed = [
            (s.title, base + s.path, "Sat, 30 Mar 2024 20:15:00 +0700")
            for s in (LAICHAU[0], LAICHAU[3])
        ]
        routes["/vi/news/rss/"] = Route(
            markup.rss("Lai Châu", feed).encode(), "application/rss+xml"
        )
    elif site.name == "quangbinh":
        routes = {}
        stories = QUANGBINH
        routes[stories[0].path] = html(markup.wordpress_article(stories[0], base))
        routes[stories[1].path] = html(
            markup.wordpress_article(stories[1], base, "2021-12-02T07:30:00+07:00")
        )
        routes[stories[2].path] = html(
            markup.wordpress_article(stories[2], base, "2021-12-05T10:00:00+07:00")
        )
        routes[OLD_PATH] = Route(status=301, location=stories[2].path)
        routes["/category/tin-tuc/"] = html(
            markup.wordpress_listing(
                "Tin tức", [(s.title, s.path) for s in stories[:2]], "/category/tin-tuc/page/2/"
            )
        )
        routes["/category/tin-tuc/page/2/"] = html(
            markup.wordpress_listing("Tin tức", [(stories[2].title, OLD_PATH)], None)
        )
        routes["/wp-sitemap.xml"] = xml(
            markup.sitemap_index([base + "/wp-sitemap-posts-post-1.xml"])
        )
        routes["/wp-sitemap-posts-post-1.xml"] = xml(
            markup.sitemap([(base + s.path, "2021-12-06T08:00:00+07:00") for s in stories[:2]])
        )
    elif site.name == "thaibinh":
        pages = ["/tin-tuc/an-ninh-trat-tu?p=1", "/tin-tuc/an-ninh-trat-tu?p=2"]
        routes = {
            pages[0]: html(markup.legacy_listing([(THAIBINH[0].title, THAIBINH[0].path)], pages)),
            pages[1]: html(markup.legacy_listing([(THAIBINH[1].title, THAIBINH[1].path)], pages)),
            # A legacy page in windows-1258, base letters plus combining tone marks.
            THAIBINH[0].path: _windows_1258(markup.legacy_article(THAIBINH[0], "windows-1258")),
            THAIBINH[1].path: html(markup.legacy_article(THAIBINH[1])),
        }
        routes[THAIBINH[1].path].delay = 3.0  # longer than the tests' DOWNLOAD_TIMEOUT
    elif site.name == "cand":
        routes = {story.path: html(markup.cand_article(story)) for story in CAND}
        feed = [(s.title, base + s.path, "Sat, 17 Feb 2024 09:54:00 +0700") for s in CAND]
        routes["/rss/home.rss"] = Route(markup.rss("CAND", feed).encode(), "application/rss+xml")
    elif site.name == "broken":
        routes = {
            "/": Route(b"\x00\x01garbage\xff" * 50, "text/html"),
            "/tin-tuc/": Route(b"Service Unavailable", "text/html", status=503),
        }
    site.routes.update(routes)


def _windows_1258(text: str) -> Route:
    return Route(markup.encode_windows_1258(text), "text/html; charset=windows-1258")


SITES = {
    "laichau": ("127.0.0.2", "nukeviet", ["/savefile/an-ninh-trat-tu/"], ["/vi/news/rss/"], []),
    "quangbinh": ("127.0.0.3", "wordpress", ["/category/tin-tuc/"], [], ["/wp-sitemap.xml"]),
    "thaibinh": ("127.0.0.4", "legacy_portal", ["/tin-tuc/an-ninh-trat-tu?p=1"], [], []),
    "cand": ("127.0.0.5", "cand", [], ["/rss/home.rss"], []),
    "broken": ("127.0.0.6", "generic", ["/", "/tin-tuc/"], [], []),
}
PROVINCES = {"laichau": "Lai Châu", "quangbinh": "Quảng Bình", "thaibinh": "Thái Bình",
             "cand": "Toàn quốc", "broken": "Hà Giang"}  # fmt: skip
MERGED = {"quangbinh": "Quảng Trị", "thaibinh": "Hưng Yên", "broken": "Tuyên Quang"}
# What a crawl must index: every story but the slow one.
EXPECTED = {
    "laichau": LAICHAU,
    "quangbinh": QUANGBINH,
    "thaibinh": THAIBINH[:1],
    "cand": CAND,
}
# A start point on a host where nothing listens: a site that is down.
DOWN_HOST = "127.0.0.7"


def start_sites() -> dict[str, FixtureSite]:
    sites = {}
    for name, (host, *_rest) in SITES.items():
        site = serve(FixtureSite(name, host, {}))
        populate(site)
        sites[name] = site
    return sites


def registry_yaml(sites: dict[str, FixtureSite], down_port: int) -> str:
    """A sites.yaml for the fixture sites, as a user would write it."""
    lines = ["defaults:", "  max_pages: 5", "  recrawl_days: 30", "sites:"]
    for name, (_host, profile, listings, feeds, sitemaps) in SITES.items():
        site = sites[name]
        hosts = [f"{site.host}:{site.port}"]
        starts = [("listing", p) for p in listings] + [("feed", p) for p in feeds]
        starts += [("sitemap", p) for p in sitemaps]
        lines += [
            f"  - id: {name}",
            f"    name: Công an {PROVINCES[name]}",
            f"    province: {PROVINCES[name]}",
        ]
        if name in MERGED:
            lines.append(f"    merged_into: {MERGED[name]}")
        if name == "broken":
            hosts.append(f"{DOWN_HOST}:{down_port}")
            starts.append(("listing", f"http://{DOWN_HOST}:{down_port}/tin-tuc/"))
        lines += [f"    hosts: [{', '.join(hosts)}]", f"    profile: {profile}", "    start:"]
        for kind, path in starts:
            url = path if path.startswith("http") else site.base + path
            lines.append(f'      - {kind}: "{url}"')
    return "\n".join(lines) + "\n"
