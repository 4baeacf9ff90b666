"""A corpus of 240 template articles for search relevance and the API tests.

Eight topics in ten provinces, three articles each, plus republications by cand.com.vn of
some of them. Built the same way every time, so the judged queries in
tests/data/relevance/queries.json keep pointing at the right ids.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from crawler.items import Article

if TYPE_CHECKING:
    from elasticsearch import Elasticsearch

PROVINCES = [
    ("sonla", "Sơn La", "Mộc Châu"), ("thanhhoa", "Thanh Hóa", "Hoằng Hóa"),
    ("quangninh", "Quảng Ninh", "Hạ Long"), ("langson", "Lạng Sơn", "Cao Lộc"),
    ("nghean", "Nghệ An", "Quỳnh Lưu"), ("laichau", "Lai Châu", "Tam Đường"),
    ("daklak", "Đắk Lắk", "Krông Pắc"), ("haiphong", "Hải Phòng", "Thủy Nguyên"),
    ("thaibinh", "Thái Bình", "Kiến Xương"), ("namdinh", "Nam Định", "Hải Hậu"),
]  # fmt: skip
MERGED = {"thaibinh": "Hưng Yên", "namdinh": "Ninh Bình"}
OFFICERS = ["Nguyễn Hồng Phong", "Lê Minh Tuấn", "Trần Quốc Bảo", "Phạm Thanh Hải",
            "Vũ Đức Thắng", "Đỗ Văn Hùng", "Hoàng Anh Tú", "Bùi Minh Khoa", "Ngô Quang Vinh",
            "Đặng Thành Trung"]  # fmt: skip
TOPICS = {
    "drugs": ("Triệt phá đường dây mua bán ma túy tại {district}",
              "Phòng Cảnh sát điều tra tội phạm về ma túy Công an tỉnh {province} đã triệt phá "
              "đường dây mua bán trái phép chất ma túy tại huyện {district}, thu giữ heroin và "
              "ma túy tổng hợp."),
    "traffic": ("Xử lý vi phạm giao thông trên quốc lộ qua {district}",
                "Phòng Cảnh sát giao thông Công an tỉnh {province} tăng cường tuần tra, xử lý "
                "vi phạm nồng độ cồn và chạy quá tốc độ để kéo giảm tai nạn giao thông."),
    "fire": ("Diễn tập phòng cháy chữa cháy tại chợ {district}",
             "Phòng Cảnh sát PCCC và CNCH Công an tỉnh {province} tổ chức diễn tập chữa cháy và "
             "cứu nạn, cứu hộ tại chợ trung tâm huyện {district}."),
    "fraud": ("Cảnh báo lừa đảo chiếm đoạt tài sản qua mạng ở {province}",
              "Công an tỉnh {province} cảnh báo thủ đoạn lừa đảo chiếm đoạt tài sản qua mạng xã "
              "hội, giả danh cơ quan công an gọi điện yêu cầu chuyển tiền."),
    "theft": ("Bắt nhóm đối tượng trộm cắp xe máy ở {district}",
              "Công an huyện {district} đã bắt giữ nhóm đối tượng chuyên trộm cắp xe máy của "
              "người dân, thu hồi nhiều tài sản trả lại cho bị hại."),
    "ceremony": ("Công an tỉnh {province} tổng kết phong trào toàn dân bảo vệ an ninh Tổ quốc",
                 "Công an tỉnh {province} tổ chức hội nghị tổng kết phong trào toàn dân bảo vệ "
                 "an ninh Tổ quốc, khen thưởng các tập thể và cá nhân có thành tích xuất sắc."),
    "cyber": ("Điều tra vụ tấn công mạng vào hệ thống thông tin ở {province}",
              "Phòng An ninh mạng và phòng, chống tội phạm sử dụng công nghệ cao Công an tỉnh "
              "{province} điều tra vụ xâm nhập trái phép hệ thống thông tin của doanh nghiệp."),
    "smuggling": ("Bắt giữ xe tải chở hàng lậu qua {district}",
                  "Lực lượng chức năng Công an tỉnh {province} phát hiện xe tải chở hàng hóa nhập "
                  "lậu không rõ nguồn gốc, trị giá hàng tỷ đồng, qua địa bàn huyện {district}."),
}  # fmt: skip
VARIANTS = [
    "Theo Đại tá {officer}, Giám đốc Công an tỉnh, lực lượng sẽ tiếp tục mở cao điểm.",
    "Thượng tá {officer}, Trưởng phòng nghiệp vụ cho biết vụ việc đang được mở rộng điều tra.",
    "Đồng chí {officer} đề nghị người dân tích cực cung cấp thông tin cho cơ quan công an.",
]


def corpus() -> list[Article]:
    """The articles, ids like "rel-drugs-sonla-0"; republications end in "-cand"."""
    articles = []
    for topic_index, (topic, (title, lead)) in enumerate(TOPICS.items()):
        for place_index, (slug, province, district) in enumerate(PROVINCES):
            for variant in range(3):
                officer = OFFICERS[(place_index + variant + topic_index) % len(OFFICERS)]
                names = {"province": province, "district": district, "officer": officer}
                day = 1 + (topic_index * 3 + variant) % 27
                month = 1 + (place_index + variant) % 12
                article_id = f"rel-{topic}-{slug}-{variant}"
                heading = title.format(**names) + ("" if variant == 0 else f" (lần {variant + 1})")
                body = [lead.format(**names), VARIANTS[variant].format(**names)]
                articles.append(Article(
                    id=article_id, url=f"https://congan.{slug}.gov.vn/tin-tuc/{article_id}.html",
                    source="site", site=slug, province=province,
                    province_current=MERGED.get(slug, province), title=heading,
                    body=body, published=f"2024-{month:02d}-{day:02d}T08:00:00+07:00",
                    published_precision="minute", category=[topic],
                ))  # fmt: skip
                if variant == 0 and place_index < 2:
                    articles.append(Article(
                        id=f"{article_id}-cand", url=f"https://cand.com.vn/{article_id}/",
                        source="site", site="cand", province="Toàn quốc",
                        province_current="Toàn quốc", title=f"Công an tỉnh {province} - {heading}",
                        body=body, published=f"2024-{month:02d}-{day:02d}T10:00:00+07:00",
                        published_precision="minute", category=[topic],
                    ))  # fmt: skip
    return articles


def index_corpus(client: Elasticsearch, alias: str) -> list[str]:
    """Put the corpus through the pipeline steps into the alias; the failures, if any."""
    return index_articles(client, alias, corpus(), with_entities=True)


def index_articles(
    client: Elasticsearch, alias: str, articles: list[Article], with_entities: bool
) -> list[str]:
    """Articles through normalization, fingerprint and (optionally) entities into the
    alias, refreshed; the failures, if any."""
    from crawler.es.bulk import bulk_index
    from crawler.es.document import article_document
    from crawler.es.index import ensure_index
    from pipelines.entities import article_entities
    from pipelines.fingerprint import content_hash
    from pipelines.normalize import normalize_article

    docs = []
    for article in articles:
        normalize_article(article)
        article.content_hash = content_hash(article)
        if with_entities:
            article.entities = article_entities(article)
        docs.append(article_document(article))
    ensure_index(client, alias)
    failed = [reason for _, reason in bulk_index(client, alias, docs) if reason]
    client.indices.refresh(index=alias)
    return failed
