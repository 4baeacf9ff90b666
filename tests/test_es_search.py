"""Replay and search against a real Elasticsearch node."""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator
from dataclasses import replace
from datetime import date

import pytest
from elasticsearch import Elasticsearch, NotFoundError

from crawler.es import search as search_module
from crawler.es.bulk import bulk_index
from crawler.es.document import article_document, story_hash
from crawler.es.index import ensure_index, load_mapping, versioned_name
from crawler.es.search import (
    MAX_FILTER_LENGTH,
    MAX_FILTER_VALUES,
    MAX_ID_BYTES,
    MAX_QUERY_CHARS,
    MAX_QUERY_LENGTH,
    InvalidSearch,
    SearchRequest,
    check_article_id,
    get_article,
    more_like_this,
    parameters,
    ranked_body,
    search,
    to_query_string,
)
from crawler.items import Article
from pipelines.normalize import normalize_article
from tests.conftest import drop_alias, run_cli


@pytest.fixture(scope="module")
def seed_env(es_url: str) -> Iterator[dict[str, str]]:
    """The seeds replayed once into an alias of their own."""
    alias = f"test-seed-{uuid.uuid4().hex[:8]}"
    env = {**os.environ, "ES_URL": es_url, "ES_INDEX": alias}
    result = run_cli("replay", "seeds/", env=env)
    assert result.returncode == 0, result.stderr
    yield env
    drop_alias(es_url, alias)


def search_json(env: dict[str, str], *args: str) -> dict:
    result = run_cli("search", *args, "--json", env=env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.mark.parametrize("query", ["an ninh tổ quốc", "an ninh to quoc", "AN NINH TO QUOC"])
def test_seed_found_with_and_without_diacritics(seed_env, query: str) -> None:
    found = search_json(seed_env, query)
    assert found["total"] == 1
    hit = found["hits"][0]
    assert hit["title"].startswith("Phát động phong trào thi đua")
    assert hit["province"] == "Nam Định"
    assert hit["published"] == "2022-01-04T00:00:00+07:00"
    # Highlights show the accented text even when the query had no accents.
    title = hit["highlight"]["title"][0].replace("</em> <em>", " ")
    assert "<em>an ninh Tổ quốc</em>" in title


def test_replay_twice_keeps_one_document(seed_env, es_url: str) -> None:
    again = run_cli("replay", "seeds/", env=seed_env)
    assert again.returncode == 0, again.stderr
    assert "articles indexed: 1" in again.stdout
    assert Elasticsearch(es_url).count(index=seed_env["ES_INDEX"])["count"] == 1


def test_seed_entities_include_the_party_secretary(seed_env) -> None:
    hit = search_json(seed_env, "hội nghị")["hits"][0]
    assert "Phạm Gia Túc" in hit["entities"]["persons"]
    assert search_json(seed_env, "hội nghị", "--entity", "pham gia tuc")["total"] == 1
    assert search_json(seed_env, "hội nghị", "--entity", "Lê Văn Không")["total"] == 0


@pytest.mark.parametrize(
    ("filters", "total"),
    [
        (["--province", "Nam Định"], 1),
        (["--province", "ninh binh"], 1),  # the province it merged into in 2025
        (["--province", "Hà Nội"], 0),
        (["--since", "2022-01-04", "--until", "2022-01-04"], 1),
        (["--since", "2022-02-01"], 0),
        (["--until", "2021-12-31"], 0),
        (["--province", "Hà Nội", "--province", "Nam Định"], 1),  # any of them
        (["--not-province", "Nam Định"], 0),
        (["--not-province", "ninh binh"], 0),  # excluded by the province of today too
        (["--not-province", "Hà Nội", "--not-site", "hue"], 1),
        (["--province", "Nam Định", "--not-province", "Nam Định"], 0),
    ],
)
def test_filters(seed_env, filters: list[str], total: int) -> None:
    assert search_json(seed_env, "an ninh", *filters)["total"] == total


@pytest.mark.parametrize(
    ("query", "total"),
    [('"Ban Chỉ đạo 138"', 1), ('"Ban Chi dao 138"', 1), ('"138 Ban Chỉ đạo"', 0)],
)
def test_exact_phrase(seed_env, query: str, total: int) -> None:
    assert search_json(seed_env, query)["total"] == total


@pytest.mark.parametrize(
    ("query", "total"),
    [("an ninh to quoc -Hà", 1), ("an ninh to quoc -Định", 0), ("an ninh tổ quốc -Định", 0)],
)
def test_excluded_words_follow_the_words_to_find(seed_env, query: str, total: int) -> None:
    # Typed without diacritics, the words to find match folded whatever the excluded ones
    # are typed with; the excluded words then leave out any spelling (the seed says Định).
    assert search_json(seed_env, query)["total"] == total


def _article(doc_id: str, title: str, body: list[str]) -> dict:
    item = Article(id=doc_id, url=f"https://congan.hue.gov.vn/{doc_id}.html",
                   source="site", title=title, body=body)  # fmt: skip
    return article_document(normalize_article(item))


@pytest.mark.parametrize("query", ["PCCC", "pccc", "phòng cháy chữa cháy", "phong chay chua chay"])
def test_an_abbreviation_and_its_words_find_each_other(
    es: Elasticsearch, es_index: str, query: str
) -> None:
    ensure_index(es, es_index)
    docs = [
        _article("short", "Kiểm tra PCCC tại chợ", ["Đoàn kiểm tra PCCC tại chợ Đông Ba."]),
        _article("spelled", "Diễn tập phòng cháy chữa cháy", ["Phòng cháy chữa cháy ở chợ."]),
        _article("other", "Tuần tra ban đêm", ["Công an phường tuần tra."]),
    ]
    assert [reason for _, reason in bulk_index(es, es_index, docs)] == [None] * 3
    es.indices.refresh(index=es_index)
    found = search(es, es_index, SearchRequest(q=query))
    assert sorted(hit["id"] for hit in found["hits"]) == ["short", "spelled"]


def test_title_match_ranks_above_body_match(es: Elasticsearch, es_index: str) -> None:
    ensure_index(es, es_index)
    docs = [
        _article("body", "Hội nghị tổng kết công tác năm", ["Triệt phá đường dây ma túy lớn."] * 3),
        _article("title", "Triệt phá đường dây ma túy xuyên tỉnh", ["Công an tỉnh cho biết."]),
    ]
    assert [reason for _, reason in bulk_index(es, es_index, docs)] == [None, None]
    es.indices.refresh(index=es_index)
    for query in ("ma túy", "ma tuy"):
        ranked = [hit["id"] for hit in search(es, es_index, SearchRequest(q=query))["hits"]]
        assert ranked == ["title", "body"]


def test_index_is_created_from_the_versioned_mapping_behind_the_alias(
    es: Elasticsearch, es_index: str
) -> None:
    index = ensure_index(es, es_index)
    assert index == versioned_name(es_index)
    assert ensure_index(es, es_index) == index  # second use finds it
    mapping = es.indices.get_mapping(index=es_index)[index]["mappings"]
    assert mapping["_meta"] == load_mapping()["mappings"]["_meta"]
    assert mapping["properties"]["title"]["analyzer"] == "standard"


def test_document_that_does_not_fit_the_mapping_is_reported(
    es: Elasticsearch, es_index: str
) -> None:
    ensure_index(es, es_index)
    good = {"id": "ok", "url": "u1", "title": "Tin"}
    bad = {"id": "bad", "url": "u2", "title": "Tin", "published": "hôm qua"}
    outcomes = dict((doc["id"], reason) for doc, reason in bulk_index(es, es_index, [good, bad]))
    assert outcomes["ok"] is None
    assert "published" in outcomes["bad"]


def test_seed_entities_through_the_index(seed_env) -> None:
    hit = search_json(seed_env, "hội nghị", "--entity", "Phạm Gia Túc")["hits"][0]
    assert {"Phạm Gia Túc", "Nguyễn Phùng Hoan", "Trần Anh Dũng", "Phạm Văn Long"} <= set(
        hit["entities"]["persons"]
    )
    assert not {"Toàn", "Cờ", "Bằng"} & set(hit["entities"]["persons"])  # not people
    # "Công an tỉnh" of a Nam Định page is filed as the Công an tỉnh of Nam Định; the
    # organisation inside a role ("Giám đốc Công an tỉnh") counts as a mention of its own.
    assert {"Bộ Công an", "Công an tỉnh Nam Định", "Ban Chỉ đạo 138 tỉnh Nam Định"} <= set(
        hit["entities"]["organizations"]
    )
    assert "Công an tỉnh" not in hit["entities"]["organizations"]
    found = search_json(seed_env, "hội nghị", "--organization", "Công an tỉnh Nam Định")
    assert found["total"] == 1
    facets = search_json(seed_env, "hội nghị", "--facets")["facets"]["organizations"]
    assert {"value": "Công an tỉnh Nam Định", "count": 1} in facets
    assert search_json(seed_env, "hội nghị", "--entity", "Bí thư Tỉnh ủy")["total"] == 1
    assert search_json(seed_env, "hội nghị", "--entity", "bo cong an")["total"] == 1


@pytest.mark.parametrize(
    "query", ["Ủy ban nhân dân tỉnh", "uy ban nhan dan tinh", "UBND tỉnh", "ubnd tinh"]
)
def test_abbreviations_are_found_spelled_out(seed_env, query: str) -> None:
    assert search_json(seed_env, query)["total"] == 1


@pytest.mark.parametrize("query", ['"tự hòa giải"', '"tự hoà giải"', '"tu hoa giai"'])
def test_either_tone_mark_spelling_finds_the_other(seed_env, query: str) -> None:
    assert search_json(seed_env, query)["total"] == 1


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"page": 0}, "page", "page must be between 1 and 1000, got 0"),
        ({"page": 1001}, "page", "page must be between 1 and 1000, got 1001"),
        ({"size": 0}, "size", "size must be between 1 and 100, got 0"),
        ({"size": -1}, "size", "size must be between 1 and 100, got -1"),
        ({"size": 101}, "size", "size must be between 1 and 100, got 101"),
        ({"sort": "newest"}, "sort", "sort must be one of relevance, date, got 'newest'"),
        ({"q": "a" * 5000}, "q", "q must be at most 2000 characters, got 5000"),
        ({"page": "2"}, "page", "page must be a whole number, got '2'"),
        ({"since": "2022-01-04"}, "since", "since must be a date, got '2022-01-04'"),
        (
            {"page": 101, "size": 100},
            "page",
            "page must be at most 100 with size 100 (only the first 10000 results can be "
            "reached), got 101",
        ),
    ],
)
def test_a_parameter_out_of_bounds_is_named(values: dict, field: str, message: str) -> None:
    with pytest.raises(InvalidSearch) as raised:
        SearchRequest(**values)
    assert (raised.value.field, str(raised.value)) == (field, message)
    assert isinstance(raised.value, ValueError)


@pytest.mark.parametrize(
    "values",
    [{"page": 1000}, {"size": 100, "page": 100}, {"size": 1}, {"q": "a" * MAX_QUERY_LENGTH}],
)
def test_values_at_the_bounds_are_taken(values: dict) -> None:
    request = SearchRequest(**values)
    reach = request.page * request.size
    # The widest ranking a search asks: every hit up to the page, several per story.
    body = ranked_body(request, 0, min(reach * search_module.FETCH_PER_STORY, 10_000))
    assert body["from"] + body["size"] <= 10_000
    if "rescore" in body:  # words given: the whole ranking reaches every hit asked
        assert body["rescore"]["window_size"] >= body["from"] + body["size"]


def test_the_public_parameters_are_described_and_the_internal_ones_left_out() -> None:
    described = {param.name: param for param in parameters()}
    assert list(described)[:2] == ["q", "province"]
    assert {"group", "extra_filters"}.isdisjoint(described)
    assert all(param.help for param in described.values())
    page, size, sort = described["page"], described["size"], described["sort"]
    assert (page.type, page.default, page.minimum, page.maximum) == (int, 1, 1, 1000)
    assert (size.minimum, size.maximum, size.default) == (1, 100, 10)
    assert sort.choices == ("relevance", "date")
    assert described["q"].max_length == MAX_QUERY_LENGTH
    assert described["facets"].type is bool


def test_a_long_query_is_cut_before_elasticsearch() -> None:
    query = to_query_string("ma túy " * (MAX_QUERY_LENGTH // 7))
    assert 0 < len(query) <= MAX_QUERY_CHARS


FILTERS = ("province", "entity", "person", "organization", "place", "site", "category")


@pytest.mark.parametrize("name", FILTERS)
@pytest.mark.parametrize("length", [MAX_FILTER_LENGTH + 1, 40_000])
def test_a_filter_value_too_long_is_named(name: str, length: int) -> None:
    # 40,000 characters: over the 32 KB term Elasticsearch refuses with a 400.
    with pytest.raises(InvalidSearch) as raised:
        SearchRequest(**{name: "a" * length})
    assert (raised.value.field, raised.value.why) == (
        name, f"must be at most {MAX_FILTER_LENGTH} characters, got {length}")  # fmt: skip
    assert next(p for p in parameters() if p.name == name).max_length == MAX_FILTER_LENGTH


@pytest.mark.parametrize(
    ("article_id", "size"),
    [("a" * (MAX_ID_BYTES + 1), MAX_ID_BYTES + 1), ("đ" * 257, 514), ("a" * 8000, 8000)],
)
def test_an_id_over_the_elasticsearch_limit_is_named_in_bytes(article_id: str, size: int) -> None:
    with pytest.raises(InvalidSearch) as raised:
        check_article_id(article_id)
    assert (raised.value.field, raised.value.why) == (
        "id", f"must be at most {MAX_ID_BYTES} bytes, got {size}")  # fmt: skip


def test_values_at_the_limits_reach_elasticsearch_and_find_nothing(
    es: Elasticsearch, es_index: str
) -> None:
    """The limits sit below what Elasticsearch refuses: at them it answers, with nothing."""
    ensure_index(es, es_index)
    at_limit = "đ" * MAX_FILTER_LENGTH  # two bytes a character
    for name in FILTERS:
        assert search(es, es_index, SearchRequest(**{name: at_limit}))["total"] == 0
    longest_id = "đ" * (MAX_ID_BYTES // 2)
    check_article_id(longest_id)
    with pytest.raises(NotFoundError):
        get_article(es, es_index, longest_id)
    with pytest.raises(NotFoundError):
        more_like_this(es, es_index, longest_id)
    with pytest.raises(InvalidSearch):
        get_article(es, es_index, longest_id + "a")


def test_the_size_reported_is_the_size_asked_and_used(seed_env) -> None:
    found = search_json(seed_env, "", "--size", "7", "--page", "1")
    assert (found["size"], found["page"]) == (7, 1)
    assert len(found["hits"]) <= 7
    third = search_json(seed_env, "", "--size", "1", "--page", "3")
    assert (third["size"], third["page"], third["hits"]) == (1, 3, [])  # one seed: no page 3


def _dated(doc_id: str, province: str, site: str, published: str) -> dict:
    item = Article(id=doc_id, url=f"https://congan.{site}.gov.vn/{doc_id}.html", source="site",
                   site=site, province=province, province_current=province,
                   title=f"Tin an ninh {doc_id}",
                   body=["Công an tỉnh tuần tra."], published=published)  # fmt: skip
    return article_document(normalize_article(item))


def _same_story(doc: dict, key: str) -> None:
    """Make the document a copy of story ``key``, as two articles of one title are."""
    doc["story_key"], doc["story_hash"] = key, story_hash(key)


@pytest.fixture
def three_provinces(es: Elasticsearch, es_index: str) -> str:
    """Three articles: Sơn La in January, Điện Biên in January, Lai Châu in April."""
    ensure_index(es, es_index)
    docs = [
        _dated("a", "Sơn La", "sonla", "2024-01-10T08:00:00+07:00"),
        _dated("b", "Điện Biên", "dienbien", "2024-01-20T08:00:00+07:00"),
        _dated("c", "Lai Châu", "laichau", "2024-04-05T08:00:00+07:00"),
    ]
    assert [reason for _, reason in bulk_index(es, es_index, docs)] == [None] * 3
    es.indices.refresh(index=es_index)
    return es_index


@pytest.mark.parametrize(
    ("values", "found"),
    [
        ({"province": "Sơn La"}, {"a"}),  # one value, as before
        ({"province": ["Sơn La", "Lai Châu"]}, {"a", "c"}),
        ({"province": ["son la", "dien bien"]}, {"a", "b"}),
        ({"not_province": ["Sơn La"]}, {"b", "c"}),
        ({"not_province": ["Sơn La", "Điện Biên"]}, {"c"}),
        ({"site": ["sonla", "laichau"], "not_province": "Lai Châu"}, {"a"}),
        ({"province": ["Sơn La", "Điện Biên"], "site": ["dienbien"]}, {"b"}),
        ({"not_site": ["sonla", "dienbien", "laichau"]}, set()),
    ],
)
def test_values_of_a_filter_are_any_of_and_exclusions_leave_out(
    es: Elasticsearch, three_provinces: str, values: dict, found: set
) -> None:
    for facets in (False, True):  # the facets move filters to post_filter: same hits
        request = SearchRequest(q="an ninh", facets=facets, **values)
        hits = search(es, three_provinces, request)["hits"]
        assert {hit["id"] for hit in hits} == found


def test_hits_come_without_the_facets_elasticsearch_fails_and_say_why(
    es: Elasticsearch, three_provinces: str, few_buckets: None
) -> None:
    result = search(es, three_provinces, SearchRequest(q="an ninh", facets=True))
    assert sorted(hit["id"] for hit in result["hits"]) == ["a", "b", "c"]
    assert (result["total"], result["stories"]) == (3, 3)
    assert list(result["unavailable"]) == ["facets"]
    assert "too_many_buckets" in result["unavailable"]["facets"]
    assert not any(result["facets"].values())


def test_the_command_line_says_which_counts_elasticsearch_failed(seed_env, few_buckets) -> None:
    result = run_cli("search", "an ninh", "--facets", env=seed_env)
    assert result.returncode == 0, result.stderr
    assert "1 result(s)" in result.stdout
    assert "facets unavailable: Elasticsearch answered too_many_buckets" in result.stderr


def test_facets_count_other_values_of_their_own_filter_and_months_without_articles(
    es: Elasticsearch, three_provinces: str
) -> None:
    result = search(es, three_provinces, SearchRequest(province="Sơn La", facets=True))
    assert (result["total"], result["stories"]) == (1, 1)
    provinces = {b["value"]: b["count"] for b in result["facets"]["provinces"]}
    assert provinces == {"Sơn La": 1, "Điện Biên": 1, "Lai Châu": 1}
    assert result["facets"]["sites"] == [{"value": "sonla", "count": 1}]
    everything = search(es, three_provinces, SearchRequest(facets=True))["facets"]["dates"]
    assert everything == [
        {"month": "2024-01", "count": 2}, {"month": "2024-02", "count": 0},
        {"month": "2024-03", "count": 0}, {"month": "2024-04", "count": 1},
    ]  # fmt: skip
    # A chosen month leaves the chart whole: another month can be added to the range.
    january = SearchRequest(since=date(2024, 1, 1), until=date(2024, 1, 31), facets=True)
    result = search(es, three_provinces, january)
    assert result["total"] == 2
    assert result["facets"]["dates"] == everything


def test_facets_of_a_large_result_are_counted_on_a_sample_and_say_so(
    es: Elasticsearch, es_index: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 600 Sơn La articles, four copies of each story; 200 Điện Biên ones, one of each.
    ensure_index(es, es_index)
    docs = [_dated(f"s{i}", "Sơn La", "sonla", "2024-01-10T08:00:00+07:00") for i in range(600)]
    for i, doc in enumerate(docs):
        _same_story(doc, f"sonla-{i // 4}")
    docs += [_dated(f"d{i}", "Điện Biên", "dienbien", "2024-02-10T08:00:00+07:00")
             for i in range(200)]  # fmt: skip
    assert {reason for _, reason in bulk_index(es, es_index, docs)} == {None}
    es.indices.refresh(index=es_index)
    counted = search(es, es_index, SearchRequest(q="an ninh", facets=True))
    assert not counted["estimated"]
    assert counted["facets"]["sites"] == [{"value": "sonla", "count": 600},
                                          {"value": "dienbien", "count": 200}]  # fmt: skip
    assert counted["stories"] == 350
    # Above twice the sample size, a sample of about that many, scaled to the whole; the
    # total, the stories and the hits stay exact, and the same search counts the same
    # sample again.
    monkeypatch.setattr(search_module, "FACET_SAMPLE", 100)
    request = SearchRequest(q="an ninh", facets=True)
    sampled = search(es, es_index, request)
    assert sampled["estimated"]
    assert (sampled["total"], sampled["stories"], len(sampled["hits"])) == (800, 350, 10)
    sites = {b["value"]: b["count"] for b in sampled["facets"]["sites"]}
    assert 300 <= sites["sonla"] <= 900
    assert 50 <= sites["dienbien"] <= 400
    assert sites["sonla"] > sites["dienbien"]
    assert search(es, es_index, replace(request, page=2))["facets"] == sampled["facets"]
    # A faceted filter leaves 200 hits, but the facets count all 800 matches: sampled.
    one_site = search(es, es_index, replace(request, site=("dienbien",)))
    assert (one_site["total"], one_site["stories"], one_site["estimated"]) == (200, 200, True)


def test_a_page_holds_one_hit_per_story_however_many_copies_rank_first(
    es: Elasticsearch, es_index: str
) -> None:
    # Five stories of eight copies each: a story's copies rank together, more of them than
    # the hits first ranked for a page of three stories.
    ensure_index(es, es_index)
    docs = []
    for number in range(40):
        doc = _dated(f"s{number // 8}-{number % 8}", "Sơn La", f"site{number % 8}",
                     "2024-01-10T08:00:00+07:00")  # fmt: skip
        _same_story(doc, f"story-{number // 8}")
        docs.append(doc)
    assert {reason for _, reason in bulk_index(es, es_index, docs)} == {None}
    es.indices.refresh(index=es_index)
    request = SearchRequest(q="an ninh", size=3)
    pages = [search(es, es_index, replace(request, page=page)) for page in (1, 2, 3)]
    stories = [[hit["id"].split("-")[0] for hit in page["hits"]] for page in pages]
    assert [len(set(found)) for found in stories] == [3, 2, 0]
    assert sorted(stories[0] + stories[1]) == ["s0", "s1", "s2", "s3", "s4"]
    assert (pages[0]["total"], pages[0]["stories"]) == (40, 5)
    assert all(len(hit["also_published"]) == 5 for hit in pages[0]["hits"])


def test_a_filter_takes_one_value_a_list_or_none_and_at_most_so_many() -> None:
    assert SearchRequest(province="Sơn La").province == ("Sơn La",)
    assert SearchRequest(province=["Sơn La", ""]).province == ("Sơn La",)
    assert SearchRequest(province=None).province == ()
    assert SearchRequest().not_province == ()
    with pytest.raises(InvalidSearch) as raised:
        SearchRequest(person=[f"p{n}" for n in range(MAX_FILTER_VALUES + 1)])
    why = f"takes at most {MAX_FILTER_VALUES} values, got {MAX_FILTER_VALUES + 1}"
    assert (raised.value.field, raised.value.why) == ("person", why)
    with pytest.raises(InvalidSearch) as raised:
        SearchRequest(not_site=["ok", "a" * (MAX_FILTER_LENGTH + 1)])
    assert raised.value.field == "not_site"
    described = {param.name: param for param in parameters()}
    assert described["province"].multiple
    assert described["not_province"].multiple
    assert not described["q"].multiple


@pytest.mark.parametrize(
    ("query", "together", "apart"),
    [
        ("Công an xã", "Công an xã Tuyên Phú bắt giữ đối tượng trộm cắp.",
         "Công an tỉnh cảnh báo lừa đảo trên mạng xã hội, bắt giữ đối tượng."),
        ("cong an xa", "Công an xã Tuyên Phú bắt giữ đối tượng trộm cắp.",
         "Công an tỉnh cảnh báo lừa đảo trên mạng xã hội, bắt giữ đối tượng."),
        ("biên phòng", "Đồn Biên phòng Lao Bảo bắt giữ đối tượng vận chuyển hàng lậu.",
         "Nhiều biện pháp ở vùng biên giới được Phòng Cảnh sát kinh tế áp dụng."),
        ("bien phong", "Đồn Biên phòng Lao Bảo bắt giữ đối tượng vận chuyển hàng lậu.",
         "Nhiều biện pháp ở vùng biên giới được Phòng Cảnh sát kinh tế áp dụng."),
        ("cấp uỷ", "Ban Thường vụ đề nghị cấp ủy các cấp quan tâm lãnh đạo.",
         "Thừa ủy quyền, lãnh đạo cấp tỉnh trao quyết định cho các cấp."),
        ("cap uy", "Ban Thường vụ đề nghị cấp ủy các cấp quan tâm lãnh đạo.",
         "Thừa ủy quyền, lãnh đạo cấp tỉnh trao quyết định cho các cấp."),
        # A syllable between: near, not a pair (NEAR_MAX_SYLLABLES).
        ("cong an huyen", "Công an các huyện ra quân trấn áp tội phạm.",
         "Công an tỉnh làm việc với lãnh đạo huyện về an toàn giao thông."),
        # An excluded word or the other side of OR is not part of the phrase ranked (nor
        # does the excluded word's diacritics make the others match as typed).
        ("cong an huyen -Hà", "Công an các huyện ra quân trấn áp tội phạm.",
         "Công an tỉnh làm việc với lãnh đạo huyện về an toàn giao thông."),
        ("cong an huyen OR bien phong", "Công an các huyện ra quân trấn áp tội phạm.",
         "Công an tỉnh làm việc với lãnh đạo huyện về an toàn giao thông."),
        # A long query: its phrase and pairs, no near clause.
        ("toàn dân bảo vệ an ninh Tổ quốc",
         "Phong trào toàn dân bảo vệ an ninh Tổ quốc được phát động ở xã.",
         "Toàn thể nhân dân được bảo đảm an toàn; lực lượng bảo vệ tổ chức giữ an ninh "
         "quốc gia."),
    ],
)  # fmt: skip
def test_syllables_written_together_rank_above_the_same_syllables_apart(
    es: Elasticsearch, es_index: str, query: str, together: str, apart: str
) -> None:
    # The article with the syllables apart repeats them more, so counting syllables alone
    # would put it first; both articles are found (every syllable is in both).
    ensure_index(es, es_index)
    docs = []
    for doc_id, text in (("apart", f"{apart} {apart}"), ("together", together)):
        article = Article(id=doc_id, url=f"https://example.vn/{doc_id}", source="site",
                          title="Tin an ninh trật tự", body=[text])  # fmt: skip
        normalize_article(article)
        docs.append(article_document(article))
    assert [reason for _, reason in bulk_index(es, es_index, docs)] == [None, None]
    es.indices.refresh(index=es_index)
    # Same title, so one story: ungrouped, both come back.
    request = SearchRequest(q=query, group=False)
    ranked = [hit["id"] for hit in search(es, es_index, request)["hits"]]
    assert ranked == ["together", "apart"]
