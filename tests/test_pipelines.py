from __future__ import annotations

import asyncio

import pytest
from scrapy.exceptions import DropItem
from scrapy.utils.misc import build_from_crawler
from scrapy.utils.test import get_crawler

from crawler.items import Article
from pipelines.entities import EntitiesPipeline
from pipelines.fingerprint import FingerprintPipeline
from pipelines.normalize import NormalizePipeline
from pipelines.validate import ValidatePipeline


def article(**fields) -> Article:
    values = {"id": "1", "url": "https://congan.hue.gov.vn/a.html", "source": "site"}
    values |= {"title": "Tiêu đề", "body": ["Đoạn một."]}
    return Article(**(values | fields))


def test_validate_drops_with_url_field_and_stats() -> None:
    crawler = get_crawler()
    pipeline = build_from_crawler(ValidatePipeline, crawler)
    with pytest.raises(DropItem, match=r"https://congan.hue.gov.vn/a.html: missing .*title"):
        pipeline.process_item(article(title="  "))
    with pytest.raises(DropItem, match="body"):
        pipeline.process_item(article(body=["", " "]))
    assert pipeline.process_item(article()) is not None
    assert crawler.stats.get_value("validate/dropped/missing_title") == 1
    assert crawler.stats.get_value("validate/dropped/missing_body") == 1
    assert crawler.stats.get_value("validate/passed") == 1


def test_normalize_fixes_tone_marks_and_drops_empty_paragraphs() -> None:
    item = NormalizePipeline().process_item(
        article(title="Hoà\u00a0bình", body=["Thuỷ  lợi", "\u200b"], authors=["Xuân\u00a0Thu"])
    )
    assert (item.title, item.body, item.authors) == ("Hòa bình", ["Thủy lợi"], ["Xuân Thu"])


def test_fingerprint_changes_only_with_content() -> None:
    pipeline = FingerprintPipeline()
    first = pipeline.process_item(article()).content_hash
    assert pipeline.process_item(article(fetched_at="later")).content_hash == first
    assert pipeline.process_item(article(body=["Đoạn hai."])).content_hash != first


def test_entities_pipeline_records_field_paragraph_and_offsets() -> None:
    crawler = get_crawler(settings_dict={"NER_ENABLED": True, "NER_WORKERS": 1})
    pipeline = build_from_crawler(EntitiesPipeline, crawler)
    body = ["Mở đầu.", "Đồng chí Trần Anh Dũng trao tặng Cờ thi đua."]
    item = asyncio.run(pipeline.process_item(article(body=body)))
    person = next(e for e in item.entities if e["type"] == "PER")
    assert person["normalized"] == "Trần Anh Dũng"
    assert (person["field"], person["paragraph"]) == ("body", 1)
    assert body[1][person["start"] : person["end"]] == "Trần Anh Dũng"
    assert crawler.stats.get_value("entities/mentions") == len(item.entities)


def test_nested_entities_point_into_the_article_list_and_relative_names_resolve() -> None:
    crawler = get_crawler(settings_dict={"NER_ENABLED": True, "NER_WORKERS": 1})
    pipeline = build_from_crawler(EntitiesPipeline, crawler)
    body = ["Đại tá Phạm Văn Long dự họp.", "Giám đốc Công an tỉnh Lai Châu và Công an tỉnh."]
    item = article(body=body, province="Nam Định", province_current="Ninh Bình")
    entities = asyncio.run(pipeline.process_item(item)).entities
    holders = {e["text"]: entities[e["inside"]]["text"] for e in entities if "inside" in e}
    assert holders == {
        "Công an tỉnh Lai Châu": "Giám đốc Công an tỉnh Lai Châu",
        "Lai Châu": "Công an tỉnh Lai Châu",
    }
    bare = next(e for e in entities if e["text"] == "Công an tỉnh")
    assert (bare["resolved"], bare["resolved_current"]) == (
        "Công an tỉnh Nam Định",
        "Công an tỉnh Ninh Bình",
    )
    assert "resolved" not in next(e for e in entities if e["text"] == "Công an tỉnh Lai Châu")


def test_normalize_moves_the_lead_in_tag_out_of_the_text() -> None:
    item = NormalizePipeline().process_item(
        article(body=["(CAO) Công an tỉnh vừa bắt giữ.", "Hai."])
    )
    assert (item.source_tag, item.body) == ("CAO", ["Công an tỉnh vừa bắt giữ.", "Hai."])


def test_event_dates_are_resolved_against_the_publication_date() -> None:
    crawler = get_crawler(settings_dict={"NER_ENABLED": True, "NER_WORKERS": 1})
    pipeline = build_from_crawler(EntitiesPipeline, crawler)
    body = ["Sáng 4-1, Công an tỉnh tổng kết đợt cao điểm bắt đầu từ tối 30-12."]
    item = asyncio.run(
        pipeline.process_item(article(body=body, published="2022-01-05T09:00:00+07:00"))
    )
    assert item.event_dates == ["2021-12-30", "2022-01-04"]


def test_entities_in_worker_processes_match_in_process() -> None:
    body = ["Đại tá Phạm Văn Long, Giám đốc Công an tỉnh Nam Định phát biểu."]

    def pipeline(workers: int) -> EntitiesPipeline:
        settings = {"NER_ENABLED": True, "NER_WORKERS": workers}
        return build_from_crawler(EntitiesPipeline, get_crawler(settings_dict=settings))

    inline, pooled = pipeline(1), pipeline(2)
    pooled.open_spider()
    try:
        from_pool = asyncio.run(pooled.process_item(article(body=body))).entities
    finally:
        pooled.close_spider()
    assert from_pool == asyncio.run(inline.process_item(article(body=body))).entities
    assert any(e["type"] == "PER" and e.get("rank") == "Đại tá" for e in from_pool)


def _pooled(workers: int = 2, batch_size: int = 8) -> EntitiesPipeline:
    settings = {"NER_ENABLED": True, "NER_WORKERS": workers, "NER_BATCH_SIZE": batch_size}
    pipeline = build_from_crawler(EntitiesPipeline, get_crawler(settings_dict=settings))
    pipeline.stats.open_spider()
    pipeline.open_spider()
    return pipeline


async def _through(pipeline: EntitiesPipeline, items: list[Article]) -> list:
    return await asyncio.gather(*map(pipeline.process_item, items), return_exceptions=True)


PEOPLE = ["Phạm Văn Long", "Nguyễn Thị Hoa", "Lê Quốc Dũng", "Trần Minh Tuấn", "Đỗ Văn Hải"]


def test_articles_waiting_for_a_worker_go_together_and_get_their_own_entities() -> None:
    def items() -> list[Article]:
        body = "Đại tá {}, Giám đốc Công an tỉnh Lai Châu, phát biểu."
        return [article(id=str(n), body=[body.format(name)]) for n, name in enumerate(PEOPLE * 4)]

    pipeline = _pooled()
    try:
        pooled = asyncio.run(_through(pipeline, items()))
        calls = pipeline.stats.get_value("entities/worker_calls")
    finally:
        pipeline.close_spider()
    inline = build_from_crawler(EntitiesPipeline, get_crawler(settings_dict={"NER_ENABLED": True}))
    alone = asyncio.run(_through(inline, items()))
    assert [item.entities for item in pooled] == [item.entities for item in alone]
    assert [e["text"] for item in pooled for e in item.entities if e["type"] == "PER"] == [
        name for name in PEOPLE * 4
    ]
    assert calls < len(pooled)


def test_an_article_that_breaks_its_batch_fails_alone() -> None:
    items = [article(id=str(n), body=[f"Ông {name} ở Hà Nội."]) for n, name in enumerate(PEOPLE)]
    items[2].body = [None]  # not text: extraction raises on it
    pipeline = _pooled()
    try:
        results = asyncio.run(_through(pipeline, items))
    finally:
        pipeline.close_spider()
    assert isinstance(results[2], TypeError)  # its error, raised in the worker, reaches it
    assert [r.entities[0]["text"] for n, r in enumerate(results) if n != 2] == [
        name for n, name in enumerate(PEOPLE) if n != 2
    ]


def _loaded_here() -> list[int]:
    from crawler.nlp import crf, domain

    built = (crf.word_model, crf.ner_model, domain.org_and_title_patterns, domain.place_patterns)
    return [function.cache_info().currsize for function in built]


def test_entity_workers_start_with_models_and_patterns_loaded() -> None:
    pipeline = _pooled()
    try:
        assert pipeline.pool.submit(_loaded_here).result() == [1, 1, 1, 1]
    finally:
        pipeline.close_spider()
